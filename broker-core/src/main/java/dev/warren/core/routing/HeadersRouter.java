package dev.warren.core.routing;

import dev.warren.core.Binding;
import dev.warren.core.message.Message;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Headers exchange: a binding matches on the message's headers table, with x-match all or any. Each
 * binding's arguments are compiled when it is bound ({@link HeadersMatcher#compile}), not per message.
 */
public final class HeadersRouter implements ExchangeRouter {
    private record Compiled(Binding binding, HeadersMatcher.Compiled matcher) {
    }

    /** Replaced whole on bind and unbind (under the vhost lock); routing reads it without a lock or a copy. */
    private volatile Compiled[] bindings = new Compiled[0];

    @Override
    public void bind(Binding binding) {
        Compiled[] now = Arrays.copyOf(bindings, bindings.length + 1);
        now[now.length - 1] = new Compiled(binding, HeadersMatcher.compile(binding.arguments()));
        bindings = now;
    }

    @Override
    public void unbind(Binding binding) {
        bindings = Arrays.stream(bindings).filter(c -> !c.binding().equals(binding)).toArray(Compiled[]::new);
    }

    @Override
    public void route(Message message, String routingKey, Consumer<Binding> sink) {
        Compiled[] now = bindings;
        if (now.length == 0) {
            return;
        }
        Map<String, Object> headers = message.headers();
        for (Compiled compiled : now) {
            if (compiled.matcher().matches(headers)) {
                sink.accept(compiled.binding());
            }
        }
    }
}
