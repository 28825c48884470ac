package dev.warren.core;

import dev.warren.core.routing.DirectRouter;
import dev.warren.core.routing.ExchangeRouter;
import dev.warren.core.routing.FanoutRouter;
import dev.warren.core.routing.HeadersRouter;
import dev.warren.core.routing.TopicRouter;
import java.util.function.Supplier;

/** The exchange types Warren knows, by the names clients declare them with. */
public enum ExchangeType {
    DIRECT("direct", DirectRouter::new),
    FANOUT("fanout", FanoutRouter::new),
    TOPIC("topic", TopicRouter::new),
    HEADERS("headers", HeadersRouter::new),
    /** RabbitMQ's delayed-message plugin type: routes as its {@code x-delayed-type} once a delay is over. */
    DELAYED_MESSAGE("x-delayed-message", null);

    private final String typeName;
    private final Supplier<ExchangeRouter> routerFactory;

    ExchangeType(String typeName, Supplier<ExchangeRouter> routerFactory) {
        this.typeName = typeName;
        this.routerFactory = routerFactory;
    }

    public String typeName() {
        return typeName;
    }

    ExchangeRouter newRouter() {
        if (routerFactory == null) {
            throw new IllegalStateException(typeName + " routes as another type");
        }
        return routerFactory.get();
    }

    /** The type with this name; an unknown name is COMMAND_INVALID (a connection error), as in RabbitMQ. */
    public static ExchangeType named(String name) {
        for (ExchangeType type : values()) {
            if (type.typeName.equals(name)) {
                return type;
            }
        }
        throw AmqpException.of(ReplyCode.COMMAND_INVALID, "unknown exchange type '%s'", name);
    }
}
