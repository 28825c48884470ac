package dev.warren.mgmt.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** The shared Jackson mapper and the small JSON conversions the handlers share. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    public static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    public static ObjectNode error(String error, String reason) {
        return object().put("error", error).put("reason", reason);
    }

    /** AMQP arguments or client properties as JSON; byte arrays become strings, as RabbitMQ shows them. */
    public static JsonNode table(Map<String, Object> table) {
        ObjectNode node = object();
        if (table != null) {
            table.forEach((k, v) -> node.set(k, value(v)));
        }
        return node;
    }

    private static JsonNode value(Object v) {
        if (v instanceof byte[] bytes) {
            return MAPPER.getNodeFactory().textNode(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
        }
        if (v instanceof Map<?, ?> map) {
            ObjectNode node = object();
            map.forEach((k, x) -> node.set(String.valueOf(k), value(x)));
            return node;
        }
        if (v instanceof Collection<?> list) {
            ArrayNode node = array();
            list.forEach(x -> node.add(value(x)));
            return node;
        }
        return MAPPER.valueToTree(v);
    }

    /**
     * A request's "arguments" member as an AMQP table: JSON numbers become Integer or Long (or Double),
     * strings stay strings, objects and arrays nest. Missing or null: empty.
     */
    public static Map<String, Object> arguments(JsonNode body) {
        return table(body, "arguments");
    }

    /** A member of {@code body} as an AMQP table, as {@link #arguments} reads "arguments" (message headers too). */
    public static Map<String, Object> table(JsonNode body, String member) {
        JsonNode node = body.path(member);
        if (node.isMissingNode() || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw ApiException.badRequest(member + " must be a JSON object");
        }
        Map<String, Object> table = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> table.put(e.getKey(), amqpValue(e.getValue())));
        return table;
    }

    private static Object amqpValue(JsonNode v) {
        if (v.isObject()) {
            Map<String, Object> table = new LinkedHashMap<>();
            v.fields().forEachRemaining(e -> table.put(e.getKey(), amqpValue(e.getValue())));
            return table;
        }
        if (v.isArray()) {
            java.util.List<Object> list = new java.util.ArrayList<>();
            v.forEach(x -> list.add(amqpValue(x)));
            return list;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isInt()) {
            return v.intValue();
        }
        if (v.isIntegralNumber()) {
            return v.longValue();
        }
        if (v.isNumber()) {
            return v.doubleValue();
        }
        if (v.isNull()) {
            return null;
        }
        return v.asText();
    }

    /** A boolean member; RabbitMQ also accepts "true"/"false" strings. */
    public static boolean bool(JsonNode body, String field, boolean defaultValue) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return defaultValue;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isTextual() && (v.asText().equals("true") || v.asText().equals("false"))) {
            return Boolean.parseBoolean(v.asText());
        }
        throw ApiException.badRequest(field + " must be true or false");
    }

    /** A text field the request must have; 400 in RabbitMQ's words ({key_missing,field}) when absent. */
    static String required(JsonNode body, String field) {
        String value = text(body, field, null);
        if (value == null) {
            throw ApiException.badRequest("[{key_missing," + field + "}]");
        }
        return value;
    }

    /** A string member, or the default when it is missing or null; other types are a 400. */
    public static String text(JsonNode body, String field, String defaultValue) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return defaultValue;
        }
        if (!v.isTextual()) {
            throw ApiException.badRequest(field + " must be a string");
        }
        return v.asText();
    }

    /** Tags as RabbitMQ takes them: a comma-separated string or a list of strings. */
    public static Set<String> tags(JsonNode node) {
        Set<String> tags = new LinkedHashSet<>();
        if (node == null || node.isNull() || node.isMissingNode()) {
            return tags;
        }
        if (node.isArray()) {
            node.forEach(t -> addTag(tags, t.asText()));
        } else if (node.isTextual()) {
            for (String t : node.asText().split(",")) {
                addTag(tags, t);
            }
        } else {
            throw ApiException.badRequest("tags must be a string or a list of strings");
        }
        return tags;
    }

    private static void addTag(Set<String> tags, String tag) {
        String t = tag.trim();
        if (!t.isEmpty()) {
            tags.add(t);
        }
    }

    public static ArrayNode tagList(Collection<String> tags) {
        ArrayNode list = array();
        tags.stream().sorted().forEach(list::add);
        return list;
    }
}
