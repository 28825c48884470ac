package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warren.core.testing.TestPki;
import dev.warren.mgmt.cli.Warrenctl;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Management over HTTPS alone, as RabbitMQ runs it when only management.ssl.* is configured: no plain HTTP
 * listener on 15672, the API over HTTPS, and warrenctl on the same machine still reaching the node through its
 * local secret — over HTTPS to 127.0.0.1, checking the certificate against the node's CA although the
 * certificate names only the machine's host name.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ManagementHttpsOnlyIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private static TestPki pki;
    private static WarrenServer server;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create(dir, "https-only");
        TestPki.Issued amqpCert = pki.server("amqp");
        TestPki.Issued mgmtCert = pki.serverNaming("mgmt", "broker.example");
        server = TlsServers.start(dir.resolve("warren.conf"), dir.resolve("data"), pki, amqpCert,
                "management.ssl.port = 0",
                "management.ssl.cacertfile = " + pki.caFile(),
                "management.ssl.certfile = " + mgmtCert.certFile(),
                "management.ssl.keyfile = " + mgmtCert.keyFile(),
                "log.dir = " + dir.resolve("log"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private record CliRun(int exit, String out, String err) {
    }

    private static CliRun warrenctl(Path dataDir, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Warrenctl.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of("WARREN_DATA_DIR", dataDir.toString()));
        return new CliRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void onlyTheHttpsListenerRunsWhenOnlyManagementSslIsConfigured() throws Exception {
        assertEquals(0, server.managementPort(), "no HTTP listener");
        assertTrue(server.managementHttpsPort() > 0, "HTTPS listens");
        // curl as a user would, by the certificate's name (pointed at loopback) and trusting the CA
        String url = "https://broker.example:" + server.managementHttpsPort() + "/api/overview";
        Process curl = new ProcessBuilder("curl", "--silent", "--show-error", "--fail", "--max-time", "20",
                "--resolve", "broker.example:" + server.managementHttpsPort() + ":127.0.0.1",
                "--cacert", pki.caFile().toString(), "-u", "guest:guest", url).start();
        String body = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(curl.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(curl.waitFor(30, TimeUnit.SECONDS), "curl finishes");
        assertEquals(0, curl.exitValue(), err);
        JsonNode listeners = JSON.readTree(body).path("listeners");
        assertTrue(listeners.toString().contains("\"protocol\":\"https\",\"ip_address\":\"::\",\"port\":"
                + server.managementHttpsPort()), listeners.toString());
        assertFalse(listeners.toString().contains("\"protocol\":\"http\""), "no http listener listed: " + listeners);
    }

    @Test
    void warrenctlOnTheSameMachineUsesTheLocalSecretOverHttps() throws Exception {
        String nodeFile = Files.readString(dir.resolve("data").resolve("warrenctl.json"));
        assertTrue(nodeFile.contains("\"url\" : \"https://127.0.0.1:" + server.managementHttpsPort() + "\""), nodeFile);
        assertTrue(nodeFile.contains("\"cacertfile\" : \"" + pki.caFile().toAbsolutePath() + "\""), nodeFile);

        CliRun users = warrenctl(dir.resolve("data"), "list_users");
        assertEquals(0, users.exit(), users.toString());
        assertTrue(users.out().contains("guest\t[administrator]"), users.toString());

        CliRun status = warrenctl(dir.resolve("data"), "status");
        assertEquals(0, status.exit(), status.toString());
        assertTrue(status.out().contains("port: " + server.managementHttpsPort() + ", protocol: https"), status.toString());
        assertFalse(status.out().contains("protocol: http,"), "no HTTP listener listed: " + status);
    }

    @Test
    void warrenctlRefusesTheLocalNodeWhenItsCertificateIsNotFromTheNamedCa() throws Exception {
        Path data = dir.resolve("data");
        Path forged = dir.resolve("forged-node");
        Files.createDirectories(forged);
        TestPki stranger = TestPki.create(dir, "stranger");
        String nodeFile = Files.readString(data.resolve("warrenctl.json"))
                .replace(pki.caFile().toAbsolutePath().toString(), stranger.caFile().toAbsolutePath().toString());
        Files.writeString(forged.resolve("warrenctl.json"), nodeFile);

        CliRun refused = warrenctl(forged, "list_users");
        assertEquals(69, refused.exit(), refused.toString());
        assertTrue(refused.err().contains("is not issued by a CA in " + stranger.caFile().toAbsolutePath()), refused.toString());
    }
}
