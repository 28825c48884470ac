package dev.warren.mgmt.cli;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed command line: the command name (the first positional word, null when there is none), the
 * remaining positional arguments, the options given and any words that looked like options but are not.
 */
record Invocation(String command, List<String> args, Map<Option, String> options, List<String> unknownOptions) {

    boolean has(Option option) {
        return options.containsKey(option);
    }

    Optional<String> value(Option option) {
        return Optional.ofNullable(options.get(option));
    }
}
