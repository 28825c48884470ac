package dev.warren.mgmt.cli;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Splits a command line into options and positional words, as rabbitmqctl does: options may come before
 * or after the command, {@code --name=value} and {@code --name value} are the same, a lone {@code -} is a
 * positional word (stdin/stdout), and {@code --} ends the options (for a password that starts with a dash).
 */
final class ArgParser {
    private ArgParser() {
    }

    static Invocation parse(String[] argv) {
        List<String> positional = new ArrayList<>();
        Map<Option, String> options = new EnumMap<>(Option.class);
        List<String> unknown = new ArrayList<>();
        boolean optionsEnded = false;
        for (int i = 0; i < argv.length; i++) {
            String word = argv[i];
            if (optionsEnded || !word.startsWith("-") || word.equals("-")) {
                positional.add(word);
                continue;
            }
            if (word.equals("--")) {
                optionsEnded = true;
                continue;
            }
            String name = word;
            String inlineValue = null;
            int eq = word.indexOf('=');
            if (word.startsWith("--") && eq > 0) {
                name = word.substring(0, eq);
                inlineValue = word.substring(eq + 1);
            }
            Optional<Option> option = Option.bySpelling(name);
            if (option.isEmpty()) {
                unknown.add(word);
                continue;
            }
            Option o = option.get();
            if (!o.takesValue()) {
                if (inlineValue != null) {
                    throw usage("option " + name + " takes no value");
                }
                options.put(o, "true");
            } else if (inlineValue != null) {
                options.put(o, inlineValue);
            } else if (i + 1 < argv.length) {
                options.put(o, argv[++i]);
            } else {
                throw usage("option " + name + " needs a value");
            }
        }
        String command = positional.isEmpty() ? null : positional.remove(0);
        return new Invocation(command, List.copyOf(positional), Map.copyOf(options), List.copyOf(unknown));
    }

    private static CliException usage(String detail) {
        return new CliException(ExitCodes.USAGE, "Error (argument validation): " + detail);
    }
}
