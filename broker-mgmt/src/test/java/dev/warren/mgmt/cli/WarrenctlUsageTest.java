package dev.warren.mgmt.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What warrenctl does before it needs a node: help, usage errors, and an unreachable node. */
class WarrenctlUsageTest {
    @TempDir
    Path emptyDataDir;

    private Map<String, String> env() {
        return Map.of("WARREN_DATA_DIR", emptyDataDir.toString());
    }

    @Test
    void noCommandPrintsAllUsageOnStderrAndExits64() {
        CliRun run = CliRun.run(env());
        assertEquals(ExitCodes.USAGE, run.exit(), run.toString());
        assertEquals("", run.out());
        assertTrue(run.err().contains("add_user <username>"), run.toString());
    }

    @Test
    void helpOptionPrintsAllUsageOnStdoutAndExits0() {
        CliRun run = CliRun.run(env(), "--help");
        assertEquals(ExitCodes.OK, run.exit(), run.toString());
        for (Command command : Commands.all()) {
            assertTrue(run.out().contains(command.usage()), command.name());
        }
    }

    @Test
    void helpForOneCommandPrintsItsUsageAndExits0() {
        CliRun run = CliRun.run(env(), "help", "set_permissions");
        assertEquals(ExitCodes.OK, run.exit(), run.toString());
        assertTrue(run.out().contains("set_permissions [-p <vhost>] <username> <conf> <write> <read>"), run.toString());

        CliRun dashHelp = CliRun.run(env(), "list_queues", "--help");
        assertEquals(ExitCodes.OK, dashHelp.exit(), dashHelp.toString());
        assertTrue(dashHelp.out().contains("messages_unacknowledged"), dashHelp.toString());
        assertTrue(dashHelp.out().contains("Default: name messages"), dashHelp.toString());
    }

    @Test
    void everyCommandRequiredByTheIssueExists() {
        for (String name : new String[]{"add_user", "delete_user", "change_password", "authenticate_user",
                "list_users", "set_user_tags", "add_vhost", "delete_vhost", "list_vhosts", "set_permissions",
                "clear_permissions", "list_permissions", "list_user_permissions", "list_queues", "list_exchanges",
                "list_bindings", "list_connections", "list_channels", "list_consumers", "purge_queue",
                "delete_queue", "close_connection", "status", "export_definitions", "import_definitions"}) {
            CliRun run = CliRun.run(env(), "help", name);
            assertEquals(ExitCodes.OK, run.exit(), name + ": " + run);
        }
    }

    @Test
    void anUnknownCommandIsAUsageErrorWithASuggestion() {
        CliRun run = CliRun.run(env(), "list_queus");
        assertEquals(ExitCodes.USAGE, run.exit(), run.toString());
        assertTrue(run.err().contains("Command 'list_queus' not found"), run.toString());
        assertTrue(run.err().contains("Did you mean 'list_queues'?"), run.toString());
        assertEquals(ExitCodes.USAGE, CliRun.run(env(), "help", "frobnicate").exit());
    }

    @Test
    void tooFewOrTooManyArgumentsIsAUsageErrorWithTheCommandsUsageOnStderr() {
        CliRun few = CliRun.run(env(), "set_permissions", "alex", ".*");
        assertEquals(ExitCodes.USAGE, few.exit(), few.toString());
        assertTrue(few.err().contains("not enough arguments"), few.toString());
        assertTrue(few.err().contains("set_permissions [-p <vhost>] <username> <conf> <write> <read>"), few.toString());
        assertEquals("", few.out());

        CliRun many = CliRun.run(env(), "delete_user", "alex", "bob");
        assertEquals(ExitCodes.USAGE, many.exit(), many.toString());
        assertTrue(many.err().contains("too many arguments"), many.toString());
    }

    @Test
    void anOptionTheCommandDoesNotTakeIsAUsageError() {
        CliRun unknown = CliRun.run(env(), "list_users", "--frobnicate");
        assertEquals(ExitCodes.USAGE, unknown.exit(), unknown.toString());
        assertTrue(unknown.err().contains("--frobnicate"), unknown.toString());

        CliRun notHere = CliRun.run(env(), "list_users", "--if-empty");
        assertEquals(ExitCodes.USAGE, notHere.exit(), notHere.toString());
    }

    @Test
    void anUnknownColumnOrFormatterOrTimeoutIsAUsageError() {
        CliRun column = CliRun.run(env(), "list_queues", "name", "no_such_column");
        assertEquals(ExitCodes.USAGE, column.exit(), column.toString());
        assertTrue(column.err().contains("Info key(s) no_such_column are not supported"), column.toString());

        assertEquals(ExitCodes.USAGE, CliRun.run(env(), "list_users", "--formatter", "xml").exit());
        assertEquals(ExitCodes.USAGE, CliRun.run(env(), "list_users", "--timeout", "soon").exit());
    }

    @Test
    void noNodeFileInTheDataDirectoryMeansNodeUnavailable69() {
        CliRun run = CliRun.run(env(), "list_users");
        assertEquals(ExitCodes.UNAVAILABLE, run.exit(), run.toString());
        assertTrue(run.err().startsWith("Error: unable to perform an operation on node"), run.toString());
        assertFalse(run.out().contains("Listing users"), "no banner before the node is found: " + run);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aRefusedConnectionMeansNodeUnavailable69() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        CliRun run = CliRun.run(env(), "--node", "http://127.0.0.1:" + port, "status");
        assertEquals(ExitCodes.UNAVAILABLE, run.exit(), run.toString());
        assertTrue(run.err().contains("connection refused"), run.toString());
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aNodeThatNeverAnswersTimesOutWith75() throws Exception {
        // the listening socket completes TCP handshakes from its backlog but nobody ever reads or answers
        try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            CliRun run = CliRun.run(env(), "--node", "http://127.0.0.1:" + silent.getLocalPort(), "--timeout", "1",
                    "list_queues");
            assertEquals(ExitCodes.TEMPFAIL, run.exit(), run.toString());
            assertTrue(run.err().contains("Error: operation list_queues on node http://127.0.0.1:" + silent.getLocalPort()
                    + " timed out. Timeout value used: 1000"), run.toString());
        }
    }
}
