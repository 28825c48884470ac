package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultSaslConfig;
import dev.warren.core.testing.TestPki;
import dev.warren.mgmt.cli.Warrenctl;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole server with TLS set up as the RabbitMQ TLS guide does it, through a config file with RabbitMQ's keys
 * (listeners.ssl.default, ssl_options.*, auth_mechanisms.N, management.ssl.*), certificates made at test time:
 * the RabbitMQ Java client over AMQPS verifying the server, mutual TLS with SASL EXTERNAL, the TLS details in
 * /api/connections, the management API over HTTPS for curl and warrenctl, and a renewed certificate taken up
 * from its files without a restart while open connections carry on.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TlsServerIT {
    private static final String ALEX = "CN=alex,O=Warren Test";
    private static final Duration RELOAD_DEADLINE = Duration.ofSeconds(4 * TlsListeners.CHECK_SECONDS + 10);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private static TestPki pki;
    private static TestPki.Issued serverCert;
    private static WarrenServer server;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create(dir, "warren-test");
        serverCert = pki.server("server");
        server = TlsServers.start(dir.resolve("warren.conf"), dir.resolve("data"), pki, serverCert,
                "ssl_options.verify = verify_peer",
                "ssl_options.fail_if_no_peer_cert = false",
                "ssl_options.versions.1 = tlsv1.3",
                "ssl_options.versions.2 = tlsv1.2",
                "auth_mechanisms.1 = EXTERNAL",
                "auth_mechanisms.2 = PLAIN",
                "auth_mechanisms.3 = AMQPLAIN",
                // both listeners: with management.ssl.port alone there would be no HTTP one, as RabbitMQ
                "management.tcp.port = " + freePort(),
                "management.ssl.port = 0",
                "management.ssl.cacertfile = " + pki.caFile(),
                "management.ssl.certfile = " + serverCert.certFile(),
                "management.ssl.keyfile = " + serverCert.keyFile(),
                "log.dir = " + dir.resolve("log"));
        assertTrue(server.amqpsPort() > 0, "AMQPS listens");
        assertTrue(server.managementHttpsPort() > 0, "management HTTPS listens");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** A port free now, for management.tcp.port (which takes no 0). */
    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static ConnectionFactory amqps(SSLContext context) {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("localhost");
        factory.setPort(server.amqpsPort());
        factory.useSslProtocol(context);
        factory.enableHostnameVerification();
        factory.setConnectionTimeout(10_000);
        factory.setHandshakeTimeout(10_000);
        factory.setShutdownTimeout(2_000);
        factory.setChannelRpcTimeout(10_000);
        factory.setAutomaticRecoveryEnabled(false);
        return factory;
    }

    /** Publishes to a new queue and consumes the message back. */
    private static void publishAndConsume(Connection connection, String text) throws Exception {
        Channel channel = connection.createChannel();
        String queue = channel.queueDeclare("", false, true, true, null).getQueue();
        BlockingQueue<String> received = new ArrayBlockingQueue<>(1);
        channel.basicConsume(queue, true, (tag, delivery) -> received.add(new String(delivery.getBody(),
                StandardCharsets.UTF_8)), tag -> { });
        channel.basicPublish("", queue, null, text.getBytes(StandardCharsets.UTF_8));
        assertEquals(text, received.poll(10, TimeUnit.SECONDS), "the message comes back within 10 s");
        channel.close();
    }

    private static String httpsBase() {
        return "https://localhost:" + server.managementHttpsPort();
    }

    private static JsonNode getOverHttps(String path) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(pki.trustingClientContext())
                .connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(httpsBase() + path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "guest:guest".getBytes(StandardCharsets.UTF_8)))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    private record CliRun(int exit, String out, String err) {
    }

    private static CliRun warrenctl(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Warrenctl.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of("WARREN_DATA_DIR", dir.resolve("no-node").toString()));
        return new CliRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static CliRun warrenctlOk(String... args) {
        CliRun run = warrenctl(args);
        assertEquals(0, run.exit(), () -> "warrenctl " + String.join(" ", args) + ": " + run);
        return run;
    }

    /** The connection /api/connections lists under the client-given name, once it is there. */
    private static JsonNode connectionNamed(String name) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            for (JsonNode c : getOverHttps("/api/connections")) {
                if (c.path("client_properties").path("connection_name").asText().equals(name)) {
                    return c;
                }
            }
            if (System.nanoTime() > deadline) {
                fail("no connection named " + name + " in /api/connections within 10 s");
            }
            Thread.sleep(50);
        }
    }

    private static BigInteger servedSerial(int port) throws Exception {
        try (SSLSocket socket = (SSLSocket) pki.trustingClientContext().getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    private static void awaitUntil(Duration timeout, String what, Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + timeout + " waiting until " + what);
            }
            Thread.sleep(100);
        }
    }

    // ---------------------------------------------------------------------------------------------- tests

    @Test
    void theJavaClientVerifyingTheServerPublishesAndConsumesOverAmqps() throws Exception {
        try (Connection connection = amqps(pki.trustingClientContext()).newConnection("server-verified")) {
            publishAndConsume(connection, "over amqps");
            JsonNode listed = connectionNamed("server-verified");
            assertEquals("guest", listed.path("user").asText(), listed.toString());
            assertTrue(listed.path("ssl").asBoolean(), listed.toString());
            assertEquals("PLAIN", listed.path("auth_mechanism").asText(), "no client certificate, so no EXTERNAL");
            assertTrue(listed.path("peer_cert_subject").isNull(), listed.toString());
        }
    }

    @Test
    void aClientCertificateLogsInWithSaslExternalAsTheUserNamedAfterItsSubject() throws Exception {
        warrenctlOk("--node", httpsBase(), "--cacertfile", pki.caFile().toString(), "add_user", ALEX, "unused-password");
        warrenctlOk("--node", httpsBase(), "--cacertfile", pki.caFile().toString(), "set_permissions", "-p", "/", ALEX,
                ".*", ".*", ".*");
        ConnectionFactory factory = amqps(pki.client("alex", ALEX).clientContext(pki.caCertificate()));
        factory.setSaslConfig(DefaultSaslConfig.EXTERNAL);
        try (Connection connection = factory.newConnection("mutual-tls")) {
            publishAndConsume(connection, "as alex, no password");

            JsonNode listed = connectionNamed("mutual-tls");
            assertEquals(ALEX, listed.path("user").asText(), listed.toString());
            assertEquals("EXTERNAL", listed.path("auth_mechanism").asText(), listed.toString());
            assertTrue(listed.path("ssl").asBoolean(), listed.toString());
            assertTrue(listed.path("ssl_protocol").asText().startsWith("tlsv1."), listed.toString());
            assertEquals(ALEX, listed.path("peer_cert_subject").asText(), listed.toString());
            assertEquals("CN=warren-test CA,O=Warren Test", listed.path("peer_cert_issuer").asText(), listed.toString());

            CliRun list = warrenctlOk("--node", httpsBase(), "--cacertfile", pki.caFile().toString(), "-q",
                    "list_connections", "user", "ssl", "peer_cert_subject");
            assertTrue(list.out().contains(ALEX + "\ttrue\t" + ALEX + "\n"), list.toString());
        }
    }

    @Test
    void curlReachesTheManagementApiOverHttpsTrustingTheCaAndOnlyThen() throws Exception {
        String url = httpsBase() + "/api/overview";
        Process curl = new ProcessBuilder("curl", "--silent", "--show-error", "--fail", "--max-time", "20",
                "--cacert", pki.caFile().toString(), "-u", "guest:guest", url).start();
        String body = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(curl.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(curl.waitFor(30, TimeUnit.SECONDS), "curl finishes");
        assertEquals(0, curl.exitValue(), err);
        assertEquals("Warren", JSON.readTree(body).path("product_name").asText(), body);
        String listeners = JSON.readTree(body).path("listeners").toString();
        assertTrue(listeners.contains("\"protocol\":\"amqp/ssl\",\"ip_address\":\"::\",\"port\":" + server.amqpsPort()), listeners);
        assertTrue(listeners.contains("\"protocol\":\"https\",\"ip_address\":\"::\",\"port\":" + server.managementHttpsPort()),
                listeners);

        TestPki other = TestPki.create(dir, "curl-other");
        Process untrusting = new ProcessBuilder("curl", "--silent", "--max-time", "20", "--cacert",
                other.caFile().toString(), "-u", "guest:guest", url).redirectErrorStream(true).start();
        untrusting.getInputStream().readAllBytes();
        assertTrue(untrusting.waitFor(30, TimeUnit.SECONDS), "curl finishes");
        assertNotEquals(0, untrusting.exitValue(), "a certificate of another CA is refused");
    }

    @Test
    void warrenctlReachesTheHttpsNodeWithItsCaOptionAndRefusesAnotherCaWith69() throws Exception {
        CliRun status = warrenctlOk("--node", httpsBase(), "--cacertfile", pki.caFile().toString(), "status");
        assertTrue(status.out().startsWith("Status of node " + httpsBase() + " ..."), status.toString());
        assertTrue(status.out().contains("port: " + server.amqpPort() + ", protocol: amqp"), status.toString());

        TestPki other = TestPki.create(dir, "stranger");
        CliRun refused = warrenctl("--node", httpsBase(), "--cacertfile", other.caFile().toString(), "list_users");
        assertEquals(69, refused.exit(), refused.toString());
        assertTrue(refused.err().contains("The node's TLS certificate is not issued by a CA in " + other.caFile()),
                refused.toString());
        assertTrue(!refused.err().contains("\tat "), "no stack trace: " + refused);
    }

    @Test
    void aRenewedCertificateInTheSameFilesReachesNewConnectionsWhileOpenOnesCarryOn() throws Exception {
        BigInteger before = servedSerial(server.amqpsPort());
        assertEquals(before, servedSerial(server.managementHttpsPort()), "both listeners start with the same files");
        try (Connection open = amqps(pki.trustingClientContext()).newConnection("open-across-the-renewal")) {
            publishAndConsume(open, "before the renewal");

            TestPki.Issued renewed = pki.server("renewed");
            BigInteger expected = renewed.certificate().getSerialNumber();
            assertNotEquals(before, expected);
            Files.copy(renewed.certFile(), serverCert.certFile(), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(renewed.keyFile(), serverCert.keyFile(), StandardCopyOption.REPLACE_EXISTING);

            // the broker looks at the files every TlsListeners.CHECK_SECONDS seconds
            awaitUntil(RELOAD_DEADLINE, "new AMQPS connections see certificate " + expected,
                    () -> expected.equals(serial(server.amqpsPort())));
            awaitUntil(RELOAD_DEADLINE, "new HTTPS connections see certificate " + expected,
                    () -> expected.equals(serial(server.managementHttpsPort())));

            publishAndConsume(open, "after the renewal, same connection");
            try (Connection fresh = amqps(pki.trustingClientContext()).newConnection("after-the-renewal")) {
                publishAndConsume(fresh, "after the renewal, new connection");
            }
        }
    }

    /**
     * The certificate's serial, or null while handshakes fail: the certificate and the key are two files, so a check
     * between the two copies sees a new certificate with the old key (and keeps the old pair, or serves the odd one).
     */
    private static BigInteger serial(int port) {
        try {
            return servedSerial(port);
        } catch (Exception e) {
            return null;
        }
    }
}
