package dev.warren.store;

import dev.warren.core.limits.Limits;
import dev.warren.core.policy.Policy;
import dev.warren.core.store.Definitions;
import dev.warren.core.store.Definitions.BindingDefinition;
import dev.warren.core.store.Definitions.ExchangeDefinition;
import dev.warren.core.store.Definitions.QueueDefinition;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One virtual host's stored definitions keyed the way the change log names them: exchanges and queues by
 * name, bindings by their whole identity (source, destination, type, routing key, arguments), policies and
 * operator policies by name, limits as one value. {@link #diff} finds what a newer {@link Definitions}
 * changed, {@link #apply} applies such a change; applying the same change twice leaves the same state, and
 * so does replaying a run of changes over the state they led to (each key ends as the last change that
 * touched it left it).
 *
 * <p>Not thread-safe: used by the definitions writer thread, or by one thread while loading (and by a cluster's
 * metadata store, {@code dev.warren.store.raft}, under its own lock).
 */
public final class StoredVhost {
    private final Map<String, ExchangeDefinition> exchanges = new LinkedHashMap<>();
    private final Map<String, QueueDefinition> queues = new LinkedHashMap<>();
    private final Set<BindingDefinition> bindings = new LinkedHashSet<>();
    private Limits limits = Limits.NONE;
    private final Map<String, Policy> policies = new LinkedHashMap<>();
    private final Map<String, Policy> operatorPolicies = new LinkedHashMap<>();

    /**
     * A change to one virtual host: {@code removed} items go first (only their keys count), then {@code put}
     * items are added or replace the item of the same key; the limits become {@code put.limits()} when
     * {@code limitsChanged}.
     */
    public record Change(Definitions put, Definitions removed, boolean limitsChanged) {
        public boolean isEmpty() {
            return !limitsChanged && put.exchanges().isEmpty() && put.queues().isEmpty() && put.bindings().isEmpty()
                    && put.policies().isEmpty() && put.operatorPolicies().isEmpty() && removed.exchanges().isEmpty()
                    && removed.queues().isEmpty() && removed.bindings().isEmpty() && removed.policies().isEmpty()
                    && removed.operatorPolicies().isEmpty();
        }
    }

    public static StoredVhost of(Definitions definitions) {
        StoredVhost vhost = new StoredVhost();
        vhost.apply(vhost.diff(definitions));
        return vhost;
    }

    public Definitions definitions() {
        return new Definitions(List.copyOf(exchanges.values()), List.copyOf(queues.values()), List.copyOf(bindings), limits,
                List.copyOf(policies.values()), List.copyOf(operatorPolicies.values()));
    }

    /** What turns this state into {@code newer}. Reads both, changes neither. */
    public Change diff(Definitions newer) {
        List<ExchangeDefinition> putExchanges = new ArrayList<>();
        List<ExchangeDefinition> removedExchanges = new ArrayList<>();
        keyed(newer.exchanges(), exchanges, ExchangeDefinition::name, Objects::equals, putExchanges, removedExchanges);
        List<QueueDefinition> putQueues = new ArrayList<>();
        List<QueueDefinition> removedQueues = new ArrayList<>();
        keyed(newer.queues(), queues, QueueDefinition::name, Objects::equals, putQueues, removedQueues);
        List<Policy> putPolicies = new ArrayList<>();
        List<Policy> removedPolicies = new ArrayList<>();
        keyed(newer.policies(), policies, Policy::name, StoredVhost::samePolicy, putPolicies, removedPolicies);
        List<Policy> putOperator = new ArrayList<>();
        List<Policy> removedOperator = new ArrayList<>();
        keyed(newer.operatorPolicies(), operatorPolicies, Policy::name, StoredVhost::samePolicy, putOperator, removedOperator);

        List<BindingDefinition> putBindings = new ArrayList<>();
        int kept = 0;
        for (BindingDefinition b : newer.bindings()) {
            if (bindings.contains(b)) {
                kept++;
            } else {
                putBindings.add(b);
            }
        }
        List<BindingDefinition> removedBindings = new ArrayList<>();
        if (kept < bindings.size()) {
            Set<BindingDefinition> current = new HashSet<>(newer.bindings());
            for (BindingDefinition b : bindings) {
                if (!current.contains(b)) {
                    removedBindings.add(b);
                }
            }
        }
        boolean limitsChanged = !limits.equals(newer.limits());
        return new Change(
                new Definitions(putExchanges, putQueues, putBindings, limitsChanged ? newer.limits() : Limits.NONE, putPolicies,
                        putOperator),
                new Definitions(removedExchanges, removedQueues, removedBindings, Limits.NONE, removedPolicies, removedOperator),
                limitsChanged);
    }

    public void apply(Change change) {
        change.removed().exchanges().forEach(e -> exchanges.remove(e.name()));
        change.removed().queues().forEach(q -> queues.remove(q.name()));
        change.removed().bindings().forEach(bindings::remove);
        change.removed().policies().forEach(p -> policies.remove(p.name()));
        change.removed().operatorPolicies().forEach(p -> operatorPolicies.remove(p.name()));
        change.put().exchanges().forEach(e -> exchanges.put(e.name(), e));
        change.put().queues().forEach(q -> queues.put(q.name(), q));
        bindings.addAll(change.put().bindings());
        change.put().policies().forEach(p -> policies.put(p.name(), p));
        change.put().operatorPolicies().forEach(p -> operatorPolicies.put(p.name(), p));
        if (change.limitsChanged()) {
            limits = change.put().limits();
        }
    }

    /**
     * Items of {@code newer} that are new or differ go to {@code put}; items stored under a key {@code newer}
     * lacks go to {@code removed}. Allocates only for the changes (and a key set when something was removed).
     */
    private static <T> void keyed(List<T> newer, Map<String, T> stored, java.util.function.Function<T, String> key,
                                  java.util.function.BiPredicate<T, T> same, List<T> put, List<T> removed) {
        int kept = 0;
        for (T item : newer) {
            T old = stored.get(key.apply(item));
            if (old == null) {
                put.add(item);
            } else {
                kept++;
                if (old != item && !same.test(old, item)) {
                    put.add(item);
                }
            }
        }
        if (kept < stored.size()) {
            Set<String> keys = new HashSet<>();
            newer.forEach(item -> keys.add(key.apply(item)));
            stored.forEach((k, item) -> {
                if (!keys.contains(k)) {
                    removed.add(item);
                }
            });
        }
    }

    /** Policies have no equals: the same name, pattern, apply-to, priority and definition. */
    private static boolean samePolicy(Policy a, Policy b) {
        return a.name().equals(b.name()) && a.pattern().equals(b.pattern()) && a.applyTo() == b.applyTo()
                && a.priority() == b.priority() && a.definition().equals(b.definition());
    }
}
