package dev.warren.mgmt.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/** A listing command: GET a collection from the API and keep the selected columns of each object. */
final class Listing {
    private Listing() {
    }

    /** A collection scoped to the call's virtual host; a 404 means the virtual host does not exist. */
    static Result inVhost(Call call, String collection) {
        String path = "/api/" + collection + "/" + NodeClient.segment(call.vhost());
        ApiResponse response = NodeClient.require(call.node().get(path), () -> Failures.noSuchVhost(call.vhost()));
        return rows(call, response.body());
    }

    /** A collection across the node (users, vhosts, connections, channels). */
    static Result all(Call call, String path) {
        return rows(call, NodeClient.require(call.node().get(path)).body());
    }

    static Result rows(Call call, JsonNode array) {
        Columns columns = call.command().columns();
        List<ObjectNode> rows = new ArrayList<>();
        for (JsonNode object : array) {
            ObjectNode row = NodeClient.JSON.createObjectNode();
            for (String column : call.columns()) {
                JsonNode value = columns.value(column, object);
                row.set(column, value.isMissingNode() ? NodeClient.JSON.nullNode() : value);
            }
            rows.add(row);
        }
        return new Result.Rows(rows);
    }
}
