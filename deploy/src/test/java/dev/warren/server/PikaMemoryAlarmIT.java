package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The memory alarm seen from pika: src/test/python/memory_alarm.py publishes while this test lowers and
 * raises the watermark with warrenctl set_vm_memory_high_watermark. pika's blocked callback hears "low on
 * memory", a consumer still gets what was queued, the unblocked callback follows the watermark going back
 * up, and a connection left blocked longer than its blocked_connection_timeout is closed by pika with
 * ConnectionBlockedTimeout. Runs with /usr/bin/python3 (pika from Debian's python3-pika).
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PikaMemoryAlarmIT {
    private static final String SCRIPT = "memory_alarm.py";

    @TempDir
    Path dataDir;
    private WarrenServer server;
    private LocalWarrenctl warrenctl;

    @BeforeEach
    void start() throws Exception {
        server = WarrenServer.start(ServerConfig.defaults().withAmqpPort(0).withMgmtPort(LocalWarrenctl.freePort())
                .withDataDir(dataDir));
        warrenctl = new LocalWarrenctl(dataDir);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void pikaIsBlockedWithLowOnMemoryUnblockedWhenTheWatermarkRisesAndTimesOutIfLeftBlocked() throws Exception {
        PikaScriptIT.requirePika();
        Script script = Script.start(server.amqpPort());
        try {
            script.awaitLine("connected");
            warrenctl.run("set_vm_memory_high_watermark", "absolute", "1");
            script.answer();
            assertEquals("blocked: low on memory", script.nextLine(), script::output);
            warrenctl.run("set_vm_memory_high_watermark", "0.6");
            script.answer();
            script.awaitLine("unblocked");
            script.awaitLine("delivered");

            script.awaitLine("connected");
            warrenctl.run("set_vm_memory_high_watermark", "absolute", "1");
            script.answer();
            script.awaitLine("timed out");
            warrenctl.run("set_vm_memory_high_watermark", "0.6");
            assertEquals(0, script.awaitExit(), script::output);
        } finally {
            script.kill();
        }
    }

    /** memory_alarm.py running in the background: its output read line by line, its stdin the test's answers. */
    private static final class Script {
        private final Process process;
        private final BufferedReader lines;
        private final Writer answers;
        private final List<String> seen = new ArrayList<>();

        private Script(Process process) {
            this.process = process;
            this.lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.answers = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        }

        static Script start(int port) throws IOException {
            Path scripts = Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "src", "test", "python");
            ProcessBuilder builder = new ProcessBuilder("/usr/bin/python3", scripts.resolve(SCRIPT).toString(),
                    Integer.toString(port)).directory(scripts.toFile()).redirectErrorStream(true);
            builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
            builder.environment().put("PYTHONUNBUFFERED", "1");
            return new Script(builder.start());
        }

        /** The next line of output; the script's own 45 s deadline and the test's timeout bound the wait. */
        String nextLine() throws IOException {
            String line = lines.readLine();
            if (line == null) {
                throw new AssertionError("the script ended early:\n" + output());
            }
            seen.add(line);
            return line;
        }

        /** Reads output until a line equals {@code expected}. */
        void awaitLine(String expected) throws IOException {
            while (!nextLine().equals(expected)) {
                // lines before it (none expected) stay in the output for the report
            }
        }

        /** Tells the script the watermark has been changed. */
        void answer() throws IOException {
            answers.write("done\n");
            answers.flush();
        }

        int awaitExit() throws IOException, InterruptedException {
            for (String line; (line = lines.readLine()) != null; ) {
                seen.add(line);
            }
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("the script did not end:\n" + output());
            }
            return process.exitValue();
        }

        String output() {
            return String.join("\n", seen);
        }

        void kill() {
            process.destroyForcibly();
        }
    }
}
