package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
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
        try (BackgroundScript script = BackgroundScript.start(SCRIPT, Integer.toString(server.amqpPort()))) {
            script.awaitLine("connected");
            warrenctl.run("set_vm_memory_high_watermark", "absolute", "1");
            script.answer("done");
            assertEquals("blocked: low on memory", script.nextLine(), script::output);
            warrenctl.run("set_vm_memory_high_watermark", "0.6");
            script.answer("done");
            script.awaitLine("unblocked");
            script.awaitLine("delivered");

            script.awaitLine("connected");
            warrenctl.run("set_vm_memory_high_watermark", "absolute", "1");
            script.answer("done");
            script.awaitLine("timed out");
            warrenctl.run("set_vm_memory_high_watermark", "0.6");
            assertEquals(0, script.awaitExit(), script::output);
        }
    }
}
