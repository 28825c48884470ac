package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.core.testing.TestPki;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TLS setting that cannot work stops the server before it listens or touches its data directory: WarrenServer's
 * main in its own JVM (the test class path, as bin/warren-server runs it from target/), given a config file with
 * RabbitMQ's keys, exits with 64 and a message naming the key and the file to fix.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TlsBadConfigProcessTest {
    private static final long EXIT_TIMEOUT_SECONDS = 30;

    @TempDir
    Path dir;
    private TestPki pki;
    private TestPki.Issued server;

    private record Exit(int status, String output) {
    }

    @BeforeEach
    void certificates() throws Exception {
        pki = TestPki.create(dir, "warren-test");
        server = pki.server("server");
    }

    /** Runs the server's main with a config file of these lines (after a base that listens nowhere for long). */
    private Exit startWith(String... tlsLines) throws Exception {
        List<String> lines = new ArrayList<>(List.of(
                "listeners.tcp.default = 127.0.0.1:0",
                "management.tcp.port = 0",
                "warren.data_dir = " + dir.resolve("data"),
                "log.dir = " + dir.resolve("log"),
                "log.file = false",
                "listeners.ssl.default = 127.0.0.1:0"));
        lines.addAll(List.of(tlsLines));
        Path config = Files.writeString(dir.resolve("warren.conf"), String.join("\n", lines) + "\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path output = dir.resolve("server.out");
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", serverClassPath(), WarrenServer.class.getName(), "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(output.toFile()).redirectInput(new File("/dev/null"));
        builder.environment().keySet().removeIf(name -> name.startsWith("WARREN_")); // only the file counts
        Process process = builder.start();
        try {
            boolean exited = process.waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            String text = Files.readString(output, StandardCharsets.UTF_8);
            assertTrue(exited, "the server should have stopped at once, but still ran after " + EXIT_TIMEOUT_SECONDS
                    + " s: " + text);
            return new Exit(process.exitValue(), text);
        } finally {
            process.destroyForcibly().waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    /**
     * The test class path without Bouncy Castle, which only the tests use: the distribution does not ship it, and
     * with it on the class path Netty reads PEM keys through it instead of the JDK.
     */
    private static String serverClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("bouncycastle"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private void assertStoppedWith64Saying(Exit exit, String message) {
        assertEquals(WarrenServer.EXIT_CONFIG, exit.status(), exit.output());
        assertTrue(exit.output().contains("warren-server: " + message), exit.output());
        assertFalse(exit.output().contains("Warren is running"), exit.output());
        assertFalse(exit.output().contains("\tat "), "no stack trace: " + exit.output());
        assertFalse(Files.exists(dir.resolve("data")), "the data directory is not touched");
    }

    @Test
    void aCertfileThatDoesNotExistStopsStartupWith64NamingTheKeyAndFile() throws Exception {
        Path missing = dir.resolve("no-such-cert.pem");
        Exit exit = startWith(
                "ssl_options.certfile = " + missing,
                "ssl_options.keyfile = " + server.keyFile());
        assertStoppedWith64Saying(exit, "ssl_options.certfile: cannot read " + missing + " (no such file)");
    }

    @Test
    void aListenerWithoutACertfileStopsStartupWith64NamingTheKey() throws Exception {
        Exit exit = startWith("ssl_options.keyfile = " + server.keyFile());
        assertStoppedWith64Saying(exit, "listeners.ssl.default is set, so ssl_options.certfile must name a PEM file");
    }

    @Test
    void aKeyOfAnotherCertificateStopsStartupWith64NamingBothFiles() throws Exception {
        TestPki.Issued other = pki.server("other");
        Exit exit = startWith(
                "ssl_options.certfile = " + server.certFile(),
                "ssl_options.keyfile = " + other.keyFile());
        assertStoppedWith64Saying(exit, "ssl_options.keyfile: the key in " + other.keyFile()
                + " does not belong to the certificate in " + server.certFile());
    }

    @Test
    void anUnknownTlsVersionStopsStartupWith64NamingTheKeyAndWhatIsAllowed() throws Exception {
        Exit exit = startWith(
                "ssl_options.certfile = " + server.certFile(),
                "ssl_options.keyfile = " + server.keyFile(),
                "ssl_options.versions.1 = tlsv9");
        assertStoppedWith64Saying(exit, "ssl_options.versions.1: invalid value 'tlsv9', expected tlsv1.2 or tlsv1.3");
    }

    @Test
    void aBadManagementCertificateStopsStartupToo() throws Exception {
        Path missing = dir.resolve("no-such-mgmt-key.pem");
        Exit exit = startWith(
                "ssl_options.certfile = " + server.certFile(),
                "ssl_options.keyfile = " + server.keyFile(),
                "management.ssl.port = 0",
                "management.ssl.certfile = " + server.certFile(),
                "management.ssl.keyfile = " + missing);
        assertStoppedWith64Saying(exit, "management.ssl.keyfile: cannot read " + missing + " (no such file)");
    }
}
