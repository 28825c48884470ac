package dev.warren.core.routing;

import dev.warren.core.Binding;
import dev.warren.core.message.Message;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;

/** Headers exchange: a binding matches on the message's headers table, with x-match all or any. */
public final class HeadersRouter implements ExchangeRouter {
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
        if (bindings.isEmpty()) {
            return;
        }
        Map<String, Object> headers = message.headers();
        for (Binding binding : bindings) {
            if (HeadersMatcher.matches(binding.arguments(), headers)) {
                sink.accept(binding);
            }
        }
    }
}
