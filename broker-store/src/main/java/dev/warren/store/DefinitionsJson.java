package dev.warren.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warren.core.auth.Permission;
import dev.warren.core.limits.Limits;
import dev.warren.core.policy.ApplyTo;
import dev.warren.core.policy.Policy;
import dev.warren.core.policy.PolicyLayer;
import dev.warren.core.auth.TopicPermission;
import dev.warren.core.auth.User;
import dev.warren.core.auth.UserPermission;
import dev.warren.core.store.BrokerDefinitions;
import dev.warren.core.store.Definitions;
import dev.warren.core.store.Definitions.BindingDefinition;
import dev.warren.core.store.Definitions.ExchangeDefinition;
import dev.warren.core.store.Definitions.QueueDefinition;
import dev.warren.core.store.SecurityDefinitions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * RabbitMQ's definitions format (the JSON of {@code rabbitmqctl export_definitions} and GET
 * /api/definitions): users, vhosts, permissions, exchanges, queues, bindings. Used for the definitions
 * file and for import/export, so either reads what the other wrote, and RabbitMQ's exports load.
 */
public final class DefinitionsJson {
    public static final String HASHING_ALGORITHM = "rabbit_password_hashing_sha256";
    /** A queue's home node in a cluster (Warren's own field; definitions outside a cluster never have it). */
    static final String HOME_NODE_FIELD = "warren_home_node";
    private static final ObjectMapper JSON = new ObjectMapper();

    private DefinitionsJson() {
    }

    public static ObjectNode write(BrokerDefinitions definitions) {
        ObjectNode root = JSON.createObjectNode();
        root.put("product_name", "Warren");
        ArrayNode users = root.putArray("users");
        ArrayNode vhosts = root.putArray("vhosts");
        ArrayNode permissions = root.putArray("permissions");
        ArrayNode topicPermissions = root.putArray("topic_permissions");
        ArrayNode exchanges = root.putArray("exchanges");
        ArrayNode queues = root.putArray("queues");
        ArrayNode bindings = root.putArray("bindings");
        ArrayNode parameters = root.putArray("parameters");
        ArrayNode policies = root.putArray("policies");
        definitions.security().ifPresent(s -> {
            for (User u : s.users()) {
                ObjectNode n = users.addObject().put("name", u.name()).put("password_hash", u.passwordHash())
                        .put("hashing_algorithm", HASHING_ALGORITHM);
                ArrayNode tags = n.putArray("tags");
                u.tags().stream().sorted().forEach(tags::add);
                ObjectNode limits = n.putObject("limits");
                s.userLimits().getOrDefault(u.name(), Limits.NONE).values().forEach(limits::put);
            }
            for (UserPermission p : s.permissions()) {
                permissions.addObject().put("user", p.user()).put("vhost", p.vhost())
                        .put("configure", p.permission().configure()).put("write", p.permission().write())
                        .put("read", p.permission().read());
            }
            for (TopicPermission t : s.topicPermissions()) {
                topicPermissions.addObject().put("user", t.user()).put("vhost", t.vhost()).put("exchange", t.exchange())
                        .put("write", t.write()).put("read", t.read());
            }
        });
        definitions.vhosts().forEach((vhost, d) -> {
            vhosts.addObject().put("name", vhost);
            if (!d.limits().isEmpty()) { // RabbitMQ keeps vhost limits as a runtime parameter
                ObjectNode value = parameters.addObject().put("component", "vhost-limits").put("name", "limits")
                        .put("vhost", vhost).putObject("value");
                d.limits().values().forEach(value::put);
            }
            for (Policy p : d.policies()) {
                policy(policies.addObject().put("vhost", vhost).put("name", p.name()), p);
            }
            for (Policy p : d.operatorPolicies()) { // RabbitMQ keeps operator policies as runtime parameters
                ObjectNode n = parameters.addObject().put("vhost", vhost).put("component", PolicyLayer.OPERATOR.value())
                        .put("name", p.name());
                policy(n.putObject("value"), p);
            }
            for (ExchangeDefinition e : d.exchanges()) {
                ObjectNode n = exchanges.addObject().put("name", e.name()).put("vhost", vhost).put("type", e.type())
                        .put("durable", true).put("auto_delete", e.autoDelete()).put("internal", e.internal());
                n.set("arguments", JSON.valueToTree(e.arguments()));
            }
            for (QueueDefinition q : d.queues()) {
                ObjectNode n = queues.addObject().put("name", q.name()).put("vhost", vhost).put("durable", true)
                        .put("auto_delete", q.autoDelete());
                n.set("arguments", JSON.valueToTree(q.arguments()));
                if (q.home() != null) {
                    n.put(HOME_NODE_FIELD, q.home()); // in a cluster only; RabbitMQ's import ignores it
                }
            }
            for (BindingDefinition b : d.bindings()) {
                ObjectNode n = bindings.addObject().put("source", b.source()).put("vhost", vhost)
                        .put("destination", b.destination()).put("destination_type", b.destinationType())
                        .put("routing_key", b.routingKey());
                n.set("arguments", JSON.valueToTree(b.arguments()));
            }
        });
        return root;
    }

