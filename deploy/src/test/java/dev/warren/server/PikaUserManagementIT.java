package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.mgmt.cli.Warrenctl;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seeds' user-management flow end to end: warrenctl (reaching the local node through the secret file
 * in the data directory, no password) adds alex, makes him an administrator and gives him every
 * permission in "/"; pika then logs in as alex/123 and publishes and consumes; a wrong password is refused
 * with 403; and `warrenctl delete_user alex` closes alex's open pika connection with 320.
 * Runs src/test/python/user_management.py with /usr/bin/python3 (pika from Debian's python3-pika).
 */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PikaUserManagementIT {
    private static final String SCRIPT = "user_management.py";

    @TempDir
    Path dataDir;
    private WarrenServer server;

    @BeforeEach
    void start() throws Exception {
        server = WarrenServer.start(ServerConfig.defaults().withAmqpPort(0).withMgmtPort(freePort()).withDataDir(dataDir));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** A port nothing listens on right now, for the management listener (0 would turn it off). */
    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Runs warrenctl in-process against this broker's data directory; returns its standard output. */
    private String warrenctl(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Warrenctl.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of("WARREN_DATA_DIR", dataDir.toString()));
        String output = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, () -> "warrenctl " + String.join(" ", args) + " failed:\n" + output
                + err.toString(StandardCharsets.UTF_8));
        return output;
    }

    @Test
    void anAdministratorAddedWithWarrenctlPublishesAndConsumesWithPikaUntilDeleted() throws Exception {
        warrenctl("add_user", "alex", "123");
        warrenctl("set_user_tags", "alex", "administrator");
        warrenctl("set_permissions", "-p", "/", "alex", ".*", ".*", ".*");
        assertTrue(warrenctl("list_users").contains("alex\t[administrator]"));

        PikaScriptIT.runScript(server.amqpPort(), SCRIPT, "publish_consume");
        PikaScriptIT.runScript(server.amqpPort(), SCRIPT, "wrong_password");

        try (BackgroundScript held = BackgroundScript.start(SCRIPT, Integer.toString(server.amqpPort()), "held_open")) {
            held.awaitLine("connected");
            warrenctl("delete_user", "alex");
            assertEquals(0, held.awaitExit(), () -> "the pika connection was not closed with 320:\n" + held.output());
            assertTrue(held.output().contains("closed by the broker: 320"), held.output());
        }
        assertTrue(!warrenctl("list_users").contains("alex"), "alex is gone");
    }
}
