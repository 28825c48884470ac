package dev.warren.core.routing;

import dev.warren.core.Binding;
import dev.warren.core.message.Message;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;

/** Fanout exchange: every binding matches, whatever the routing key. */
public final class FanoutRouter implements ExchangeRouter {
    private final Set<Binding> bindings = new CopyOnWriteArraySet<>();

    @Override
    public void bind(Binding binding) {
        bindings.add(binding);
    }

    @Override
    public void unbind(Binding binding) {
        bindings.remove(binding);
    }

    @Override
    public void route(Message message, Consumer<Binding> sink) {
        bindings.forEach(sink);
    }
}
