package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import com.rabbitmq.client.ShutdownSignalException;
import com.rabbitmq.client.impl.AMQConnection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The distribution as an operator uses it: unpacks target/warren-VERSION.tar.gz (built in the package phase)
 * and runs its bin/warren-server with a config file as a child process, as systemd would, then talks to
 * it with the RabbitMQ Java client. Runs in the integration-test phase (failsafe). Each run's console
 * output goes to target/distribution-process-it/TEST/RUN.out, the broker's log file to TEST/log/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DistributionProcessIT {
    /** The issue: on SIGTERM the broker exits within 10 seconds. */
    private static final long SIGTERM_EXIT_SECONDS = 10;
    private static final long EXIT_TIMEOUT_SECONDS = LaunchedBroker.EXIT_TIMEOUT_SECONDS;
    private static final int CLIENT_TIMEOUT_MS = 10_000;
    private static final int IN_FLIGHT = 500;

    private final Path moduleDir = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    private final Path workDir = Path.of(System.getProperty("warren.test.output", moduleDir.resolve("target").toString()))
            .resolve("distribution-process-it");
    private Path home;

    @BeforeAll
    void unpackTheTarball() throws Exception {
        if ("surefire".equals(System.getProperty("warren.test.runner"))) {
            fail("this test unpacks the tarball the package phase builds, so failsafe runs it; run it with: "
                    + "mvn verify -pl deploy -am -Dit.test=DistributionProcessIT -Dtest=NONE "
                    + "-Dsurefire.failIfNoSpecifiedTests=false");
        }
        Path tarball = Path.of(System.getProperty("warren.dist", "target/warren.tar.gz"));
        assertTrue(Files.isRegularFile(tarball), tarball + " is missing; it is built in the package phase");
        TestFiles.deleteRecursively(workDir);
        Files.createDirectories(workDir);
        Process tar = new ProcessBuilder("tar", "-xzf", tarball.toString(), "-C", workDir.toString())
                .redirectErrorStream(true).start();
        String output = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(tar.waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS), "tar did not finish");
        assertEquals(0, tar.exitValue(), "tar -xzf " + tarball + ": " + output);
        try (Stream<Path> entries = Files.list(workDir)) {
            List<Path> top = entries.toList();
            assertEquals(1, top.size(), "the tarball should hold one directory, warren-VERSION: " + top);
            home = top.get(0);
        }
        assertTrue(home.getFileName().toString().startsWith("warren-"), home.toString());
    }

    // -------------------------------------------------------------------------------------------- tests

    @Test
    void theTarballHoldsTheLaunchersTheDocumentedConfigTheLibrariesAndTheirLicenses() throws Exception {
        for (String script : List.of("bin/warren-server", "bin/warrenctl")) {
            assertTrue(Files.isExecutable(home.resolve(script)), script + " should be executable");
        }
        assertTrue(Files.isRegularFile(home.resolve("bin/warren-env")), "bin/warren-env, sourced by both");
        assertEquals(Files.readString(moduleDir.resolve("etc/warren.conf")),
                Files.readString(home.resolve("etc/warren.conf")),
                "etc/warren.conf should be deploy/etc/warren.conf, which ConfigDocumentationTest checks");
        assertTrue(Files.isRegularFile(home.resolve("systemd/warren.service")));
        assertTrue(Files.isRegularFile(home.resolve("lib/warren-server.jar")));

        String notice = Files.readString(home.resolve("NOTICE"));
        String license = Files.readString(home.resolve("LICENSE"));
        List<String> unlisted = new ArrayList<>();
        try (Stream<Path> jars = Files.list(home.resolve("lib"))) {
            for (Path jar : jars.toList()) {
                String artifact = jar.getFileName().toString().replaceFirst("-\\d.*\\.jar$", "");
                boolean warrensOwn = artifact.equals("warren-server.jar") || artifact.startsWith("broker-");
                if (!warrensOwn && !notice.contains(artifact)) {
                    unlisted.add(jar.getFileName().toString());
                }
            }
        }
        assertTrue(unlisted.isEmpty(), "every third-party jar in lib/ must be listed in NOTICE with its license; "
                + "missing: " + unlisted);
        for (String text : List.of("Apache-2.0.txt", "MIT-SLF4J.txt", "EPL-1.0.txt", "MIT-BouncyCastle.txt")) {
            assertTrue(Files.size(home.resolve("licenses").resolve(text)) > 500, "licenses/" + text);
            assertTrue(license.contains(text) && notice.contains(text), text + " referenced from LICENSE and NOTICE");
        }
    }

    /**
     * Also publishes a batch without waiting for its confirms, and stops the broker once it holds the
     * batch: the broker lets those confirms out before the 320 (the store's writes in hand complete first).
     */
    @Test
    void sigtermClosesClientsWith320ExitsZeroWithinTenSecondsAndAPersistentMessageSurvivesTheRestart()
            throws Exception {
        Path dir = testDir("sigterm");
        Path config = writeConfig(dir);
        byte[] body = "published before SIGTERM".getBytes(StandardCharsets.UTF_8);
        String queue = "distribution.durable";

        LaunchedBroker broker = LaunchedBroker.start(home, dir, "first run", List.of("--config", config.toString()), Map.of());
        int clientClosedPort;
        CompletableFuture<ShutdownSignalException> closedByBroker = new CompletableFuture<>();
        try (Connection shortLived = factory(broker.port).newConnection("short-lived")) {
            // the broker logs the client's address and port; without recovery the client is an AMQConnection
            clientClosedPort = ((AMQConnection) shortLived).getLocalPort();
        }
        Connection connection = factory(broker.port).newConnection("open at SIGTERM");
        connection.addShutdownListener(closedByBroker::complete);
        Channel channel = connection.createChannel();
        channel.queueDeclare(queue, true, false, false, null);
        channel.confirmSelect();
        channel.basicPublish("", queue, MessageProperties.PERSISTENT_TEXT_PLAIN, body);
        channel.waitForConfirmsOrDie(CLIENT_TIMEOUT_MS);

        long firstInFlight = channel.getNextPublishSeqNo();
        AtomicLong confirmedThrough = new AtomicLong();
        channel.addConfirmListener((tag, multiple) -> confirmedThrough.accumulateAndGet(tag, Math::max),
                (tag, multiple) -> fail("nack for publish " + tag));
        for (int i = 0; i < IN_FLIGHT; i++) {
            channel.basicPublish("", queue, MessageProperties.PERSISTENT_TEXT_PLAIN, ("in flight " + i).getBytes(
                    StandardCharsets.UTF_8));
        }
        awaitReady(connection, queue, 1 + IN_FLIGHT); // the broker holds them all; their confirms may be pending

        long sent = System.nanoTime();
        broker.process.destroy(); // SIGTERM
        boolean exited = broker.process.waitFor(SIGTERM_EXIT_SECONDS, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - sent) / 1e9;
        if (!exited) {
            broker.process.destroyForcibly().waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        assertTrue(exited, "the broker was still running " + SIGTERM_EXIT_SECONDS + " s after SIGTERM; see " + broker.out);
        assertEquals(0, broker.process.exitValue(), "exit status after SIGTERM (" + seconds + " s); see " + broker.out);

        ShutdownSignalException signal = closedByBroker.get(CLIENT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        assertFalse(signal.isInitiatedByApplication(), "the broker, not the client, closed the connection");
        AMQP.Connection.Close close = (AMQP.Connection.Close) signal.getReason();
        assertEquals(320, close.getReplyCode(), close.getReplyText());
        assertEquals("CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'",
                close.getReplyText());
        assertEquals(firstInFlight + IN_FLIGHT - 1, confirmedThrough.get(),
                "every publish the broker held at SIGTERM should be confirmed before the 320");

        String log = Files.readString(dir.resolve("log").resolve("warren.log"));
        assertTrue(log.contains("Connection from 127.0.0.1:" + clientClosedPort + " opened (user 'guest', vhost '/')"),
                "no open line for the short-lived connection in the log file:\n" + log);
        assertTrue(log.contains("Connection from 127.0.0.1:" + clientClosedPort + " closed by client (user 'guest')"),
                "no close line for the short-lived connection in the log file:\n" + log);
        assertTrue(log.contains("Warren stopped"), log);

        LaunchedBroker restarted = LaunchedBroker.start(home, dir, "restart", List.of("--config", config.toString()), Map.of());
        try (Connection after = factory(restarted.port).newConnection("after restart")) {
            assertEquals(1 + IN_FLIGHT, after.createChannel().queueDeclarePassive(queue).getMessageCount());
            GetResponse got = getWithin(after.createChannel(), queue);
            assertArrayEquals(body, got.getBody());
            assertEquals(2, got.getProps().getDeliveryMode(), "still persistent");
        } finally {
            restarted.stop();
        }
    }

    @Test
    void aSecondBrokerOnADataDirectoryInUseStopsWithAMessageNamingTheLock() throws Exception {
        Path dir = testDir("lock");
        Path config = writeConfig(dir);
        LaunchedBroker first = LaunchedBroker.start(home, dir, "first", List.of("--config", config.toString()), Map.of());
        try {
            LaunchedBroker.Result second = LaunchedBroker.runToEnd(home, dir, "second", List.of("--config", config.toString()),
                    Map.of());
            assertEquals(1, second.exitStatus(), second.output());
            assertTrue(second.output().contains("is in use by another Warren")
                    && second.output().contains(DataDirLock.FILE_NAME), second.output());
            try (Connection stillServing = factory(first.port).newConnection()) {
                assertTrue(stillServing.isOpen());
            }
        } finally {
            first.stop();
        }
    }

    @Test
    void theLauncherStopsOnAnUnknownKeyOrABadValueNamingTheKeyTheLineAndWhatIsAllowed() throws Exception {
        Path dir = testDir("bad-config");
        Path unknown = Files.writeString(dir.resolve("unknown.conf"), "heartbeat = 30\nlisteners.tcp.fast = 5673\n");
        LaunchedBroker.Result result = LaunchedBroker.runToEnd(home, dir, "unknown key", List.of("--config", unknown.toString()),
                Map.of());
        assertEquals(WarrenServer.EXIT_CONFIG, result.exitStatus(), result.output());
        assertTrue(result.output().contains("line 2: unknown key 'listeners.tcp.fast'; known keys: listeners.tcp.default"),
                result.output());

        Path bad = Files.writeString(dir.resolve("bad.conf"), "# tuning\nvm_memory_high_watermark.relative = 60%\n");
        result = LaunchedBroker.runToEnd(home, dir, "bad value", List.of(), Map.of("WARREN_CONFIG_FILE", bad.toString()));
        assertEquals(WarrenServer.EXIT_CONFIG, result.exitStatus(), result.output());
        assertTrue(result.output().contains("line 2: vm_memory_high_watermark.relative: invalid value '60%', expected "
                + "a fraction of the memory greater than 0 and at most 1"), result.output());
    }

    @Test
    void theLauncherSizesTheHeapFromTheConfigAndPutsWarrenJavaOptsLast() throws Exception {
        Path dir = testDir("jvm-options");
        Path config = writeConfig(dir);
        LaunchedBroker broker = LaunchedBroker.start(home, dir, "jvm options", List.of("--config", config.toString()),
                Map.of("WARREN_JAVA_OPTS", "-Dwarren.test.marker=1 -Xss1m"));
        try {
            List<String> args = List.of(ProcessHandle.of(broker.process.pid()).orElseThrow().info().arguments()
                    .orElseThrow(() -> new AssertionError("cannot read the broker's command line")));
            int heap = args.indexOf("-Xmx320m");
            assertTrue(heap >= 0, "vm_memory_high_watermark.absolute = 256MiB should give -Xmx320m (a quarter above "
                    + "the memory alarm's threshold): " + args);
            assertTrue(args.contains("-Xmn32m") && args.contains("-XX:+ExitOnOutOfMemoryError"), args.toString());
            assertTrue(args.stream().noneMatch(a -> a.startsWith("-Xlog:gc")), "GC logging is off by default: " + args);
            assertTrue(args.indexOf("-Dwarren.test.marker=1") > heap && args.indexOf("-Xss1m") > heap,
                    "WARREN_JAVA_OPTS comes after the launcher's options, so it overrides them: " + args);
        } finally {
            broker.stop();
        }
    }

    @Test
    void theSystemdUnitPassesSystemdAnalyzeVerify() throws Exception {
        Path unit = home.resolve("systemd/warren.service");
        String text = Files.readString(unit);
        assertTrue(text.contains("ExecStart=/opt/warren/bin/warren-server"), text);
        // The unit expects the distribution at /opt/warren. verify checks that ExecStart exists and is
        // executable, so it checks a copy that points at the unpacked distribution; nothing else changes.
        Path dir = testDir("systemd").resolve("unit");
        Files.createDirectories(dir);
        Path copy = Files.writeString(dir.resolve("warren.service"),
                text.replace("/opt/warren/", home.toAbsolutePath() + "/"));

        LaunchedBroker.Result verify = LaunchedBroker.runCommand(List.of(systemdAnalyze(), "verify", copy.toString()), Map.of(),
                dir.resolve("systemd-analyze.out"));
        assertEquals(0, verify.exitStatus(), verify.output());
        assertEquals("", verify.output().strip(), "systemd-analyze verify should have nothing to say");
    }

    /** A test that failed half-way leaves no broker behind. */
    @AfterEach
    void killLeftovers() throws InterruptedException {
        for (Process process : LaunchedBroker.RUNNING) {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        }
        LaunchedBroker.RUNNING.clear();
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static String systemdAnalyze() {
        for (String dir : List.of("/usr/bin", "/bin", "/usr/local/bin")) {
            if (Files.isExecutable(Path.of(dir, "systemd-analyze"))) {
                return dir + "/systemd-analyze";
            }
        }
        throw new AssertionError("systemd-analyze is missing: install Debian's systemd package "
                + "(apt-get install systemd); .ci/run does that");
    }

    private Path testDir(String name) throws IOException {
        Path dir = workDir.resolve(name);
        Files.createDirectories(dir);
        return dir;
    }

    /** 127.0.0.1 and a port picked by the OS (the banner tells it); a small heap; data and logs in {@code dir}. */
    private static Path writeConfig(Path dir) throws IOException {
        return Files.writeString(dir.resolve("warren.conf"), String.join("\n",
                "listeners.tcp.default = 127.0.0.1:0",
                "management.tcp.port = 0",
                "warren.data_dir = " + dir.resolve("data"),
                "log.dir = " + dir.resolve("log"),
                "vm_memory_high_watermark.absolute = 256MiB",
                ""));
    }

    private static ConnectionFactory factory(int port) {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(port);
        factory.setConnectionTimeout(CLIENT_TIMEOUT_MS);
        factory.setHandshakeTimeout(CLIENT_TIMEOUT_MS);
        factory.setShutdownTimeout(2_000);
        factory.setChannelRpcTimeout(CLIENT_TIMEOUT_MS);
        factory.setAutomaticRecoveryEnabled(false);
        return factory;
    }

    /** Waits until the queue holds {@code count} ready messages, asking on a channel of its own. */
    private static void awaitReady(Connection connection, String queue, int count) throws Exception {
        Channel channel = connection.createChannel();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLIENT_TIMEOUT_MS);
        int ready = channel.queueDeclarePassive(queue).getMessageCount();
        while (ready < count && System.nanoTime() < deadline) {
            ready = channel.queueDeclarePassive(queue).getMessageCount();
        }
        assertEquals(count, ready, "ready messages in " + queue);
    }

    private static GetResponse getWithin(Channel channel, String queue) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLIENT_TIMEOUT_MS);
        GetResponse response = channel.basicGet(queue, true);
        while (response == null && System.nanoTime() < deadline) {
            response = channel.basicGet(queue, true);
        }
        assertNotNull(response, "no message in " + queue + " after the restart");
        return response;
    }
}
