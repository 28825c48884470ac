package dev.warren.store.raft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warren.core.store.BrokerDefinitions;
import dev.warren.core.store.Definitions;
import dev.warren.core.store.SecurityDefinitions;
import dev.warren.store.DefinitionsJson;
import dev.warren.store.StoredSecurity;
import dev.warren.store.StoredVhost;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One entry of the metadata Raft log: a definition change one node made, as a delta, never a whole virtual host (so
 * two nodes' changes to different items both survive), in JSON. {@code origin} is the node process that made it (its
 * node name and a random id per start), {@code seq} that process's counter, so the origin knows its own entries
 * when they are applied. The items are documents in RabbitMQ's definitions format holding only the items changed:
 * <pre>{"origin":"warren1@host/6f1c..","seq":7,"vhost":"/","remove":{"queues":[..]},"put":{"exchanges":[..]}}
 * {"origin":"..","seq":8,"vhost":"old","delete_vhost":true}
 * {"origin":"..","seq":9,"security":{"put":{"users":[..],"permissions":[..]},"remove":{"topic_permissions":[..]}}}
 * {"origin":"..","seq":10,"barrier":true}</pre>
 * With {@code "limits":true} the put's vhost limits replace the virtual host's. A queue put carries its home node
 * ({@code warren_home_node}). A barrier changes nothing: a node waits for its own to be applied to know it has
 * caught up with what the cluster committed before.
 */
record MetadataEntry(String origin, long seq, Change change) {
    private static final ObjectMapper JSON = new ObjectMapper();

    sealed interface Change {
    }

    record VhostChange(String vhost, StoredVhost.Change delta) implements Change {
    }

    record VhostDelete(String vhost) implements Change {
    }

    record SecurityChange(StoredSecurity.Change delta) implements Change {
    }

    record Barrier() implements Change {
    }

    byte[] encode() {
        ObjectNode root = JSON.createObjectNode().put("origin", origin).put("seq", seq);
        if (change instanceof VhostChange c) {
            root.put("vhost", c.vhost());
            if (c.delta().limitsChanged()) {
                root.put("limits", true);
            }
            root.set("remove", items(c.vhost(), c.delta().removed()));
            root.set("put", items(c.vhost(), c.delta().put()));
        } else if (change instanceof VhostDelete d) {
            root.put("vhost", d.vhost()).put("delete_vhost", true);
        } else if (change instanceof SecurityChange s) {
            ObjectNode security = root.putObject("security");
            security.set("put", security(s.delta().put()));
            security.set("remove", security(s.delta().removed()));
        } else {
            root.put("barrier", true);
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a metadata entry", e);
        }
    }

    /** @throws IllegalArgumentException saying what is wrong */
    static MetadataEntry decode(byte[] bytes) {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException("a metadata entry that is not JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.path("origin").isTextual()) {
            throw new IllegalArgumentException("a metadata entry without an origin");
        }
        String origin = root.get("origin").asText();
        long seq = root.path("seq").asLong();
        Change change;
        if (root.path("barrier").asBoolean(false)) {
            change = new Barrier();
        } else if (root.has("security")) {
            JsonNode security = root.get("security");
            change = new SecurityChange(new StoredSecurity.Change(security(security.path("put")), security(security.path("remove"))));
        } else if (root.path("vhost").isTextual()) {
            String vhost = root.get("vhost").asText();
            change = root.path("delete_vhost").asBoolean(false) ? new VhostDelete(vhost)
                    : new VhostChange(vhost, new StoredVhost.Change(items(vhost, root.path("put")),
                            items(vhost, root.path("remove")), root.path("limits").asBoolean(false)));
        } else {
            throw new IllegalArgumentException("a metadata entry of no known kind: " + root);
        }
        return new MetadataEntry(origin, seq, change);
    }

    private static ObjectNode items(String vhost, Definitions items) {
        ObjectNode document = DefinitionsJson.write(new BrokerDefinitions(Map.of(vhost, items), Optional.empty()));
        document.remove(List.of("product_name", "vhosts", "users", "permissions", "topic_permissions"));
        dropEmpty(document);
        return document;
    }

    private static Definitions items(String vhost, JsonNode document) {
        if (!document.isObject() || document.isEmpty()) {
            return Definitions.EMPTY;
        }
        return DefinitionsJson.read(document).vhosts().getOrDefault(vhost, Definitions.EMPTY);
    }

    private static ObjectNode security(SecurityDefinitions security) {
        ObjectNode document = DefinitionsJson.write(new BrokerDefinitions(Map.of(), Optional.of(security)));
        document.remove(List.of("product_name", "vhosts", "exchanges", "queues", "bindings", "parameters", "policies"));
        return document;
    }

    private static SecurityDefinitions security(JsonNode document) {
        if (!document.isObject()) {
            return new SecurityDefinitions(List.of(), List.of(), List.of());
        }
        return DefinitionsJson.read(document).security().orElse(new SecurityDefinitions(List.of(), List.of(), List.of()));
    }

    private static void dropEmpty(ObjectNode document) {
        for (Iterator<Map.Entry<String, JsonNode>> fields = document.fields(); fields.hasNext(); ) {
            if (fields.next().getValue().isEmpty()) {
                fields.remove();
            }
        }
    }
}
