package dev.warren.core.routing;

import dev.warren.core.Binding;
import dev.warren.core.message.Message;
import java.util.function.Consumer;

/** Fanout exchange: every binding matches, whatever the routing key. */
public final class FanoutRouter extends BindingSetRouter {
    @Override
    public void route(Message message, String routingKey, Consumer<Binding> sink) {
        bindings.forEach(sink);
    }
}
