package dev.warren.mgmt.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real entry point in its own JVM, as bin/warrenctl runs it: exit statuses and nothing else on stdout. */
class WarrenctlProcessTest {
    @TempDir
    Path emptyDataDir;

    private record Process(int exit, String out, String err) {
    }

    private Process warrenctl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Warrenctl.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("WARREN_DATA_DIR", emptyDataDir.toString());
        builder.redirectInput(new File("/dev/null"));
        java.lang.Process process = builder.start();
        byte[] out = process.getInputStream().readAllBytes();
        byte[] err = process.getErrorStream().readAllBytes();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "warrenctl exits");
        return new Process(process.exitValue(), new String(out, StandardCharsets.UTF_8),
                new String(err, StandardCharsets.UTF_8));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void theProcessExitsWithTheCommandsStatusAndPrintsOnlyItsOwnOutput() throws Exception {
        Process help = warrenctl("--help");
        assertEquals(0, help.exit(), help.toString());
        assertTrue(help.out().startsWith("Usage\n"), help.toString());
        assertEquals("", help.err());

        Process usage = warrenctl("delete_user");
        assertEquals(ExitCodes.USAGE, usage.exit(), usage.toString());
        assertEquals("", usage.out());

        Process unavailable = warrenctl("list_users");
        assertEquals(ExitCodes.UNAVAILABLE, unavailable.exit(), unavailable.toString());
        assertEquals("", unavailable.out(), "no log lines or banner on stdout");
        assertTrue(unavailable.err().startsWith("Error: unable to perform an operation on node"), unavailable.toString());
        assertTrue(!unavailable.err().contains("Exception") && !unavailable.err().contains("\tat "),
                "no stack trace: " + unavailable.err());
    }
}
