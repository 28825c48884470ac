package dev.warren.mgmt.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The columns (rabbitmqctl's "info items") a listing command can show, each read from the management API's
 * JSON for one object, and those it shows when none are named. When not {@code selectable} (list_users,
 * list_permissions, ...) the command always shows the defaults and its positional words mean something else.
 */
record Columns(Map<String, Function<JsonNode, JsonNode>> all, List<String> defaults, boolean selectable) {

    static Builder builder() {
        return new Builder();
    }

    /** The columns named on the command line, or the defaults; a name not known is a usage error. */
    List<String> select(List<String> requested) {
        if (requested.isEmpty()) {
            return defaults;
        }
        List<String> unknown = new ArrayList<>();
        List<String> selected = new ArrayList<>();
        for (String word : requested) {
            // rabbitmqctl also takes "name,messages" as one word
            for (String key : word.split(",")) {
                String k = key.trim();
                if (k.isEmpty()) {
                    continue;
                }
                if (all.containsKey(k)) {
                    selected.add(k);
                } else {
                    unknown.add(k);
                }
            }
        }
        if (!unknown.isEmpty()) {
            throw new CliException(ExitCodes.USAGE, "Error (argument validation): Info key(s) "
                    + String.join(",", unknown) + " are not supported");
        }
        return selected;
    }

    JsonNode value(String column, JsonNode object) {
        JsonNode value = all.get(column).apply(object);
        return value == null ? MissingNode.getInstance() : value;
    }

    String keyList() {
        return String.join(", ", all.keySet());
    }

    static final class Builder {
        private final Map<String, Function<JsonNode, JsonNode>> all = new LinkedHashMap<>();

        /** A column read from the API field of the same name. */
        Builder field(String name) {
            return field(name, name);
        }

        /** A column read from an API field (a dotted path for nested objects). */
        Builder field(String name, String apiPath) {
            String pointer = "/" + apiPath.replace('.', '/');
            return computed(name, o -> o.at(pointer));
        }

        Builder computed(String name, Function<JsonNode, JsonNode> read) {
            all.put(name, read);
            return this;
        }

        /** Columns the command line may choose among, these being shown when it names none. */
        Columns defaults(String... defaults) {
            return build(true, defaults);
        }

        /** Columns always shown, in this order. */
        Columns fixed(String... columns) {
            return build(false, columns);
        }

        private Columns build(boolean selectable, String... defaults) {
            for (String d : defaults) {
                if (!all.containsKey(d)) {
                    throw new IllegalArgumentException("default column " + d + " is not a column");
                }
            }
            return new Columns(Collections.unmodifiableMap(new LinkedHashMap<>(all)), List.of(defaults), selectable);
        }
    }
}
