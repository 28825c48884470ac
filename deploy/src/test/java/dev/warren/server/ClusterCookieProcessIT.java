package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.core.testing.TestPki;
import dev.warren.store.raft.ClusterSettings;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three Warren processes that share a secret (cluster.cookie_file, as RabbitMQ's nodes share the Erlang cookie): the
 * cluster forms and a quorum queue replicates over the mutual TLS each node set up from it, and a peer whose
 * certificate comes from another secret is refused while one from the same secret is taken. Logs:
 * target/cluster-cookie-process-it/node{1,2,3}.log.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ClusterCookieProcessIT {
    private static final long WAIT_MS = 30_000;
    private static final String SECRET = "WARRENCOOKIETESTSECRETXYZ";
    private static ClusterHarness cluster;
    private static Path dir;

    @BeforeAll
    static void startCluster() throws Exception {
        dir = Files.createDirectories(ClusterHarness.freshDir("cluster-cookie-process-it"));
        Path cookie = dir.resolve("cookie");
        Files.writeString(cookie, SECRET + "\n");
        Files.setPosixFilePermissions(cookie, PosixFilePermissions.fromString("rw-------"));
        cluster = ClusterHarness.start(dir, List.of("cluster.cookie_file = " + cookie));
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theClusterFormsAndAQuorumQueueReplicatesOverTheTlsTheSecretSetUp() throws Exception {
        assertEquals("shared", cluster.quorumRoundTrip("over-cookie", "shared", WAIT_MS));
        assertTrue(Files.readString(cluster.log(0)).contains("uses mutual TLS from the shared secret"),
                "the node says its port uses mutual TLS from the secret");
    }

    @Test
    void aPeerWithACertificateFromAnotherSecretIsRefusedAndOneFromTheSameSecretIsTaken() throws Exception {
        X509Certificate clusterCa = certificate(dir.resolve("data1").resolve("cluster-tls").resolve("ca.pem"));
        assertTrue(ClusterTlsProcessIT.refused(peer("another secret", "intruder").insistentClientContext(clusterCa),
                cluster.clusterPort(0)), "a certificate from another secret is refused");
        assertTrue(!ClusterTlsProcessIT.refused(peer(SECRET, "newcomer").insistentClientContext(clusterCa),
                cluster.clusterPort(0)), "a certificate from the same secret is taken");
    }

    /** A would-be peer's certificate, issued as a node with {@code secret} issues its own. */
    private static TestPki.Issued peer(String secret, String name) throws Exception {
        ClusterSettings.InterNodeTls tls = ClusterCookie.issue(secret, name, "127.0.0.1",
                Files.createDirectories(dir.resolve(name)));
        String key = Files.readString(tls.keyFile()).replaceAll("-----[A-Z ]+-----|\\s", "");
        PrivateKey privateKey = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(key)));
        return new TestPki.Issued(certificate(tls.certFile()), privateKey, tls.certFile(), tls.keyFile(),
                certificate(tls.caFile()));
    }

    private static X509Certificate certificate(Path pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(pem)));
    }
}
