package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's start command: deploy/bin/warren-server in the source checkout runs the broker the package
 * phase built, with the checkout's etc/warren.conf as its config file, and stops cleanly on SIGTERM.
 * (Building when target/ is missing is checked by running the README's command on a fresh clone.)
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SourceCheckoutLauncherProcessIT {
    private final Path moduleDir = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));

    @TempDir
    Path dir;

    @AfterEach
    void killLeftovers() throws InterruptedException {
        for (Process process : LaunchedBroker.RUNNING) {
            process.destroyForcibly().waitFor(LaunchedBroker.EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        LaunchedBroker.RUNNING.clear();
    }

    @Test
    void theCheckoutsLauncherRunsTheBuiltBrokerWithTheDocumentedConfigAndStopsOnSigterm() throws Exception {
        if ("surefire".equals(System.getProperty("warren.test.runner"))) {
            fail("this test runs the jar the package phase builds, so failsafe runs it: "
                    + "mvn verify -pl deploy -am -Dit.test=SourceCheckoutLauncherProcessIT -Dtest=NONE "
                    + "-Dsurefire.failIfNoSpecifiedTests=false");
        }
        LaunchedBroker broker = LaunchedBroker.start(moduleDir, dir, "checkout",
                List.of("--amqp-port", "0", "--mgmt-port", "0", "--data-dir", dir.resolve("data").toString()),
                Map.of("WARREN_LOG_DIR", dir.resolve("log").toString()));
        String output = Files.readString(broker.out, StandardCharsets.UTF_8);
        Path shippedConfig = moduleDir.resolve("etc").resolve("warren.conf").toRealPath();
        assertTrue(output.contains("Config file " + shippedConfig + ";"), output);

        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(broker.port);
        factory.setConnectionTimeout(10_000);
        factory.setHandshakeTimeout(10_000);
        factory.setAutomaticRecoveryEnabled(false);
        try (Connection connection = factory.newConnection("checkout launcher")) {
            assertTrue(connection.isOpen());
        }
        broker.stop();
    }
}
