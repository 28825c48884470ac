package dev.warren.mgmt.cli;

import java.util.ArrayList;
import java.util.List;

/** Usage texts: all commands (warrenctl --help, warrenctl help) and one command (help <command>, <command> --help). */
final class Help {
    static final String GLOBAL_SYNOPSIS = "warrenctl [--node <url> [--username <user>] [--password <password>] "
            + "[--cacertfile <file>]] [--data-dir <dir>] [--quiet] [--silent] [--formatter <table|json>] [--timeout <seconds>]";

    private Help() {
    }

    static String all() {
        StringBuilder text = new StringBuilder("Usage\n\n")
                .append(GLOBAL_SYNOPSIS).append(" <command> [<command options>]\n\n")
                .append("warrenctl manages a Warren node through its management HTTP API, with rabbitmqctl's commands.\n")
                .append("Without --node it reaches the local node through the secret file the node writes into its data\n")
                .append("directory (readable only by the broker's user), so it needs no password. With --node https://host:port\n")
                .append("it checks the node's certificate against the CAs in --cacertfile (or $WARREN_CTL_CACERTFILE, else the\n")
                .append("JVM's trusted CAs) and that it names the host.\n\n")
                .append("Global options:\n\n");
        appendOptions(text, new ArrayList<>(Option.GLOBAL));
        text.append("\nCommands:\n\n");
        for (Command command : Commands.all()) {
            text.append("   ").append(command.usage()).append('\n');
        }
        text.append("\nExit codes: 0 done, 64 usage error, 65 bad data (missing virtual host, refused authentication),\n")
                .append("67 no such user, 69 node unreachable or credentials refused, 70 operation refused, 75 timeout.\n\n")
                .append("Use 'warrenctl help <command>' to learn about a command.\n");
        return text.toString();
    }

    static String command(Command command) {
        StringBuilder text = new StringBuilder("Usage\n\n")
                .append("warrenctl [--node <url>] [--quiet] ").append(command.usage()).append("\n\n")
                .append(command.description()).append('\n');
        List<Option> own = new ArrayList<>(command.options());
        if (!own.isEmpty()) {
            text.append("\nOptions:\n\n");
            appendOptions(text, own);
        }
        Columns columns = command.columns();
        if (columns != null && columns.selectable()) {
            text.append("\n<column> is one of: ").append(columns.keyList()).append('\n')
                    .append("Default: ").append(String.join(" ", columns.defaults())).append('\n');
        }
        text.append("\nGlobal options: see 'warrenctl --help'.\n");
        return text.toString();
    }

    /** The short form printed after an argument error. */
    static String usageLine(Command command) {
        return "Usage\n\nwarrenctl [--node <url>] [--quiet] " + command.usage() + "\n\n"
                + "Use 'warrenctl help " + command.name() + "' to learn more.";
    }

    private static void appendOptions(StringBuilder text, List<Option> options) {
        for (Option option : options) {
            String synopsis = option.synopsis();
            text.append("   ").append(synopsis)
                    .append(" ".repeat(Math.max(2, 34 - synopsis.length())))
                    .append(option.help()).append('\n');
        }
    }
}
