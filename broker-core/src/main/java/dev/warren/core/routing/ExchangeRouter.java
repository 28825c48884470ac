package dev.warren.core.routing;

import dev.warren.core.Binding;
import dev.warren.core.message.Message;
import java.util.function.Consumer;

/**
 * The routing logic of one exchange type. bind and unbind are called under the virtual host's definitions
 * lock; route may run at the same time on any event loop, so implementations keep lock-free structures.
 * A binding may be reported more than once; the caller de-duplicates destinations.
 */
public interface ExchangeRouter {
    void bind(Binding binding);

    void unbind(Binding binding);

    /** Reports the bindings a message matches with {@code routingKey} (its own, or a CC/BCC key). */
    void route(Message message, String routingKey, Consumer<Binding> sink);
}
