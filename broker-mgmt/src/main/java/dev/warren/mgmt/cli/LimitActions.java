package dev.warren.mgmt.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import dev.warren.core.limits.Limits;
import java.util.Map;
import java.util.Set;

/**
 * Virtual host and user limits, as rabbitmqctl sets them: set_vhost_limits / set_user_limits take a JSON
 * object that replaces the limits (keys it leaves out are cleared), clear_* removes them, list_* shows
 * them as the JSON object (one vhost or user) or as a table (every one).
 */
final class LimitActions {
    private LimitActions() {
    }

    static Result setVhostLimits(Call call) {
        ObjectNode wanted = definition(call.arg(0), Limits.VHOST_KEYS);
        Failures.requireVhost(call.node(), call.vhost());
        String path = "/api/vhost-limits/" + NodeClient.segment(call.vhost());
        replace(call.node(), path, current(call.node(), path), wanted);
        return Result.done();
    }

    static Result clearVhostLimits(Call call) {
        Failures.requireVhost(call.node(), call.vhost());
        String path = "/api/vhost-limits/" + NodeClient.segment(call.vhost());
        replace(call.node(), path, current(call.node(), path), NodeClient.JSON.createObjectNode());
        return Result.done();
    }

    static Result listVhostLimits(Call call) {
        if (call.has(Option.ALL_VHOSTS)) {
            return table(call.node().get("/api/vhost-limits"), "vhost");
        }
        Failures.requireVhost(call.node(), call.vhost());
        return object(current(call.node(), "/api/vhost-limits/" + NodeClient.segment(call.vhost())));
    }

    static Result setUserLimits(Call call) {
        String user = call.arg(0);
        ObjectNode wanted = definition(call.arg(1), Limits.USER_KEYS);
        Failures.requireUser(call.node(), user);
        String path = "/api/user-limits/" + NodeClient.segment(user);
        replace(call.node(), path, current(call.node(), path), wanted);
        return Result.done();
    }

    /** clear_user_limits <user> <limit|all>. */
    static Result clearUserLimits(Call call) {
        String user = call.arg(0);
        Failures.requireUser(call.node(), user);
        String path = "/api/user-limits/" + NodeClient.segment(user);
        ObjectNode current = current(call.node(), path);
        ObjectNode kept = current.deepCopy();
        if (call.arg(1).equals("all")) {
            kept.removeAll();
        } else {
            kept.remove(call.arg(1));
        }
        replace(call.node(), path, current, kept);
        return Result.done();
    }

    static Result listUserLimits(Call call) {
        String user = call.option(Option.USER, null);
        if (user == null) {
            return table(call.node().get("/api/user-limits"), "user");
        }
        Failures.requireUser(call.node(), user);
        return object(current(call.node(), "/api/user-limits/" + NodeClient.segment(user)));
    }

    static String clearUserLimitsBanner(Call call) {
        return call.arg(1).equals("all")
                ? "Clearing all limits for user \"" + call.arg(0) + "\" ..."
                : "Clearing \"" + call.arg(1) + "\" limit for user \"" + call.arg(0) + "\" ...";
    }

    /**
     * The JSON object a set_*_limits argument holds, checked before anything changes; rabbitmqctl's words
     * and exit code (69) when it is not JSON or not valid limits.
     */
    private static ObjectNode definition(String json, Set<String> allowed) {
        JsonNode parsed;
        try {
            parsed = NodeClient.JSON.readTree(json);
        } catch (java.io.IOException e) {
            parsed = null;
        }
        if (!(parsed instanceof ObjectNode object)) {
            throw CliException.error(ExitCodes.UNAVAILABLE, "JSON decoding error. Reason: badarg");
        }
        try {
            Limits.parse(NodeClient.JSON.convertValue(object, new TypeReference<Map<String, Object>>() { }), allowed);
        } catch (IllegalArgumentException e) {
            throw CliException.error(ExitCodes.UNAVAILABLE, e.getMessage());
        }
        return object;
    }

    /** The limits now set at the path ({"name": N, ...}); empty when none. */
    private static ObjectNode current(NodeClient node, String path) {
        JsonNode rows = NodeClient.require(node.get(path)).body();
        return rows.size() > 0 && rows.get(0).path("value") instanceof ObjectNode value ? value : NodeClient.JSON.createObjectNode();
    }

    /** Makes the limits at the path what {@code wanted} says: clears the others, puts each of its values. */
    private static void replace(NodeClient node, String path, ObjectNode current, ObjectNode wanted) {
        for (Iterator<String> names = current.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!wanted.has(name)) {
                NodeClient.require(node.delete(path + "/" + NodeClient.segment(name), Map.of()));
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = wanted.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            ObjectNode body = NodeClient.JSON.createObjectNode();
            body.set("value", field.getValue());
            NodeClient.require(node.put(path + "/" + NodeClient.segment(field.getKey()), body));
        }
    }

    private static Result object(ObjectNode limits) {
        return new Result.Document(limits.isEmpty() ? "" : limits.toString(), limits); // none: an empty line, as rabbitmqctl
    }

    /** Every vhost's or user's limits: "vhost\tlimits" rows for the table formatter, the API's array for JSON. */
    private static Result table(ApiResponse response, String owner) {
        JsonNode rows = NodeClient.require(response).body();
        StringBuilder text = new StringBuilder(owner).append("\tlimits");
        for (JsonNode row : rows) {
            text.append('\n').append(row.path(owner).asText()).append('\t').append(row.path("value"));
        }
        return new Result.Document(text.toString(), rows);
    }
}
