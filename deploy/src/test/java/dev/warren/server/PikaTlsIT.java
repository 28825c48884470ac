package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.core.auth.Permission;
import dev.warren.core.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * pika over TLS against a Warren configured as RabbitMQ users configure AMQPS: a config file with
 * {@code listeners.ssl.default} and {@code ssl_options.*} (ports 0 here), read by {@link ServerConfig#load}.
 * The script (src/test/python/tls_round_trip.py) connects with an {@code ssl.SSLContext} that trusts the
 * test CA and {@code pika.SSLOptions(context, server_hostname='localhost')}, publishes with confirms and
 * consumes with acks; its output names the negotiated protocol. Certificates are made at test time
 * ({@link TestPki}). pika must be installed for /usr/bin/python3 (Debian: apt-get install python3-pika).
 */
@Timeout(120)
class PikaTlsIT {
    private static final String PYTHON = "/usr/bin/python3";
    private static final Path SCRIPTS =
            Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "src", "test", "python");
    private static final String SCRIPT = "tls_round_trip.py";
    /** The client certificate's subject, which SASL EXTERNAL makes the user name (ssl_cert_login_from default). */
    private static final String CLIENT_SUBJECT = "CN=pika-client,O=Warren Test";

    @TempDir
    static Path dir;

    private static TestPki pki;
    private static TestPki.Issued client;
    private static WarrenServer server;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create(dir, "pika-tls");
        TestPki.Issued serverCert = pki.server("server");
        client = pki.client("pika-client", CLIENT_SUBJECT);
        // Client certificates are verified when sent, but not required: clients with and without one connect.
        server = startServer("optional-peer-cert", serverCert, """
                ssl_options.verify = verify_peer
                ssl_options.fail_if_no_peer_cert = false
                auth_mechanisms.1 = PLAIN
                auth_mechanisms.2 = AMQPLAIN
                auth_mechanisms.3 = EXTERNAL
                """);
        // The certificate's user may configure only pika-tls.* queues: a refusal elsewhere shows who logged in.
        server.broker().users().create(CLIENT_SUBJECT, "not used with EXTERNAL", Set.of());
        server.broker().users().setPermission(CLIENT_SUBJECT, "/", new Permission("^pika-tls\\.", ".*", ".*"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** A server from a config file of RabbitMQ keys, as the launcher would read it; ports 0. */
    private static WarrenServer startServer(String name, TestPki.Issued serverCert, String extraKeys) throws Exception {
        WarrenServer started = TlsServers.start(dir.resolve(name + ".conf"), dir.resolve(name + "-data"), pki, serverCert,
                "management.tcp.port = 0", extraKeys);
        assertTrue(started.amqpsPort() > 0, "no AMQPS listener");
        return started;
    }

    @Test
    void pikaVerifiesTheServerAndRoundTripsMessagesOverTls13() throws Exception {
        String output = runOk(server.amqpsPort(), "--cafile", pki.caFile().toString());
        assertTrue(output.contains("protocol=TLSv1.3"), output);
        assertTrue(output.contains("server=organizationName=Warren Test,commonName=localhost"), output);
        assertTrue(output.contains("client certificate no, login PLAIN guest"), output);
    }

    @Test
    void mutualTlsWithAClientCertificateOfTheTrustedCa() throws Exception {
        String output = runOk(server.amqpsPort(), "--cafile", pki.caFile().toString(),
                "--certfile", client.certFile().toString(), "--keyfile", client.keyFile().toString());
        assertTrue(output.contains("protocol=TLSv1.3"), output);
        assertTrue(output.contains("client certificate yes, login PLAIN guest"), output);
    }

    @Test
    void saslExternalLogsPikaInAsTheCertificatesSubject() throws Exception {
        String output = runOk(server.amqpsPort(), "--cafile", pki.caFile().toString(),
                "--certfile", client.certFile().toString(), "--keyfile", client.keyFile().toString(),
                "--external", "--forbidden-queue", "not-for-pika");
        assertTrue(output.contains("login EXTERNAL"), output);
        assertTrue(output.contains("forbidden queue refused: ACCESS_REFUSED"), output);
        assertTrue(output.contains(CLIENT_SUBJECT), "the refusal names the certificate's user:\n" + output);
    }

    @Test
    void pikaRefusesTheServerCertificateForAnotherHostName() throws Exception {
        String output = runOk(server.amqpsPort(), "--cafile", pki.caFile().toString(),
                "--server-hostname", "not-this-host.example", "--expect-refused");
        assertTrue(output.contains("refused as expected") && output.contains("CERTIFICATE_VERIFY_FAILED"), output);
    }

    @Test
    void withFailIfNoPeerCertPikaNeedsACertificateOfTheTrustedCa() throws Exception {
        TestPki other = TestPki.create(dir, "other-ca");
        TestPki.Issued stranger = other.client("stranger", "CN=stranger,O=Elsewhere");
        try (WarrenServer strict = startServer("peer-cert-required", pki.server("strict-server"), """
                ssl_options.verify = verify_peer
                ssl_options.fail_if_no_peer_cert = true
                """)) {
            int port = strict.amqpsPort();
            String withoutCert = runOk(port, "--cafile", pki.caFile().toString(), "--expect-refused");
            assertTrue(withoutCert.contains("refused as expected") && withoutCert.contains("CERTIFICATE_REQUIRED"),
                    "expected TLS 1.3's certificate_required alert:\n" + withoutCert);
            String otherCa = runOk(port, "--cafile", pki.caFile().toString(), "--certfile", stranger.certFile().toString(),
                    "--keyfile", stranger.keyFile().toString(), "--expect-refused");
            assertTrue(otherCa.contains("refused as expected") && otherCa.contains("ALERT"),
                    "expected a TLS alert from the server:\n" + otherCa);
            String withCert = runOk(port, "--cafile", pki.caFile().toString(), "--certfile", client.certFile().toString(),
                    "--keyfile", client.keyFile().toString());
            assertTrue(withCert.contains("protocol=TLSv1.3") && withCert.contains("client certificate yes"), withCert);
        }
    }

    /** Runs the script with the port and {@code args}; it must exit 0 and say OK. Returns its output. */
    private static String runOk(int port, String... args) throws Exception {
        Path script = SCRIPTS.resolve(SCRIPT);
        assertTrue(Files.isRegularFile(script), "missing script " + script);
        PikaScriptIT.requirePika();
        List<String> command = new ArrayList<>(List.of(PYTHON, script.toString(), Integer.toString(port)));
        command.addAll(List.of(args));
        PikaScriptIT.Result result = PikaScriptIT.run(command.toArray(String[]::new));
        String described = SCRIPT + " " + String.join(" ", args);
        assertEquals(0, result.exitCode(), described + " failed; its output:\n" + result.output());
        assertTrue(result.output().contains("OK pika-tls"), described + " did not say OK:\n" + result.output());
        System.out.println("$ " + described + "\n" + result.output()); // in the surefire report
        return result.output();
    }
}
