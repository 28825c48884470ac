package dev.warren.core.policy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The keys a policy definition may hold and what each must be, checked when the policy is set, with
 * RabbitMQ 3.10's validation texts (values shown as Erlang terms, as its messages show them): each value
 * first, then the unknown keys all at once.
 *
 * <p>Honoured keys change queues and exchanges ({@link dev.warren.core.QueueArguments#withPolicy},
 * alternate exchanges). Keys for features Warren has no use for — mirroring ({@code ha-*}), queue modes and
 * versions, quorum queues' in-memory limits — are accepted and checked as RabbitMQ checks them, so an
 * operator's existing policies load, but change nothing.
 */
public final class PolicyDefinition {
    /** A key's check and the end of RabbitMQ's sentence "V is not a valid ...". */
    private record Rule(Predicate<Object> valid, String what) {
    }

    private static final Predicate<Object> STRING = v -> v instanceof String;
    private static final Predicate<Object> NON_NEGATIVE = v -> integer(v) && ((Number) v).longValue() >= 0;
    private static final Predicate<Object> POSITIVE = v -> integer(v) && ((Number) v).longValue() >= 1;

    private static final Map<String, Rule> RULES = new LinkedHashMap<>();
    /** Keys an operator policy may set; any other is refused as not recognised. */
    private static final Set<String> OPERATOR_KEYS = Set.of("expires", "message-ttl", "max-length", "max-length-bytes",
            "max-in-memory-length", "max-in-memory-bytes", "delivery-limit", "consumer-timeout");
    /** Accepted (and checked) but without effect in Warren. */
    public static final Set<String> IGNORED_KEYS = Set.of("queue-mode", "queue-version", "max-in-memory-length",
            "max-in-memory-bytes", "ha-mode", "ha-params", "ha-sync-mode", "ha-sync-batch-size",
            "ha-promote-on-shutdown", "ha-promote-on-failure", "queue-master-locator");

    static {
        RULES.put("alternate-exchange", new Rule(STRING, "alternate exchange name"));
        RULES.put("dead-letter-exchange", new Rule(STRING, "dead letter exchange name"));
        RULES.put("dead-letter-routing-key", new Rule(STRING, "dead letter routing key"));
        RULES.put("message-ttl", new Rule(NON_NEGATIVE, "message TTL"));
        RULES.put("expires", new Rule(POSITIVE, "queue expiry"));
        RULES.put("max-length", new Rule(NON_NEGATIVE, "maximum length"));
        RULES.put("max-length-bytes", new Rule(NON_NEGATIVE, "maximum length in bytes"));
        RULES.put("delivery-limit", new Rule(NON_NEGATIVE, "delivery limit"));
        RULES.put("consumer-timeout", new Rule(POSITIVE, "consumer timeout"));
        RULES.put("overflow", new Rule(oneOf("drop-head", "reject-publish", "reject-publish-dlx"), "overflow value"));
        RULES.put("max-in-memory-length", new Rule(NON_NEGATIVE, "maximum memory in bytes"));
        RULES.put("max-in-memory-bytes", new Rule(NON_NEGATIVE, "maximum memory in bytes"));
        RULES.put("queue-mode", new Rule(oneOf("default", "lazy"), "queue-mode value"));
        RULES.put("queue-version", new Rule(v -> integer(v) && (((Number) v).longValue() == 1 || ((Number) v).longValue() == 2),
                "queue-version value"));
        RULES.put("ha-mode", new Rule(oneOf("all", "exactly", "nodes"), "ha-mode value"));
        RULES.put("ha-params", new Rule(v -> true, "ha-params value"));
        RULES.put("ha-sync-mode", new Rule(oneOf("manual", "automatic"), "ha-sync-mode value"));
        RULES.put("ha-sync-batch-size", new Rule(POSITIVE, "ha-sync-batch-size value"));
        RULES.put("ha-promote-on-shutdown", new Rule(oneOf("when-synced", "always"), "ha-promote-on-shutdown value"));
        RULES.put("ha-promote-on-failure", new Rule(oneOf("when-synced", "always"), "ha-promote-on-failure value"));
        RULES.put("queue-master-locator", new Rule(oneOf("min-masters", "client-local", "random"), "queue-master-locator value"));
    }

    private PolicyDefinition() {
    }

    /**
     * Checks a definition for a layer and returns it as an unmodifiable copy in key order.
     *
     * @throws InvalidPolicyException with RabbitMQ's text for the first problem
     */
    public static Map<String, Object> validate(Map<String, Object> definition, PolicyLayer layer) {
        if (definition == null || definition.isEmpty()) {
            throw new InvalidPolicyException("no policy provided");
        }
        Map<String, Object> sorted = new TreeMap<>(definition);
        Map<String, Object> unknown = new TreeMap<>();
        for (Map.Entry<String, Object> e : sorted.entrySet()) {
            Rule rule = RULES.get(e.getKey());
            if (rule == null || (layer == PolicyLayer.OPERATOR && !OPERATOR_KEYS.contains(e.getKey()))) {
                unknown.put(e.getKey(), e.getValue());
            } else if (!rule.valid().test(e.getValue())) {
                throw new InvalidPolicyException(ErlangTerms.show(e.getValue()) + " is not a valid " + rule.what());
            }
        }
        if (!unknown.isEmpty()) {
            StringBuilder list = new StringBuilder("[");
            unknown.forEach((k, v) -> list.append(list.length() > 1 ? "," : "")
                    .append("{").append(ErlangTerms.show(k)).append(",").append(ErlangTerms.show(v)).append("}"));
            throw new InvalidPolicyException(list.append("] are not recognised policy settings").toString());
        }
        return Collections.unmodifiableMap(sorted);
    }

    private static boolean integer(Object v) {
        return v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
                || v instanceof java.math.BigInteger;
    }

    private static Predicate<Object> oneOf(String... values) {
        List<String> allowed = List.of(values);
        return v -> v instanceof String s && allowed.contains(s);
    }
}
