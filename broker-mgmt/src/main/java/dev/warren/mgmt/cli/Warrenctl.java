package dev.warren.mgmt.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * warrenctl, Warren's rabbitmqctl: the same commands, arguments, output and exit codes, carried out
 * through the node's management HTTP API. {@link #run} does everything and returns the exit status, so
 * tests run it in-process; {@link #main} only passes the process's streams and exits with it.
 */
public final class Warrenctl {
    static final int DEFAULT_TIMEOUT_SECONDS = 60;

    private Warrenctl() {
    }

    public static void main(String[] args) {
        int status = run(args, System.in, System.out, System.err, System.getenv());
        System.out.flush();
        System.err.flush();
        System.exit(status);
    }

    /** Runs one command line; returns the exit status. Never throws and never prints a stack trace. */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
        try {
            return execute(args, in, out, err, env);
        } catch (CliException e) {
            err.println(e.getMessage());
            return e.exitCode();
        } catch (RuntimeException e) {
            err.println("Error:\n" + e);
            return ExitCodes.SOFTWARE;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private static int execute(String[] args, InputStream in, PrintStream out, PrintStream err,
                               Map<String, String> env) {
        Invocation invocation = ArgParser.parse(args);
        String name = invocation.command();
        if (name == null) {
            if (invocation.has(Option.HELP)) {
                out.print(Help.all());
                return ExitCodes.OK;
            }
            err.print(Help.all());
            return ExitCodes.USAGE;
        }
        if (name.equals("help")) {
            return help(invocation, out, err);
        }
        Command command = Commands.find(name).orElseThrow(() -> notFound(name));
        if (invocation.has(Option.HELP)) {
            out.print(Help.command(command));
            return ExitCodes.OK;
        }
        List<String> columns = validate(command, invocation, args);
        Formatter formatter = Formatter.named(invocation.value(Option.FORMATTER).orElse("table"));
        Duration timeout = timeout(invocation);
        Call call = new Call(command, invocation, columns,
                () -> new NodeClient(NodeTarget.resolve(invocation, env), timeout, command.name()), timeout, in);

        String node = call.node().node(); // an unknown local node fails here, before the banner
        boolean quiet = invocation.has(Option.QUIET) || invocation.has(Option.SILENT);
        if (!quiet && formatter.showsBanner()) {
            String banner = command.banner().text(call);
            if (banner != null) {
                out.println(banner);
            }
        }
        Result result = command.action().run(call);
        boolean headers = !invocation.has(Option.SILENT) && !invocation.has(Option.NO_TABLE_HEADERS);
        formatter.print(result, out, !quiet, headers, node);
        return ExitCodes.OK;
    }

    private static int help(Invocation invocation, PrintStream out, PrintStream err) {
        if (invocation.args().isEmpty()) {
            out.print(Help.all());
            return ExitCodes.OK;
        }
        String topic = invocation.args().get(0);
        Command command = Commands.find(topic).orElseThrow(() -> notFound(topic));
        out.print(Help.command(command));
        return ExitCodes.OK;
    }

    /** Checks options and argument count; returns a listing's columns (empty for other commands). */
    private static List<String> validate(Command command, Invocation invocation, String[] args) {
        List<String> invalid = new ArrayList<>(invocation.unknownOptions());
        for (Option option : invocation.options().keySet()) {
            if (!command.accepts(option)) {
                invalid.add(option.longName());
            }
        }
        if (!invalid.isEmpty()) {
            throw argumentError(command, "Invalid options for this command:\n" + String.join("\n", invalid), args);
        }
        Columns columns = command.columns();
        if (columns != null && columns.selectable()) {
            return columns.select(invocation.args());
        }
        int count = invocation.args().size();
        if (count < command.minArgs()) {
            throw argumentError(command, "not enough arguments.", args);
        }
        if (count > command.maxArgs()) {
            throw argumentError(command, "too many arguments.", args);
        }
        return columns == null ? List.of() : columns.defaults();
    }

    private static Duration timeout(Invocation invocation) {
        String value = invocation.value(Option.TIMEOUT).orElse(String.valueOf(DEFAULT_TIMEOUT_SECONDS));
        try {
            long seconds = Long.parseLong(value);
            if (seconds > 0) {
                return Duration.ofSeconds(seconds);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new CliException(ExitCodes.USAGE, "Error (argument validation): --timeout takes a positive number of seconds, not " + value);
    }

    private static CliException argumentError(Command command, String detail, String[] args) {
        return new CliException(ExitCodes.USAGE, "Error (argument validation): " + detail + "\nArguments given:\n\t"
                + String.join(" ", args) + "\n\n" + Help.usageLine(command));
    }

    private static CliException notFound(String name) {
        String suggestion = Commands.suggest(name).map(s -> "Did you mean '" + s + "'? \n").orElse("");
        return new CliException(ExitCodes.USAGE, "\nCommand '" + name + "' not found. \n" + suggestion
                + (suggestion.isEmpty() ? "\n" + Help.all() : ""));
    }
}
