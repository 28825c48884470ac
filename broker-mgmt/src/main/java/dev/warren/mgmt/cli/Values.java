package dev.warren.mgmt.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How a JSON value looks in a tab-separated table, following rabbitmqctl: text and numbers as they are,
 * booleans as true/false, a list as {@code [a, b]}, a table (AMQP arguments, client properties) as
 * Erlang prints one, {@code [{"x-max-length",10}]}, and nothing for a missing value.
 */
final class Values {
    private Values() {
    }

    static String cell(JsonNode value) {
        if (value == null || value.isMissingNode() || value.isNull()) {
            return "";
        }
        if (value.isArray()) {
            List<String> items = new ArrayList<>();
            value.forEach(v -> items.add(cell(v)));
            return "[" + String.join(", ", items) + "]";
        }
        if (value.isObject()) {
            return table(value);
        }
        return value.asText();
    }

    private static String table(JsonNode object) {
        List<String> entries = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            entries.add("{" + quoted(field.getKey()) + "," + nested(field.getValue()) + "}");
        }
        return "[" + String.join(",", entries) + "]";
    }

    private static String nested(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return "undefined";
        }
        if (value.isTextual()) {
            return quoted(value.asText());
        }
        if (value.isObject()) {
            return table(value);
        }
        if (value.isArray()) {
            List<String> items = new ArrayList<>();
            value.forEach(v -> items.add(nested(v)));
            return "[" + String.join(",", items) + "]";
        }
        return value.asText();
    }

    private static String quoted(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
