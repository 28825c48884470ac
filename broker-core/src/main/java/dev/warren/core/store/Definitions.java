package dev.warren.core.store;

import dev.warren.core.limits.Limits;
import dev.warren.core.policy.Policy;
import java.util.List;
import java.util.Map;

/**
 * The durable exchanges, queues and bindings of one virtual host, its limits, policies and operator policies,
 * as they are stored and restored.
 */
public record Definitions(List<ExchangeDefinition> exchanges, List<QueueDefinition> queues,
                          List<BindingDefinition> bindings, Limits limits, List<Policy> policies,
                          List<Policy> operatorPolicies) {
    public static final Definitions EMPTY = new Definitions(List.of(), List.of(), List.of());

    /** Exchanges, queues and bindings of a virtual host without limits. */
    public Definitions(List<ExchangeDefinition> exchanges, List<QueueDefinition> queues, List<BindingDefinition> bindings) {
        this(exchanges, queues, bindings, Limits.NONE);
    }

    /** Exchanges, queues, bindings and limits of a virtual host without policies. */
    public Definitions(List<ExchangeDefinition> exchanges, List<QueueDefinition> queues, List<BindingDefinition> bindings,
                       Limits limits) {
        this(exchanges, queues, bindings, limits, List.of(), List.of());
    }

    public record ExchangeDefinition(String name, String type, boolean autoDelete, boolean internal,
                                     Map<String, Object> arguments) {
    }

    public record QueueDefinition(String name, boolean autoDelete, Map<String, Object> arguments) {
    }

    /** {@code destinationType} is "queue" or "exchange", as in RabbitMQ's definitions. */
    public record BindingDefinition(String source, String destination, String destinationType, String routingKey,
                                    Map<String, Object> arguments) {
    }
}