    /**
     * Reads definitions; security is empty when the document has no "users" section. Non-durable exchanges
     * and queues in a RabbitMQ export are skipped: only durable ones are definitions.
     *
     * @throws IllegalArgumentException naming what is wrong, e.g. an unsupported password hashing algorithm
     */
    public static BrokerDefinitions read(JsonNode root) {
        Map<String, List<ExchangeDefinition>> exchanges = new LinkedHashMap<>();
        Map<String, List<QueueDefinition>> queues = new LinkedHashMap<>();
        Map<String, List<BindingDefinition>> bindings = new LinkedHashMap<>();
        Set<String> names = new LinkedHashSet<>();
        for (JsonNode v : root.path("vhosts")) {
            names.add(v.path("name").asText());
        }
        for (JsonNode e : root.path("exchanges")) {
            if (e.path("durable").asBoolean(true)) {
                exchanges.computeIfAbsent(vhostOf(e, names), k -> new ArrayList<>()).add(new ExchangeDefinition(
                        e.path("name").asText(), e.path("type").asText(), e.path("auto_delete").asBoolean(),
                        e.path("internal").asBoolean(), arguments(e)));
            }
        }
        for (JsonNode q : root.path("queues")) {
            if (q.path("durable").asBoolean(true)) {
                queues.computeIfAbsent(vhostOf(q, names), k -> new ArrayList<>()).add(new QueueDefinition(
                        q.path("name").asText(), q.path("auto_delete").asBoolean(), arguments(q),
                        q.path(HOME_NODE_FIELD).isTextual() ? q.get(HOME_NODE_FIELD).asText() : null));
            }
        }
        for (JsonNode b : root.path("bindings")) {
            bindings.computeIfAbsent(vhostOf(b, names), k -> new ArrayList<>()).add(new BindingDefinition(
                    b.path("source").asText(), b.path("destination").asText(), b.path("destination_type").asText("queue"),
                    b.path("routing_key").asText(), arguments(b)));
        }
        Map<String, Limits> limits = new LinkedHashMap<>();
        Map<String, List<Policy>> operatorPolicies = new LinkedHashMap<>();
        for (JsonNode p : root.path("parameters")) {
            if (p.path("component").asText().equals("vhost-limits")) {
                limits.put(vhostOf(p, names), limits(p.path("value"), Limits.VHOST_KEYS));
            } else if (p.path("component").asText().equals(PolicyLayer.OPERATOR.value())) {
                String vhost = vhostOf(p, names);
                operatorPolicies.computeIfAbsent(vhost, k -> new ArrayList<>())
                        .add(policy(PolicyLayer.OPERATOR, vhost, p.path("name").asText(), p.path("value")));
            }
        }
        Map<String, List<Policy>> policies = new LinkedHashMap<>();
        for (JsonNode p : root.path("policies")) {
            String vhost = vhostOf(p, names);
            policies.computeIfAbsent(vhost, k -> new ArrayList<>()).add(policy(PolicyLayer.POLICY, vhost, p.path("name").asText(), p));
        }
        Map<String, Definitions> byVhost = new LinkedHashMap<>();
        for (String vhost : names) {
            byVhost.put(vhost, new Definitions(exchanges.getOrDefault(vhost, List.of()),
                    queues.getOrDefault(vhost, List.of()), bindings.getOrDefault(vhost, List.of()),
                    limits.getOrDefault(vhost, Limits.NONE), policies.getOrDefault(vhost, List.of()),
                    operatorPolicies.getOrDefault(vhost, List.of())));
        }
        return new BrokerDefinitions(byVhost, root.has("users") ? Optional.of(security(root)) : Optional.empty());
    }

