package dev.warren.mgmt.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * RabbitMQ's query options for GET answers: {@code columns} (comma-separated, dotted for nested fields) keeps
 * only those fields; {@code sort} (a dotted field) and {@code sort_reverse} order a list; {@code page} with
 * {@code page_size} (default 100, at most 500), {@code name} and {@code use_regex} filter a list by name and
 * answer one page wrapped in RabbitMQ's pagination object.
 */
final class ListOptions {
    private static final int DEFAULT_PAGE_SIZE = 100;
    private static final int MAX_PAGE_SIZE = 500;

    private ListOptions() {
    }

    static ApiResponse apply(ApiRequest request, ApiResponse response) {
        JsonNode json = response.json();
        if (json == null || response.status().code() != 200 || !hasOptions(request)) {
            return response;
        }
        JsonNode result = json;
        if (result.isArray()) {
            result = sort(request, (ArrayNode) result);
            if (request.queryParam("page") != null) {
                result = page(request, (ArrayNode) result);
            }
        }
        String columns = request.queryParam("columns");
        if (columns != null && !columns.isBlank()) {
            result = columns(result, List.of(columns.split(",")));
        }
        return response.withJson(result);
    }

    private static boolean hasOptions(ApiRequest request) {
        return request.queryParam("columns") != null || request.queryParam("sort") != null
                || request.queryParam("sort_reverse") != null || request.queryParam("page") != null;
    }

    private static ArrayNode sort(ApiRequest request, ArrayNode list) {
        String field = request.queryParam("sort");
        boolean reverse = "true".equals(request.queryParam("sort_reverse"));
        List<JsonNode> items = new ArrayList<>();
        list.forEach(items::add);
        if (field != null && !field.isEmpty()) {
            items.sort(Comparator.comparing((JsonNode n) -> dotted(n, field), ListOptions::compare));
        }
        if (reverse) {
            java.util.Collections.reverse(items);
        }
        ArrayNode out = Json.array();
        items.forEach(out::add);
        return out;
    }

    private static JsonNode dotted(JsonNode node, String path) {
        JsonNode n = node;
        for (String key : path.split("\\.")) {
            n = n.path(key);
        }
        return n;
    }

    /** Missing values first, then numbers by value, then everything else by text. */
    private static int compare(JsonNode a, JsonNode b) {
        if (a.isMissingNode() || b.isMissingNode()) {
            return Boolean.compare(!a.isMissingNode(), !b.isMissingNode());
        }
        if (a.isNumber() && b.isNumber()) {
            return Double.compare(a.asDouble(), b.asDouble());
        }
        return a.asText().compareTo(b.asText());
    }

    private static ObjectNode page(ApiRequest request, ArrayNode list) {
        int page = positive(request.queryParam("page"), "page");
        String sizeParam = request.queryParam("page_size");
        int size = sizeParam == null ? DEFAULT_PAGE_SIZE : positive(sizeParam, "page_size");
        if (size > MAX_PAGE_SIZE) {
            throw ApiException.badRequest("Invalid pagination parameters: page size " + size + " is above " + MAX_PAGE_SIZE);
        }
        String name = request.queryParam("name");
        List<JsonNode> filtered = new ArrayList<>();
        if (name == null || name.isEmpty()) {
            list.forEach(filtered::add);
        } else if ("true".equals(request.queryParam("use_regex"))) {
            Pattern pattern;
            try {
                pattern = Pattern.compile(name, Pattern.CASE_INSENSITIVE);
            } catch (PatternSyntaxException e) {
                throw ApiException.badRequest("invalid regular expression for name: " + e.getDescription());
            }
            list.forEach(n -> {
                if (pattern.matcher(n.path("name").asText()).find()) {
                    filtered.add(n);
                }
            });
        } else {
            String needle = name.toLowerCase(Locale.ROOT);
            list.forEach(n -> {
                if (n.path("name").asText().toLowerCase(Locale.ROOT).contains(needle)) {
                    filtered.add(n);
                }
            });
        }
        int from = (page - 1) * size;
        if (from > filtered.size() || (from == filtered.size() && page > 1)) {
            throw ApiException.badRequest("Page out of range, page: " + page + " page size: " + size + ", len: "
                    + filtered.size());
        }
        ObjectNode out = Json.object()
                .put("total_count", list.size())
                .put("item_count", Math.min(size, filtered.size() - from))
                .put("filtered_count", filtered.size())
                .put("page", page)
                .put("page_size", size)
                .put("page_count", (filtered.size() + size - 1) / size);
        ArrayNode items = out.putArray("items");
        filtered.subList(from, Math.min(filtered.size(), from + size)).forEach(items::add);
        return out;
    }

    private static int positive(String value, String name) {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw ApiException.badRequest("Invalid pagination parameters: " + name + " '" + value + "'");
    }

    private static JsonNode columns(JsonNode node, List<String> columns) {
        if (node.isArray()) {
            ArrayNode out = Json.array();
            node.forEach(n -> out.add(columns(n, columns)));
            return out;
        }
        if (node.isObject() && node.has("items") && node.has("page_count")) {
            ObjectNode out = ((ObjectNode) node).deepCopy();
            out.set("items", columns(node.get("items"), columns));
            return out;
        }
        if (!node.isObject()) {
            return node;
        }
        ObjectNode out = Json.object();
        for (String column : columns) {
            copy((ObjectNode) node, out, column.trim().split("\\."), 0);
        }
        return out;
    }

    private static void copy(ObjectNode from, ObjectNode to, String[] path, int depth) {
        JsonNode value = from.get(path[depth]);
        if (value == null) {
            return;
        }
        if (depth == path.length - 1) {
            to.set(path[depth], value);
        } else if (value.isObject()) {
            JsonNode existing = to.get(path[depth]);
            ObjectNode child = existing instanceof ObjectNode o ? o : to.putObject(path[depth]);
            copy((ObjectNode) value, child, path, depth + 1);
        }
    }
}
