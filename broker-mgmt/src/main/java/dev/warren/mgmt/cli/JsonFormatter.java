package dev.warren.mgmt.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.PrintStream;

/**
 * {@code --formatter json}: a listing is a JSON array of objects keyed by column; a document is printed as
 * JSON; an operation with nothing to show prints {@code {"result":"ok","node":...}}, as rabbitmqctl does.
 */
final class JsonFormatter implements Formatter {

    @Override
    public void print(Result result, PrintStream out, boolean informational, boolean headers, String node) {
        if (result instanceof Result.Rows r) {
            ArrayNode array = NodeClient.JSON.createArrayNode();
            r.rows().forEach(array::add);
            out.println(write(array));
        } else if (result instanceof Result.Document d) {
            out.println(write(d.json()));
        } else if (result instanceof Result.Text t) {
            out.println(write(ok(node).put("message", t.text())));
        } else {
            out.println(write(ok(node)));
        }
    }

    @Override
    public boolean showsBanner() {
        return false;
    }

    private static ObjectNode ok(String node) {
        ObjectNode ok = NodeClient.JSON.createObjectNode().put("result", "ok");
        if (node != null) {
            ok.put("node", node);
        }
        return ok;
    }

    private static String write(JsonNode json) {
        try {
            return NodeClient.JSON.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
