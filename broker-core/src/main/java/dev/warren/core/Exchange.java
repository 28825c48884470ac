package dev.warren.core;

import dev.warren.core.message.Message;
import dev.warren.core.policy.Policy;
import dev.warren.core.routing.ExchangeRouter;
import dev.warren.core.stats.ExchangeCounters;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * An exchange: its definition and its router. Bindings from it are added and removed by its
 * {@link VirtualHost} under the definitions lock; routing reads lock-free from any event loop.
 */
public final class Exchange implements BindingDestination {
    private final String name;
    private final ExchangeType type;
    private final boolean durable;
    private final boolean autoDelete;
    private final boolean internal;
    private final Map<String, Object> arguments;
    private final ExchangeRouter router;
    /** The alternate exchange's name from the argument {@code alternate-exchange}, or null. */
    private final String alternateExchange;
    /** The policy this exchange takes, or null; set under the vhost's lock. */
    private volatile Policy policy;
    /** The alternate exchange the policy names, or null. */
    private volatile String policyAlternateExchange;
    private final Set<Binding> bindings = ConcurrentHashMap.newKeySet();
    /** publish_in and publish_out, counted by the publishing channels. */
    private final ExchangeCounters counters = new ExchangeCounters();
    /** What an x-delayed-message exchange holds until due; null for other types. */
    private DelayedMessages delayed;

    Exchange(String name, ExchangeType type, boolean durable, boolean autoDelete, boolean internal,
             Map<String, Object> arguments) {
        this.name = name;
        this.type = type;
        this.durable = durable;
        this.autoDelete = autoDelete;
        this.internal = internal;
        // not Map.copyOf: an argument may be void (null)
        this.arguments = arguments == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(arguments));
        this.router = type.newRouter(this.arguments);
        this.alternateExchange = this.arguments.get("alternate-exchange") instanceof String ae ? ae : null;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return "exchange";
    }

    public ExchangeType type() {
        return type;
    }

    public boolean durable() {
        return durable;
    }

    public boolean autoDelete() {
        return autoDelete;
    }

    public boolean internal() {
        return internal;
    }

    public Map<String, Object> arguments() {
        return arguments;
    }

    /**
     * Where messages this exchange cannot route go instead (RabbitMQ's alternate exchange), or null: the
     * argument's, else the policy's, as RabbitMQ resolves the two.
     */
    public String alternateExchange() {
        return alternateExchange != null ? alternateExchange : policyAlternateExchange;
    }

    /** The policy this exchange takes now, or null. */
    public Policy policy() {
        return policy;
    }

    void applyPolicy(Policy now) {
        policy = now;
        policyAlternateExchange = now != null && now.definition().get("alternate-exchange") instanceof String ae ? ae : null;
    }

    /**
     * The type an {@code x-delayed-message} exchange routes as: its {@code x-delayed-type} argument, which
     * must name another type (406 in RabbitMQ's words; an unknown name is 503 as for exchange.declare).
     */
    static ExchangeType delayedType(Map<String, Object> arguments) {
        if (arguments.get("x-delayed-type") instanceof String name) {
            ExchangeType type = ExchangeType.named(name);
            if (type != ExchangeType.DELAYED_MESSAGE) {
                return type;
            }
        }
        throw new AmqpException(ReplyCode.PRECONDITION_FAILED, "Invalid argument, 'x-delayed-type' must be an existing exchange type");
    }

    /** The messages an x-delayed-message exchange holds until their delay is over, or null for other types. */
    public DelayedMessages delayed() {
        return delayed;
    }

    void delayed(DelayedMessages messages) {
        this.delayed = messages;
    }

    /** Messages published to this exchange and the copies it routed to queues; any thread. */
    public ExchangeCounters counters() {
        return counters;
    }

    /** The default exchange, which routes to the queue named by the routing key. */
    public boolean isDefault() {
        return name.isEmpty();
    }

    /** Bindings with this exchange as their source. */
    public Set<Binding> bindings() {
        return Set.copyOf(bindings);
    }

    boolean hasBindings() {
        return !bindings.isEmpty();
    }

    void addBinding(Binding binding) {
        if (bindings.add(binding)) {
            router.bind(binding);
        }
    }

    boolean removeBinding(Binding binding) {
        if (bindings.remove(binding)) {
            router.unbind(binding);
            return true;
        }
        return false;
    }

    void route(Message message, String routingKey, Consumer<Binding> sink) {
        router.route(message, routingKey, sink);
    }
}
