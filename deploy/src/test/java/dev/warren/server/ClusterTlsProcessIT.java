package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.core.testing.TestPki;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three Warren processes whose inter-node port uses mutual TLS (cluster.ssl_options.*): the cluster forms and a
 * quorum queue replicates over it, and a peer whose certificate another CA issued is refused. Logs:
 * target/cluster-tls-process-it/node{1,2,3}.log.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ClusterTlsProcessIT {
    private static final long WAIT_MS = 30_000;
    private static ClusterHarness cluster;
    private static TestPki pki;

    @BeforeAll
    static void startCluster() throws Exception {
        Path dir = ClusterHarness.freshDir("cluster-tls-process-it");
        pki = TestPki.create(Files.createDirectories(dir.resolve("pki")), "cluster");
        TestPki.Issued node = pki.node("node", "127.0.0.1", "localhost");
        cluster = ClusterHarness.start(dir, List.of(
                "cluster.ssl_options.cacertfile = " + pki.caFile(),
                "cluster.ssl_options.certfile = " + node.certFile(),
                "cluster.ssl_options.keyfile = " + node.keyFile()));
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theClusterFormsAndAQuorumQueueReplicatesOverMutualTls() throws Exception {
        assertEquals("sealed", cluster.quorumRoundTrip("over-tls", "sealed", WAIT_MS));
        assertTrue(Files.readString(cluster.log(0)).contains("uses mutual TLS"), "the node says its port uses mutual TLS");
    }

    @Test
    void aPeerWithACertificateFromAnotherCaIsRefused() throws Exception {
        TestPki rogue = TestPki.create(Files.createDirectories(Path.of(System.getProperty("warren.test.output", "target"),
                "cluster-tls-process-it", "rogue")), "rogue");
        TestPki.Issued intruder = rogue.node("intruder", "127.0.0.1");
        assertTrue(refused(intruder), "a certificate another CA issued is refused");
        // the same check with a certificate of the cluster's CA gets the server's HTTP/2 settings: it can tell
        assertTrue(!refused(pki.node("member", "127.0.0.1")), "a certificate of the cluster's CA is taken");
    }

    private static boolean refused(TestPki.Issued certificate) throws Exception {
        // sent whichever CAs the server asks for, as a peer trying its luck would
        return refused(certificate.insistentClientContext(pki.caCertificate()), cluster.clusterPort(0));
    }

    /** Whether the inter-node port ends a gRPC connection made with {@code context}'s certificate. */
    static boolean refused(javax.net.ssl.SSLContext context, int port) throws Exception {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.setEnabledProtocols(new String[] {"TLSv1.2"}); // the server's refusal then ends the handshake itself
            socket.setSSLParameters(withAlpn(socket));
            return refused(socket);
        }
    }

    private static javax.net.ssl.SSLParameters withAlpn(SSLSocket socket) {
        javax.net.ssl.SSLParameters parameters = socket.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"h2"}); // gRPC's
        return parameters;
    }

    /** True when the server ended the connection: a failed handshake, an alert, or the end of the stream. */
    private static boolean refused(SSLSocket socket) {
        try {
            socket.startHandshake();
            socket.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            return in.read() == -1;
        } catch (IOException expected) {
            return true;
        }
    }
}
