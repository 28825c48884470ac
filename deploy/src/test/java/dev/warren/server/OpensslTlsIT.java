package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.warren.core.testing.TestPki;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AMQPS listener as {@code openssl s_client} (the system's OpenSSL, Debian's {@code openssl} package) sees
 * it: TLS 1.3 by default, a chain that verifies against the CA for the name localhost and is exactly the
 * configured server certificate, TLS 1.2 on request, and TLS 1.1 refused by the server (a protocol_version
 * alert, to a client that would have accepted TLS 1.1). The server is configured from a file of RabbitMQ's
 * keys; s_client runs with stdin from /dev/null, so it closes once the handshake is done, and is killed if it
 * overruns.
 */
@Timeout(60)
class OpensslTlsIT {
    private static final long OPENSSL_TIMEOUT_SECONDS = 20;
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN CERTIFICATE-----\\s+([A-Za-z0-9+/=\\s]+?)-----END CERTIFICATE-----");

    @TempDir
    static Path dir;

    private static TestPki pki;
    private static TestPki.Issued serverCert;
    private static WarrenServer server;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create(dir, "openssl-tls");
        serverCert = pki.server("server");
        server = TlsServers.start(dir.resolve("warren.conf"), dir.resolve("data"), pki, serverCert, "management.tcp.port = 0");
        assertTrue(server.amqpsPort() > 0, "no AMQPS listener");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void sClientNegotiatesTls13AndVerifiesTheServerCertificateForLocalhost() throws Exception {
        Result result = sClient("-CAfile", pki.caFile().toString(), "-servername", "localhost",
                "-verify_hostname", "localhost", "-verify_return_error", "-showcerts");
        String out = result.output;
        assertEquals(0, result.exitCode, out);
        assertTrue(out.contains("New, TLSv1.3, Cipher is TLS_"), out);
        assertTrue(out.contains("Verify return code: 0 (ok)"), out);
        assertTrue(out.contains("Verification: OK"), out);
        assertTrue(out.contains("Verified peername: localhost"), out);
        assertTrue(out.contains(" 0 s:O = Warren Test, CN = localhost"), out);
        assertTrue(out.contains("   i:O = Warren Test, CN = openssl-tls CA"), out);
    }

    @Test
    void theChainShownIsTheConfiguredServerCertificate() throws Exception {
        Result result = sClient("-CAfile", pki.caFile().toString(), "-servername", "localhost", "-showcerts");
        assertEquals(0, result.exitCode, result.output);
        int chainStart = result.output.indexOf("Certificate chain");
        int chainEnd = result.output.indexOf("\n---\n", chainStart);
        assertTrue(chainStart >= 0 && chainEnd > chainStart, "no certificate chain shown:\n" + result.output);
        List<byte[]> chain = new ArrayList<>();
        Matcher pem = PEM.matcher(result.output.substring(chainStart, chainEnd));
        while (pem.find()) {
            chain.add(Base64.getMimeDecoder().decode(pem.group(1)));
        }
        assertEquals(1, chain.size(), "the server sends its certificate (the CA is the client's):\n" + result.output);
        assertArrayEquals(serverCert.certificate().getEncoded(), chain.get(0),
                "the certificate shown is not ssl_options.certfile:\n" + result.output);
    }

    @Test
    void briefOutputWithTls12OnRequest() throws Exception {
        Result result = sClient("-brief", "-tls1_2", "-CAfile", pki.caFile().toString(), "-servername", "localhost");
        assertEquals(0, result.exitCode, result.output);
        assertTrue(result.output.contains("Protocol version: TLSv1.2"), result.output);
        assertTrue(result.output.contains("Verification: OK"), result.output);
        assertTrue(result.output.contains("Peer certificate: O = Warren Test, CN = localhost"), result.output);
    }

    @Test
    void tls11IsRefusedByTheServer() throws Exception {
        // SECLEVEL=0 lets this OpenSSL 3 client offer TLS 1.1 ciphers, so the refusal is the server's alert
        Result result = sClient("-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0", "-CAfile", pki.caFile().toString(),
                "-servername", "localhost");
        String out = result.output;
        assertNotEquals(0, result.exitCode, out);
        assertTrue(out.contains("alert protocol version") && out.contains("SSL alert number 70"),
                "no protocol_version alert from the server:\n" + out);
        assertTrue(out.contains("New, (NONE), Cipher is (NONE)"), out);
        assertFalse(out.contains("BEGIN CERTIFICATE"), out);
        Matcher written = Pattern.compile("SSL handshake has read \\d+ bytes and written (\\d+) bytes").matcher(out);
        assertTrue(written.find() && Integer.parseInt(written.group(1)) > 0, "the client sent no ClientHello:\n" + out);
        // and the listener still serves others
        Result after = sClient("-brief", "-CAfile", pki.caFile().toString(), "-servername", "localhost");
        assertTrue(after.exitCode == 0 && after.output.contains("Protocol version: TLSv1.3"), after.output);
    }

    private record Result(int exitCode, String output) {
    }

    /** openssl s_client to the AMQPS port with {@code args}, stdin from /dev/null; killed if it overruns. */
    private static Result sClient(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect",
                "127.0.0.1:" + server.amqpsPort()));
        command.addAll(List.of(args));
        Path output = Files.createTempFile(dir, "s_client", ".log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(output.toFile());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            fail("cannot run openssl (Debian: apt-get install openssl): " + e.getMessage());
            return null;
        }
        if (!process.waitFor(OPENSSL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail(String.join(" ", command) + " did not finish within " + OPENSSL_TIMEOUT_SECONDS + " s; output:\n"
                    + Files.readString(output, StandardCharsets.UTF_8));
        }
        String text = Files.readString(output, StandardCharsets.UTF_8);
        return new Result(process.exitValue(), "$ " + String.join(" ", command) + "\n" + text);
    }
}
