package dev.warren.core.routing;

import dev.warren.core.Binding;
import dev.warren.core.message.Message;
import java.util.Map;
import java.util.function.Consumer;

/** Headers exchange: a binding matches on the message's headers table, with x-match all or any. */
public final class HeadersRouter extends BindingSetRouter {
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
