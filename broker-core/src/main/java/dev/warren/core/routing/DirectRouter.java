package dev.warren.core.routing;

import dev.warren.core.Binding;
import dev.warren.core.message.Message;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;

/** Direct exchange: a binding matches when its key equals the routing key. */
public final class DirectRouter implements ExchangeRouter {
    private final ConcurrentHashMap<String, Set<Binding>> byKey = new ConcurrentHashMap<>();

    @Override
    public void bind(Binding binding) {
        byKey.computeIfAbsent(binding.routingKey(), k -> new CopyOnWriteArraySet<>()).add(binding);
    }

    @Override
    public void unbind(Binding binding) {
        byKey.computeIfPresent(binding.routingKey(), (k, set) -> {
            set.remove(binding);
            return set.isEmpty() ? null : set;
        });
    }

    @Override
    public void route(Message message, String routingKey, Consumer<Binding> sink) {
        Set<Binding> bindings = byKey.get(routingKey);
        if (bindings != null) {
            bindings.forEach(sink);
        }
    }
}
