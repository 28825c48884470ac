package dev.warren.core;

import dev.warren.core.routing.ConsistentHashRouter;
import dev.warren.core.routing.DirectRouter;
import dev.warren.core.routing.ExchangeRouter;
import dev.warren.core.routing.FanoutRouter;
import dev.warren.core.routing.HeadersMatcher;
import dev.warren.core.routing.HeadersRouter;
import dev.warren.core.routing.TopicRouter;
import java.util.Map;
import java.util.function.Function;

/**
 * The exchange types Warren knows, by the names clients declare them with: how each routes, and what each
 * refuses in a declaration or a binding.
 */
public enum ExchangeType {
    DIRECT("direct", arguments -> new DirectRouter()),
    FANOUT("fanout", arguments -> new FanoutRouter()),
    TOPIC("topic", arguments -> new TopicRouter()),
    HEADERS("headers", arguments -> new HeadersRouter()),
    /** RabbitMQ's bundled rabbitmq_consistent_hash_exchange plugin, always enabled here. */
    CONSISTENT_HASH("x-consistent-hash", ConsistentHashRouter::new),
    /** RabbitMQ's delayed-message plugin type: routes as its {@code x-delayed-type} once a delay is over. */
    DELAYED_MESSAGE("x-delayed-message", arguments -> Exchange.delayedType(arguments).newRouter(arguments));

    private final String typeName;
    /** Makes the router of one exchange from the exchange's arguments (never null). */
    private final Function<Map<String, Object>, ExchangeRouter> routerFactory;

    ExchangeType(String typeName, Function<Map<String, Object>, ExchangeRouter> routerFactory) {
        this.typeName = typeName;
        this.routerFactory = routerFactory;
    }

    public String typeName() {
        return typeName;
    }

    ExchangeRouter newRouter(Map<String, Object> arguments) {
        return routerFactory.apply(arguments);
    }

    /** Why a new exchange of this type cannot have these arguments (a PRECONDITION_FAILED detail), or null. */
    String invalidArguments(Map<String, Object> arguments) {
        return this == CONSISTENT_HASH ? ConsistentHashRouter.validateArguments(arguments) : null;
    }

    /** Why an exchange of this type refuses a binding (a PRECONDITION_FAILED detail), or null. */
    String invalidBinding(String routingKey, Map<String, Object> arguments) {
        switch (this) {
            case HEADERS:
                return HeadersMatcher.validate(arguments);
            case CONSISTENT_HASH:
                return ConsistentHashRouter.validateWeight(routingKey);
            default:
                return null;
        }
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
