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

    /**
     * {@code home} is the cluster node that holds the queue's messages (the node it was declared on); null means
     * this node, as every queue of a broker outside a cluster.
     */
    public record QueueDefinition(String name, boolean autoDelete, Map<String, Object> arguments, String home) {
        /** A queue of this node. */
        public QueueDefinition(String name, boolean autoDelete, Map<String, Object> arguments) {
            this(name, autoDelete, arguments, null);
        }

        public QueueDefinition withHome(String node) {
            return new QueueDefinition(name, autoDelete, arguments, node);
        }

        /**
         * Whether the queue's messages are on another node than {@code node}. A quorum queue's are on its members,
         * and every node reaches it, so it is never another node's.
         */
        public boolean isRemote(String node) {
            return home != null && !home.equals(node) && !dev.warren.core.QueueArguments.isQuorum(arguments);
        }
    }

    /** {@code destinationType} is "queue" or "exchange", as in RabbitMQ's definitions. */
    public record BindingDefinition(String source, String destination, String destinationType, String routingKey,
                                    Map<String, Object> arguments) {
    }
}