    private static SecurityDefinitions security(JsonNode root) {
        List<User> users = new ArrayList<>();
        Map<String, Limits> userLimits = new LinkedHashMap<>();
        for (JsonNode u : root.path("users")) {
            String name = u.path("name").asText();
            String algorithm = u.path("hashing_algorithm").asText(HASHING_ALGORITHM);
            if (!algorithm.equals(HASHING_ALGORITHM)) {
                throw new IllegalArgumentException("user '" + name + "': password hashing algorithm '" + algorithm
                        + "' is not supported (only " + HASHING_ALGORITHM + ")");
            }
            users.add(new User(name, u.path("password_hash").asText(), tags(u.path("tags"))));
            Limits limits = limits(u.path("limits"), Limits.USER_KEYS);
            if (!limits.isEmpty()) {
                userLimits.put(name, limits);
            }
        }
        List<UserPermission> permissions = new ArrayList<>();
        for (JsonNode p : root.path("permissions")) {
            permissions.add(new UserPermission(p.path("user").asText(), p.path("vhost").asText(),
                    new Permission(p.path("configure").asText(), p.path("write").asText(), p.path("read").asText())));
        }
        List<TopicPermission> topicPermissions = new ArrayList<>();
        for (JsonNode t : root.path("topic_permissions")) {
            topicPermissions.add(TopicPermission.of(t.path("user").asText(), t.path("vhost").asText(),
                    t.path("exchange").asText(), t.path("write").asText(), t.path("read").asText()));
        }
        return new SecurityDefinitions(users, permissions, topicPermissions, userLimits);
    }

    private static void policy(ObjectNode n, Policy p) {
        n.put("pattern", p.pattern()).put("apply-to", p.applyTo().value());
        n.set("definition", JSON.valueToTree(p.definition()));
        n.put("priority", p.priority());
    }

    /** A policy as RabbitMQ exports it ({pattern, apply-to, definition, priority}), checked as when it is set. */
    @SuppressWarnings("unchecked")
    private static Policy policy(PolicyLayer layer, String vhost, String name, JsonNode n) {
        try {
            return Policy.of(layer, name, n.path("pattern").asText(), ApplyTo.named(n.path("apply-to").asText("all")),
                    n.path("priority").asInt(0), definition(n.path("definition")));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(layer.value().replace('_', ' ') + " '" + name + "' in vhost '" + vhost
                    + "': " + e.getMessage(), e);
        }
    }

    /**
     * A policy definition: a JSON object, or the list of [key, value] pairs RabbitMQ 3.10 exports an operator
     * policy's definition as.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> definition(JsonNode node) {
        if (node.isObject()) {
            return JSON.convertValue(node, Map.class);
        }
        Map<String, Object> pairs = new LinkedHashMap<>();
        for (JsonNode pair : node) {
            if (pair.isArray() && pair.size() == 2) {
                pairs.put(pair.get(0).asText(), JSON.convertValue(pair.get(1), Object.class));
            }
        }
        return pairs;
    }

    /** Limits from a JSON object, as set_vhost_limits / set_user_limits take them (an array or absent: none). */
    private static Limits limits(JsonNode value, Set<String> allowed) {
        if (!value.isObject()) {
            return Limits.NONE;
        }
        return Limits.parse(JSON.convertValue(value, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { }),
                allowed);
    }

    /** Tags as a list (RabbitMQ 3.10+) or a comma-separated string (older exports). */
    private static Set<String> tags(JsonNode node) {
        Set<String> tags = new LinkedHashSet<>();
        if (node.isArray()) {
            node.forEach(t -> tags.add(t.asText()));
        } else {
            for (String t : node.asText("").split(",")) {
                if (!t.isBlank()) {
                    tags.add(t.trim());
                }
            }
        }
        return tags;
    }

    /** The item's vhost, which also counts as defined when the vhosts list did not name it. */
    private static String vhostOf(JsonNode node, Set<String> names) {
        String vhost = node.path("vhost").asText("/");
        names.add(vhost);
        return vhost;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> arguments(JsonNode node) {
        JsonNode arguments = node.path("arguments");
        return arguments.isObject() ? JSON.convertValue(arguments, Map.class) : Map.of();
    }
}
