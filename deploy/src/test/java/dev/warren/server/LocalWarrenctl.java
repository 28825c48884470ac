package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.warren.mgmt.cli.Warrenctl;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** warrenctl run in-process against the broker on a data directory, as an operator on that host runs it. */
final class LocalWarrenctl {
    private final Path dataDir;

    LocalWarrenctl(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** Runs a command that must succeed; returns its standard output. */
    String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Warrenctl.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of("WARREN_DATA_DIR", dataDir.toString()));
        String output = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, () -> "warrenctl " + String.join(" ", args) + " failed:\n" + output
                + err.toString(StandardCharsets.UTF_8));
        return output;
    }

    /** A port nothing listens on right now, for the management listener (0 would turn it off). */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
