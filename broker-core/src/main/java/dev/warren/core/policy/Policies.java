package dev.warren.core.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The policies and operator policies of one virtual host, and which of them an object takes: of the
 * policies of a layer that match it, the one with the highest priority (ties go to the first name, where
 * RabbitMQ leaves them to its table's order). Matching runs when an object is declared and when a policy
 * changes, never per message: objects keep what they resolved.
 *
 * <p>Threading: changed under the owning virtual host's lock; read from any thread (copy on write).
 */
public final class Policies {
    private volatile Map<String, Policy> policies = Map.of();
    private volatile Map<String, Policy> operatorPolicies = Map.of();

    public Collection<Policy> list(PolicyLayer layer) {
        List<Policy> sorted = new ArrayList<>(layer(layer).values());
        sorted.sort(Comparator.comparing(Policy::name));
        return sorted;
    }

    public Policy get(PolicyLayer layer, String name) {
        return layer(layer).get(name);
    }

    /** Adds or replaces the policy of its name. */
    public void put(PolicyLayer layer, Policy policy) {
        Map<String, Policy> next = new TreeMap<>(layer(layer));
        next.put(policy.name(), policy);
        set(layer, next);
    }

    /** Removes the named policy; returns it, or null when there was none. */
    public Policy remove(PolicyLayer layer, String name) {
        Map<String, Policy> next = new TreeMap<>(layer(layer));
        Policy removed = next.remove(name);
        set(layer, next);
        return removed;
    }

    public boolean isEmpty() {
        return policies.isEmpty() && operatorPolicies.isEmpty();
    }

    /** The policy of the layer a queue (or exchange) of this name takes, or null. */
    public Policy match(PolicyLayer layer, boolean queue, String objectName) {
        Policy best = null;
        for (Policy p : layer(layer).values()) {
            if (p.beats(best) && p.matches(queue, objectName)) {
                best = p;
            }
        }
        return best;
    }

    /** Both layers' policies for a queue (or exchange) of this name. */
    public AppliedPolicies applied(boolean queue, String objectName) {
        Policy policy = match(PolicyLayer.POLICY, queue, objectName);
        Policy operatorPolicy = queue ? match(PolicyLayer.OPERATOR, true, objectName) : null;
        return policy == null && operatorPolicy == null ? AppliedPolicies.NONE : new AppliedPolicies(policy, operatorPolicy);
    }

    /**
     * What a policy and an operator policy (either may be null) give an object together, as RabbitMQ's
     * {@code effective_policy_definition}: the keys of both, the lower value where both give one.
     */
    public static Map<String, Object> effective(Policy policy, Policy operatorPolicy) {
        if (operatorPolicy == null) {
            return policy == null ? Map.of() : policy.definition();
        }
        Map<String, Object> merged = new TreeMap<>(policy == null ? Map.of() : policy.definition());
        operatorPolicy.definition().forEach((key, value) -> merged.merge(key, value, Policies::lower));
        return merged;
    }

    /** Operator policies carry only numeric keys, whose merge is the minimum. */
    private static Object lower(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return x.longValue() <= y.longValue() ? a : b;
        }
        return b;
    }

    private Map<String, Policy> layer(PolicyLayer layer) {
        return layer == PolicyLayer.POLICY ? policies : operatorPolicies;
    }

    private void set(PolicyLayer layer, Map<String, Policy> next) {
        Map<String, Policy> copy = new LinkedHashMap<>(next);
        if (layer == PolicyLayer.POLICY) {
            policies = copy;
        } else {
            operatorPolicies = copy;
        }
    }
}
