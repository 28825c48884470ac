package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bin/warren-server launcher (of the unpacked tarball, or of the source checkout) run as a child process,
 * without the WARREN_* variables of the test's environment, for the *ProcessIT tests. Its console output
 * goes to a file named after the run.
 */
final class LaunchedBroker {
    static final long START_TIMEOUT_SECONDS = 60;
    static final long EXIT_TIMEOUT_SECONDS = 30;
    private static final Pattern BANNER = Pattern.compile("Warren is running: AMQP 0-9-1 on port (\\d+) ");

    /** What a launcher that exits on its own (a refused start) printed, without the header line. */
    record Result(int exitStatus, String output) {
    }

    /** Every process started, so a test that failed half-way can kill what it left running. */
    static final List<Process> RUNNING = new CopyOnWriteArrayList<>();

    final Process process;
    final int port;
    final Path out;

    private LaunchedBroker(Process process, int port, Path out) {
        this.process = process;
        this.port = port;
        this.out = out;
    }

    /** Starts {@code home}/bin/warren-server and waits for its banner. */
    static LaunchedBroker start(Path home, Path dir, String label, List<String> args, Map<String, String> env)
            throws Exception {
        Path out = dir.resolve(label.replace(' ', '-') + ".out");
        Process process = start(command(home, args), env, out);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
        while (System.nanoTime() < deadline) {
            Matcher banner = BANNER.matcher(Files.readString(out, StandardCharsets.UTF_8));
            if (banner.find()) {
                return new LaunchedBroker(process, Integer.parseInt(banner.group(1)), out);
            }
            if (process.waitFor(50, TimeUnit.MILLISECONDS)) {
                fail(label + ": the broker exited with status " + process.exitValue() + " before its banner; "
                        + "see " + out);
            }
        }
        process.destroyForcibly().waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        throw new AssertionError(label + ": no banner within " + START_TIMEOUT_SECONDS + " s; see " + out);
    }

    /** Runs the launcher until it exits on its own (a refused start). */
    static Result runToEnd(Path home, Path dir, String label, List<String> args, Map<String, String> env)
            throws Exception {
        return runCommand(command(home, args), env, dir.resolve(label.replace(' ', '-') + ".out"));
    }

    static Result runCommand(List<String> command, Map<String, String> env, Path out) throws Exception {
        Process process = start(command, env, out);
        if (!process.waitFor(START_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            fail(String.join(" ", command) + " did not exit within " + START_TIMEOUT_SECONDS + " s; see " + out);
        }
        String output = Files.readString(out, StandardCharsets.UTF_8);
        return new Result(process.exitValue(), output.substring(output.indexOf('\n') + 1));
    }

    private static List<String> command(Path home, List<String> args) {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/warren-server").toString()));
        command.addAll(args);
        return command;
    }

    /**
     * Starts the command with its output going straight to {@code out}, after a header line. Not a pipe:
     * when a process exits, the JDK closes its pipe under a thread still reading it, and the last lines
     * (the ones that matter for a refused start) can be lost.
     */
    private static Process start(List<String> command, Map<String, String> env, Path out) throws IOException {
        Files.writeString(out, "==== " + String.join(" ", command) + " " + env + "\n", StandardCharsets.UTF_8);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
        builder.environment().keySet().removeIf(name -> name.startsWith("WARREN_"));
        builder.environment().putAll(env);
        Process process = builder.start();
        RUNNING.add(process);
        return process;
    }

    /** SIGTERM, then checks the clean exit. */
    void stop() throws InterruptedException {
        process.destroy();
        boolean exited = process.waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly().waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        assertTrue(exited, "the broker did not stop after SIGTERM; see " + out);
        assertEquals(0, process.exitValue(), "exit status after SIGTERM; see " + out);
    }
}
