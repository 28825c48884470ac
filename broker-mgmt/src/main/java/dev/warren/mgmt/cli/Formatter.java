package dev.warren.mgmt.cli;

import java.io.PrintStream;

/** Prints a command's result: as tab-separated text (rabbitmqctl's table formatter) or as JSON. */
interface Formatter {

    /**
     * @param informational whether notes are printed (not with --quiet or --silent)
     * @param headers whether a table starts with its column names (not with --silent or --no-table-headers)
     */
    void print(Result result, PrintStream out, boolean informational, boolean headers, String node);

    /** Whether the banner line is printed before running (never with a machine-readable format). */
    boolean showsBanner();

    static Formatter named(String name) {
        return switch (name) {
            case "table", "string" -> new TableFormatter();
            case "json" -> new JsonFormatter();
            default -> throw new CliException(ExitCodes.USAGE, "Error (argument validation): formatter " + name
                    + " is not supported: use table or json");
        };
    }
}
