package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the pika interop tests: starts an in-process Warren once per class and runs Python scripts from
 * src/test/python against it with /usr/bin/python3; a script exits 0 when the broker behaved as RabbitMQ
 * does. pika must be installed (Debian: apt-get install python3-pika; .ci/run does it): without it the
 * tests fail with that advice, they are never skipped.
 */
abstract class PikaScriptIT {
    static final String PYTHON = "/usr/bin/python3";
    // below the subclasses' @Timeout, so a hung script's output still reaches the report
    private static final long SCRIPT_TIMEOUT_SECONDS = 50;
    private static final Path SCRIPTS =
            Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "src", "test", "python");

    @TempDir
    static Path dataDir;

    private static WarrenServer server;
    private static String pikaProblem;

    @BeforeAll
    static void startServerAndCheckPika() throws Exception {
        server = WarrenServer.start(ServerConfig.defaults().withAmqpPort(0).withMgmtPort(LocalWarrenctl.freePort())
                .withDataDir(dataDir));
        Result check = run(PYTHON, "-c", "import pika");
        pikaProblem = check.exitCode == 0 ? null : check.output;
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    static void runScript(String script) throws Exception {
        if (pikaProblem != null) {
            fail(PYTHON + " cannot import pika; install it with 'apt-get install python3-pika' (or run .ci/run, "
                    + "which does). Python said:\n" + pikaProblem);
        }
        Path path = SCRIPTS.resolve(script);
        assertTrue(Files.isRegularFile(path), "missing script " + path);
        Result result = run(PYTHON, path.toString(), Integer.toString(server.amqpPort()));
        assertEquals(0, result.exitCode, script + " failed; its output:\n" + result.output);
    }

    /** Runs a script that also reads the management API: its second argument is this server's management port. */
    static void runScriptWithManagement(String script) throws Exception {
        runScript(server.amqpPort(), script, Integer.toString(server.managementPort()));
    }

    /**
     * Runs a script against the broker listening on {@code port} rather than this class's server, with
     * {@code args} after the port: for tests that start (and restart) their own servers. Callable without
     * extending this class; it checks for pika itself.
     */
    static void runScript(int port, String script, String... args) throws Exception {
        requirePika();
        Path path = SCRIPTS.resolve(script);
        assertTrue(Files.isRegularFile(path), "missing script " + path);
        String[] command = new String[3 + args.length];
        command[0] = PYTHON;
        command[1] = path.toString();
        command[2] = Integer.toString(port);
        System.arraycopy(args, 0, command, 3, args.length);
        Result result = run(command);
        assertEquals(0, result.exitCode, script + " " + String.join(" ", args) + " failed; its output:\n"
                + result.output);
    }

    /** Fails, with the advice to install it, when pika cannot be imported: for tests that run scripts their own way. */
    static void requirePika() throws IOException, InterruptedException {
        String problem = pikaProblemOnce();
        if (problem != null) {
            fail(PYTHON + " cannot import pika; install it with 'apt-get install python3-pika' (or run .ci/run, "
                    + "which does). Python said:\n" + problem);
        }
    }

    private static String pikaCheckedProblem;
    private static boolean pikaChecked;

    /** Whether pika can be imported, asked of Python once per JVM: null when it can, else what Python said. */
    private static synchronized String pikaProblemOnce() throws IOException, InterruptedException {
        if (!pikaChecked) {
            Result check = run(PYTHON, "-c", "import pika");
            pikaCheckedProblem = check.exitCode == 0 ? null : check.output;
            pikaChecked = true;
        }
        return pikaCheckedProblem;
    }

    record Result(int exitCode, String output) {
    }

    /**
     * Runs a command in src/test/python with stdout and stderr captured together and no stdin; a command that
     * overruns is killed. The scripts talk to 127.0.0.1 (WARREN_AMQP_HOST, for runs by hand, is dropped).
     */
    static Result run(String... command) throws IOException, InterruptedException {
        Path output = Files.createTempFile("pika-script", ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(SCRIPTS.toFile())
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(output.toFile());
            builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
            builder.environment().put("PYTHONUNBUFFERED", "1");
            builder.environment().remove("WARREN_AMQP_HOST");
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                return new Result(-1, "cannot run " + command[0] + ": " + e.getMessage());
            }
            if (!process.waitFor(SCRIPT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                return new Result(-1, "killed after " + SCRIPT_TIMEOUT_SECONDS + " s; output so far:\n"
                        + Files.readString(output, StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
