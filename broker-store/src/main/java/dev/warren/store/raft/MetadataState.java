package dev.warren.store.raft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warren.core.store.BrokerDefinitions;
import dev.warren.core.store.Definitions;
import dev.warren.core.store.Definitions.QueueDefinition;
import dev.warren.core.store.SecurityDefinitions;
import dev.warren.store.DefinitionsJson;
import dev.warren.store.StoredSecurity;
import dev.warren.store.StoredVhost;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The cluster's committed definitions: what every node's state machine builds by applying the metadata log in
 * order, so it is the same on every node at the same log index. Applying is deterministic: a queue's home is the
 * node whose declare was committed first (a later put of the same queue from another node changes nothing until
 * the queue is deleted).
 *
 * <p>Not thread-safe: the state machine serialises access.
 */
final class MetadataState {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, StoredVhost> vhosts = new TreeMap<>();
    /** Null until a node's first start stored its users (a cluster that was never seeded). */
    private StoredSecurity security;

    /** Applies the change and returns what it did (the change without the puts the rules above dropped). */
    MetadataEntry.Change apply(MetadataEntry.Change change) {
        if (change instanceof MetadataEntry.VhostChange c) {
            StoredVhost vhost = vhosts.computeIfAbsent(c.vhost(), v -> new StoredVhost());
            StoredVhost.Change effective = keepFirstHomes(vhost, c.delta());
            vhost.apply(effective);
            return new MetadataEntry.VhostChange(c.vhost(), effective);
        }
        if (change instanceof MetadataEntry.VhostDelete d) {
            vhosts.remove(d.vhost());
            return change;
        }
        if (change instanceof MetadataEntry.SecurityChange s) {
            if (security == null) {
                security = new StoredSecurity();
            }
            security.apply(s.delta());
        }
        return change;
    }

    private static StoredVhost.Change keepFirstHomes(StoredVhost vhost, StoredVhost.Change delta) {
        if (delta.put().queues().isEmpty()) {
            return delta;
        }
        Map<String, QueueDefinition> current = new TreeMap<>();
        vhost.definitions().queues().forEach(q -> current.put(q.name(), q));
        List<QueueDefinition> kept = new ArrayList<>();
        boolean removedToo = !delta.removed().queues().isEmpty();
        for (QueueDefinition q : delta.put().queues()) {
            QueueDefinition existing = current.get(q.name());
            boolean removedFirst = removedToo && delta.removed().queues().stream().anyMatch(r -> r.name().equals(q.name()));
            if (existing == null || removedFirst || existing.home() == null || existing.home().equals(q.home())) {
                kept.add(q);
            }
        }
        if (kept.size() == delta.put().queues().size()) {
            return delta;
        }
        Definitions put = delta.put();
        return new StoredVhost.Change(new Definitions(put.exchanges(), kept, put.bindings(), put.limits(), put.policies(),
                put.operatorPolicies()), delta.removed(), delta.limitsChanged());
    }

    Map<String, Definitions> vhosts() {
        Map<String, Definitions> all = new TreeMap<>();
        vhosts.forEach((name, v) -> all.put(name, v.definitions()));
        return all;
    }

    Definitions vhost(String name) {
        StoredVhost vhost = vhosts.get(name);
        return vhost == null ? null : vhost.definitions();
    }

    Optional<SecurityDefinitions> security() {
        return security == null ? Optional.empty() : Optional.of(security.definitions());
    }

    /** The whole state as a definitions document (the snapshot's contents). */
    byte[] toJson() throws IOException {
        ObjectNode root = DefinitionsJson.write(new BrokerDefinitions(vhosts(), security()));
        if (security == null) {
            root.remove("users");
        }
        return JSON.writeValueAsBytes(root);
    }

    static MetadataState fromJson(byte[] json) throws IOException {
        JsonNode root = JSON.readTree(json);
        BrokerDefinitions definitions = DefinitionsJson.read(root);
        MetadataState state = new MetadataState();
        definitions.vhosts().forEach((name, d) -> state.vhosts.put(name, StoredVhost.of(d)));
        state.security = definitions.security().map(StoredSecurity::of).orElse(null);
        return state;
    }
}
