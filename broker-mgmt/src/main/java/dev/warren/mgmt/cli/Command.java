package dev.warren.mgmt.cli;

import java.util.Set;

/**
 * One warrenctl command as data: its name, usage line, description, how many positional arguments it takes
 * (a listing's are column names instead, checked against {@code columns}), the options it accepts besides
 * the global ones, the informational line it prints before running (rabbitmqctl's banner; none when
 * {@code banner} returns null) and what it does.
 */
record Command(String name, String usage, String description, int minArgs, int maxArgs, Set<Option> options,
               Columns columns, Banner banner, Action action) {

    static final int UNLIMITED = Integer.MAX_VALUE;

    @FunctionalInterface
    interface Banner {
        String text(Call call);
    }

    @FunctionalInterface
    interface Action {
        Result run(Call call);
    }

    boolean isListing() {
        return columns != null;
    }

    boolean accepts(Option option) {
        return Option.GLOBAL.contains(option) || options.contains(option);
    }
}
