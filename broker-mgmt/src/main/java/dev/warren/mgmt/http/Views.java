package dev.warren.mgmt.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warren.core.Exchange;
import dev.warren.core.MessageQueue;
import dev.warren.core.cluster.HomeReply;
import dev.warren.core.ReplicatedQueue;
import dev.warren.core.VirtualHost;
import dev.warren.core.auth.User;
import dev.warren.core.auth.UserPermission;
import dev.warren.core.policy.AppliedPolicies;
import dev.warren.store.DefinitionsJson;

/** Objects as RabbitMQ's HTTP API shows them, with its field names. */
final class Views {
    /** How the default exchange (named "") is written in paths. */
    static final String DEFAULT_EXCHANGE_ALIAS = "amq.default";

    private Views() {
    }

    static ObjectNode queue(MessageQueue q, String node) {
        int ready = q.messageCount();
        int unacked = q.unacknowledgedCount();
        ObjectNode n = Json.object()
                .put("name", q.name())
                .put("vhost", q.vhost().name())
                .put("durable", q.durable())
                .put("auto_delete", q.autoDelete())
                .put("exclusive", q.exclusive());
        n.set("arguments", Json.table(q.arguments()));
        ReplicatedQueue quorum = q.replicated();
        String leader = quorum == null ? null : quorum.log().leader();
        n.put("node", quorum == null ? node : leader != null ? leader : node)
                .put("type", quorum == null ? "classic" : "quorum")
                .put("state", "running")
                .put("messages", (long) ready + unacked)
                .put("messages_ready", ready)
                .put("messages_unacknowledged", unacked)
                .put("consumers", q.consumerCount())
                .put("memory", q.memoryBytes())
                .put("messages_expired", q.expiredCount())
                .put("messages_dead_lettered", q.deadLetteredCount())
                .put("messages_dropped", q.droppedCount());
        AppliedPolicies policies = q.policies();
        if (policies.policy() == null) {
            n.putNull("policy");
        } else {
            n.put("policy", policies.policy().name());
        }
        if (policies.operatorPolicy() == null) {
            n.putNull("operator_policy");
        } else {
            n.put("operator_policy", policies.operatorPolicy().name());
        }
        n.set("effective_policy_definition", Json.MAPPER.valueToTree(policies.effective()));
        n.putNull("exclusive_consumer_tag");
        if (q.settings().singleActiveConsumer()) {
            n.put("single_active_consumer_tag", q.singleActiveConsumerTag());
        }
        if (quorum != null) { // as RabbitMQ shows a quorum queue: its leader and members
            n.put("leader", leader);
            ArrayNode members = n.putArray("members");
            quorum.log().members().forEach(members::add);
        }
        return n;
    }

    /**
     * Another node's classic queue, as RabbitMQ lists every queue of the cluster on every node: its home node and the
     * counts that node reported ({@code stats}: ready, unacknowledged, consumers), or state {@code down} without them.
     */
    static ObjectNode remoteQueue(MessageQueue q, HomeReply stats) {
        ObjectNode n = queue(q, q.home());
        long ready = stats == null ? 0 : stats.count();
        long unacked = stats == null ? 0 : stats.secondCount();
        n.put("state", stats == null ? "down" : "running")
                .put("messages", ready + unacked)
                .put("messages_ready", ready)
                .put("messages_unacknowledged", unacked)
                .put("consumers", stats == null ? 0 : stats.thirdCount());
        return n;
    }

    static ObjectNode exchange(Exchange e, String vhost) {
        ObjectNode n = Json.object()
                .put("name", e.name())
                .put("vhost", vhost)
                .put("type", e.type().typeName())
                .put("durable", e.durable())
                .put("auto_delete", e.autoDelete())
                .put("internal", e.internal());
        n.set("arguments", Json.table(e.arguments()));
        if (e.delayed() != null) {
            n.put("messages_delayed", e.delayed().pending()); // as RabbitMQ's delayed-message plugin shows it
        }
        if (e.policy() != null) {
            n.put("policy", e.policy().name()); // RabbitMQ shows the field only when a policy applies
        }
        n.put("user_who_performed_action", "");
        return n;
    }

    static ObjectNode vhost(VirtualHost v) {
        long ready = 0;
        long unacked = 0;
        for (MessageQueue q : v.queues()) {
            ready += q.messageCount();
            unacked += q.unacknowledgedCount();
        }
        ObjectNode n = Json.object().put("name", v.name()).put("description", "");
        n.putArray("tags");
        n.put("default_queue_type", "classic").put("tracing", v.tracing());
        ObjectNode metadata = n.putObject("metadata").put("description", "");
        metadata.putArray("tags");
        n.put("messages", ready + unacked).put("messages_ready", ready).put("messages_unacknowledged", unacked);
        return n;
    }

    static ObjectNode user(User u) {
        ObjectNode n = Json.object()
                .put("name", u.name())
                .put("password_hash", u.passwordHash())
                .put("hashing_algorithm", DefinitionsJson.HASHING_ALGORITHM);
        n.set("tags", Json.tagList(u.tags()));
        n.putObject("limits");
        return n;
    }

    static ObjectNode permission(UserPermission p) {
        return Json.object()
                .put("user", p.user())
                .put("vhost", p.vhost())
                .put("configure", p.permission().configure())
                .put("write", p.permission().write())
                .put("read", p.permission().read());
    }

    /** An exchange name from a path: "amq.default" is the default exchange. */
    static String exchangeName(String fromPath) {
        return DEFAULT_EXCHANGE_ALIAS.equals(fromPath) ? "" : fromPath;
    }
}
