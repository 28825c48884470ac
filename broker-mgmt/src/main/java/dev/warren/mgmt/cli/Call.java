package dev.warren.mgmt.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/** One run of a command: its arguments and options, the node it talks to, and its standard input. */
final class Call {
    private final Command command;
    private final Invocation invocation;
    private final List<String> columns;
    private final Supplier<NodeClient> nodeFactory;
    private final Duration timeout;
    private final InputStream in;
    private NodeClient node;

    Call(Command command, Invocation invocation, List<String> columns, Supplier<NodeClient> nodeFactory,
         Duration timeout, InputStream in) {
        this.command = command;
        this.invocation = invocation;
        this.columns = columns;
        this.nodeFactory = nodeFactory;
        this.timeout = timeout;
        this.in = in;
    }

    Command command() {
        return command;
    }

    List<String> args() {
        return invocation.args();
    }

    String arg(int index) {
        return invocation.args().get(index);
    }

    boolean has(Option option) {
        return invocation.has(option);
    }

    String option(Option option, String otherwise) {
        return invocation.value(option).orElse(otherwise);
    }

    /** The virtual host the command works in: {@code -p}, else "/". */
    String vhost() {
        return option(Option.VHOST, "/");
    }

    /** How long to wait for the node's answer. */
    Duration timeout() {
        return timeout;
    }

    /** A listing's columns, in order. */
    List<String> columns() {
        return columns;
    }

    /** The node's API, reached on first use (help and argument errors never touch the node). */
    NodeClient node() {
        if (node == null) {
            node = nodeFactory.get();
        }
        return node;
    }

    /**
     * A password not given as an argument, as rabbitmqctl reads it: typed at a hidden prompt on a terminal,
     * else the first line of standard input; null when stdin is empty.
     */
    String readPassword() {
        Console console = System.console();
        if (console != null && in == System.in) {
            char[] typed = console.readPassword("Password: ");
            return typed == null ? null : new String(typed);
        }
        try {
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            return null;
        }
    }

    /** All of standard input (import_definitions -). */
    String readStdin() {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw CliException.error(ExitCodes.DATAERR, "Could not read standard input: " + e.getMessage());
        }
    }
}
