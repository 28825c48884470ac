package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged broker (target/warren-server.jar with target/lib) as a child process for the process tests,
 * its console output appended to a log file; started on ephemeral ports, killed with SIGKILL.
 */
final class BrokerProcess {
    private static final Pattern BANNER = Pattern.compile("Warren is running: AMQP 0-9-1 on port (\\d+) ");
    private static final Pattern MANAGEMENT = Pattern.compile("management on http://localhost:(\\d+)/");
    private static final long START_TIMEOUT_SECONDS = 60;
    private static final long EXIT_TIMEOUT_SECONDS = 15;
    private static final int SIGKILL_EXIT_CODE = 128 + 9;

    final Process process;
    final long startMillis;
    /** The last banner's line: a node that joins a cluster (join_cluster) restarts in its process and prints another. */
    private final AtomicReference<String> banner;
    /** The management HTTP port, or -1 without one. */
    private final int managementPort;

    private BrokerProcess(Process process, AtomicReference<String> banner, int managementPort, long startMillis) {
        this.process = process;
        this.banner = banner;
        this.managementPort = managementPort;
        this.startMillis = startMillis;
    }

    static BrokerProcess start(Path dataDir, Path log, String label) throws Exception {
        return start(dataDir, log, label, List.of());
    }

    /** As {@link #start(Path, Path, String)}, with more command-line flags (e.g. {@code --config FILE}). */
    static BrokerProcess start(Path dataDir, Path log, String label, List<String> moreFlags) throws Exception {
        Path jar = Path.of(System.getProperty("warren.server.jar",
                Path.of("target", "warren-server.jar").toAbsolutePath().toString()));
        Path lib = Path.of(System.getProperty("warren.server.lib",
                Path.of("target", "lib").toAbsolutePath().toString()));
        assertTrue(Files.isRegularFile(jar) && Files.isDirectory(lib), "the packaged server " + jar + " with "
                + lib + " is missing; this test runs in the integration-test phase (mvn verify), after package");
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", jar + ":" + lib + "/*", "dev.warren.server.WarrenServer",
                "--amqp-port", "0", "--mgmt-port", "0", "--data-dir", dataDir.toString()));
        command.addAll(moreFlags);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("WARREN_")); // only the flags count
        builder.environment().put("WARREN_LOG_FILE", "false"); // the console output above is the log
        appendLine(log, "==== " + label + ": " + String.join(" ", command));
        long startNanos = System.nanoTime();
        Process process = builder.start();
        CompletableFuture<String> port = new CompletableFuture<>();
        AtomicReference<String> banners = new AtomicReference<>();
        Thread pump = new Thread(() -> pump(process, log, port, banners), "broker-output-" + process.pid());
        pump.setDaemon(true);
        pump.start();
        try {
            String banner = port.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            Matcher amqp = BANNER.matcher(banner);
            Matcher management = MANAGEMENT.matcher(banner);
            assertTrue(amqp.find(), banner);
            return new BrokerProcess(process, banners,
                    management.find() ? Integer.parseInt(management.group(1)) : -1,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
        } catch (TimeoutException e) {
            process.destroyForcibly().waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            throw new AssertionError(label + ": the broker printed no banner within " + START_TIMEOUT_SECONDS
                    + " s; see " + log, e);
        } catch (ExecutionException e) {
            process.waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            throw new AssertionError(label + ": the broker stopped before printing its banner"
                    + (process.isAlive() ? "" : ", exit status " + process.exitValue()) + "; see " + log, e);
        }
    }

    /** Copies the broker's output to the log until it ends, so its pipe never fills up. */
    private static void pump(Process process, Path log, CompletableFuture<String> port, AtomicReference<String> banners) {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                     StandardOpenOption.APPEND)) {
            for (String line; (line = in.readLine()) != null; ) {
                out.write(line);
                out.write('\n');
                out.flush();
                Matcher m = BANNER.matcher(line);
                if (m.find()) {
                    banners.set(line);
                    port.complete(line);
                }
            }
        } catch (IOException e) {
            port.completeExceptionally(e);
        } finally {
            port.completeExceptionally(new IOException("the broker's output ended without the banner"));
        }
    }

    /** The AMQP port of the last banner. */
    int port() {
        Matcher amqp = BANNER.matcher(banner.get());
        assertTrue(amqp.find(), banner.get());
        return Integer.parseInt(amqp.group(1));
    }

    /** The last banner the process printed (one per start: join_cluster restarts the server in its process). */
    String banner() {
        return banner.get();
    }

    int managementPort() {
        return managementPort;
    }

    /** SIGKILL, checked: the process must end with 137 (128 + SIGKILL), not exit on its own. */
    void kill() throws InterruptedException {
        assertTrue(process.isAlive(), "the broker (pid " + process.pid() + ") died before it was killed"
                + (process.isAlive() ? "" : ", exit status " + process.exitValue()));
        process.destroyForcibly();
        assertTrue(process.waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS),
                "the broker (pid " + process.pid() + ") was still running " + EXIT_TIMEOUT_SECONDS
                        + " s after SIGKILL");
        assertEquals(SIGKILL_EXIT_CODE, process.exitValue(),
                "the broker should have died of SIGKILL (exit status 137)");
    }

    void killQuietly() throws InterruptedException {
        process.destroyForcibly().waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private static synchronized void appendLine(Path file, String line) throws IOException {
        Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }
}
