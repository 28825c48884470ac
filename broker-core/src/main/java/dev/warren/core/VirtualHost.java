package dev.warren.core;

import dev.warren.core.cluster.HomeConsumers;
import dev.warren.core.limits.Limits;
import dev.warren.core.message.FieldValues;
import dev.warren.core.message.Message;
import dev.warren.core.message.SenderSelected;
import dev.warren.core.policy.AppliedPolicies;
import dev.warren.core.policy.Policies;
import dev.warren.core.policy.Policy;
import dev.warren.core.policy.PolicyDefinition;
import dev.warren.core.policy.PolicyLayer;
import dev.warren.core.quorum.QuorumCommand;
import dev.warren.core.quorum.QuorumLogs;
import dev.warren.core.quorum.QuorumQueueState;
import dev.warren.core.store.Definitions;
import dev.warren.core.store.Definitions.BindingDefinition;
import dev.warren.core.store.Definitions.ExchangeDefinition;
import dev.warren.core.store.Definitions.QueueDefinition;
import dev.warren.core.store.RecoveredQueue;
import dev.warren.core.stats.MessageStats;
import dev.warren.core.store.Storage;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * A virtual host: its exchanges, queues and bindings.
 *
 * <p>Threading: definitions (declare, delete, bind, unbind) change under this object's lock, from any
 * connection's thread; they are rare next to messages. Lookups and routing read concurrent maps and
 * the routers' lock-free structures, so the message path takes no lock.
 *
 * <p>Durability: a change that touches a durable exchange, queue or binding is handed to the definition
 * store before the method returns, and {@link #definitionsDurable()} says when it is on disk; the client
 * hears declare-ok only then. The file is written on the store's thread, never under this lock.
 */
public final class VirtualHost {
    private static final List<String[]> STANDARD_EXCHANGES = List.of(
            new String[] {"amq.direct", "direct"},
            new String[] {"amq.fanout", "fanout"},
            new String[] {"amq.topic", "topic"},
            new String[] {"amq.headers", "headers"},
            new String[] {"amq.match", "headers"});
    /** Queue arguments compared when a queue is declared again, as RabbitMQ compares them. */
    private static final List<String> EQUIVALENT_QUEUE_ARGUMENTS = List.of(
            "x-expires", "x-message-ttl", "x-dead-letter-exchange", "x-dead-letter-routing-key",
            "x-max-length", "x-max-length-bytes", "x-max-priority", "x-overflow", "x-queue-mode",
            "x-queue-type", "x-single-active-consumer", "x-delivery-limit");

    private final String name;
    private final Storage storage;
    /** A durable definition changed under the lock and is not saved yet. */
    private boolean definitionsChanged;
    /** The store's completion of the latest save: it covers every change before it. */
    private volatile CompletableFuture<Void> lastSave = CompletableFuture.completedFuture(null);
    /** The virtual host was deleted: nothing of it is saved any more. */
    private boolean deleted;
    private final ConcurrentHashMap<String, Exchange> exchanges = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, MessageQueue> queues = new ConcurrentHashMap<>();
    /**
     * Durable classic queues whose home is another cluster node, as this node reaches them ({@link MessageQueue#home}):
     * the name is taken here too, bindings here route to them, and what clients here do with them goes to their home
     * node ({@link HomeQueues}). Apart from {@link #queues}, so nothing that works on this node's queues meets them.
     */
    private final ConcurrentHashMap<String, MessageQueue> remoteQueues = new ConcurrentHashMap<>();
    /** max-connections and max-queues (RabbitMQ's vhost limits); durable with the definitions. */
    private volatile Limits limits = Limits.NONE;
    private volatile boolean tracing;
    /** Policies and operator policies; durable with the definitions. */
    private final Policies policies = new Policies();
    /** This node's consumers of other nodes' classic queues. */
    private final HomeConsumers homeConsumers = new HomeConsumers();

    /** The broker's counters, for what happens inside the virtual host (dead-lettering). */
    private final MessageStats stats;

    /** Event loops for the work a virtual host owns outside any queue (delayed messages). */
    private final Supplier<EventExecutor> executors;

    VirtualHost(String name, Storage storage) {
        this(name, storage, () -> {
            throw new IllegalStateException("no event loops for delayed messages");
        });
    }

    VirtualHost(String name, Storage storage, Supplier<EventExecutor> executors) {
        this(name, storage, executors, new MessageStats());
    }

    VirtualHost(String name, Storage storage, Supplier<EventExecutor> executors, MessageStats stats) {
        this.name = name;
        this.storage = storage;
        this.executors = executors;
        this.stats = stats;
        exchanges.put("", new Exchange("", ExchangeType.DIRECT, true, false, false, Map.of()));
        for (String[] standard : STANDARD_EXCHANGES) {
            exchanges.put(standard[0], new Exchange(standard[0], ExchangeType.named(standard[1]), true, false, false, Map.of()));
        }
        // the firehose's exchange, as in RabbitMQ: internal, so only the broker publishes to it
        exchanges.put(Firehose.EXCHANGE, new Exchange(Firehose.EXCHANGE, ExchangeType.TOPIC, true, false, true, Map.of()));
    }

    public String name() {
        return name;
    }

    public Storage storage() {
        return storage;
    }

    /** The broker-wide message counters. */
    MessageStats stats() {
        return stats;
    }

    public Exchange exchange(String exchangeName) {
        return exchanges.get(exchangeName);
    }

    public Collection<Exchange> exchanges() {
        return List.copyOf(exchanges.values());
    }

    public MessageQueue queue(String queueName) {
        return queues.get(queueName);
    }

    public Collection<MessageQueue> queues() {
        return List.copyOf(queues.values());
    }

    /** The exchange, or NOT_FOUND as RabbitMQ words it. */
    public Exchange requireExchange(String exchangeName) {
        Exchange exchange = exchanges.get(exchangeName);
        if (exchange == null) {
            throw AmqpException.of(ReplyCode.NOT_FOUND, "no exchange '%s' in vhost '%s'", exchangeName, name);
        }
        return exchange;
    }

    /**
     * The queue, or NOT_FOUND; an exclusive queue of another connection is RESOURCE_LOCKED. A queue whose home is
     * another cluster node is NOT_FOUND saying so, as RabbitMQ words a queue whose home node it cannot reach.
     */
    public MessageQueue requireQueue(String queueName, Object requester) {
        MessageQueue queue = queues.get(queueName);
        if (queue == null) {
            MessageQueue remote = remoteQueues.get(queueName);
            if (remote != null) {
                throw AmqpException.of(ReplyCode.NOT_FOUND, "home node '%s' of durable queue '%s' in vhost '%s' is not "
                        + "this node; this operation is not forwarded there",
                        remote.home(), queueName, name);
            }
            throw AmqpException.of(ReplyCode.NOT_FOUND, "no queue '%s' in vhost '%s'", queueName, name);
        }
        checkExclusiveAccess(queue, requester, false);
        return queue;
    }

    /**
     * The queue, as {@link #requireQueue} finds it, or another node's classic queue (whose {@link MessageQueue#home}
     * then says where to send what is asked of it).
     */
    public MessageQueue requireQueueAnywhere(String queueName, Object requester) {
        MessageQueue remote = remoteQueues.isEmpty() || queues.containsKey(queueName) ? null : remoteQueues.get(queueName);
        return remote != null ? remote : requireQueue(queueName, requester);
    }

    /** The queue of this node, else another node's classic queue of that name, else null. */
    public MessageQueue queueAnywhere(String queueName) {
        MessageQueue queue = queues.get(queueName);
        return queue != null || remoteQueues.isEmpty() ? queue : remoteQueues.get(queueName);
    }

    // ---- exchanges ----

    public synchronized Exchange declareExchange(String exchangeName, String typeName, boolean durable,
                                                 boolean autoDelete, boolean internal, Map<String, Object> arguments) {
        checkNotDefaultExchange(exchangeName);
        ExchangeType type = ExchangeType.named(typeName);
        Exchange existing = exchanges.get(exchangeName);
        if (existing == null) {
            if (exchangeName.startsWith("amq.")) {
                throw AmqpException.of(ReplyCode.ACCESS_REFUSED,
                        "exchange name '%s' contains reserved prefix 'amq.*'", exchangeName);
            }
            String invalid = type.invalidArguments(arguments);
            if (invalid != null) {
                throw new AmqpException(ReplyCode.PRECONDITION_FAILED, invalid);
            }
            Exchange created = newExchange(exchangeName, type, durable, autoDelete, internal, arguments);
            exchanges.put(exchangeName, created);
            definitionsChanged |= durable;
            saveDefinitions();
            return created;
        }
        String what = "exchange '" + exchangeName + "' in vhost '" + name + "'";
        assertEquivalent(what, "type", typeName, existing.type().typeName());
        assertEquivalent(what, "durable", durable, existing.durable());
        assertEquivalent(what, "auto_delete", autoDelete, existing.autoDelete());
        assertEquivalent(what, "internal", internal, existing.internal());
        assertEquivalent(what, "alternate-exchange", argument(arguments, "alternate-exchange"),
                argument(existing.arguments(), "alternate-exchange"));
        return existing;
    }

    private Exchange newExchange(String exchangeName, ExchangeType type, boolean durable, boolean autoDelete, boolean internal,
                                 Map<String, Object> arguments) {
        Exchange exchange = new Exchange(exchangeName, type, durable, autoDelete, internal, arguments);
        exchange.applyPolicy(policies.match(PolicyLayer.POLICY, false, exchangeName));
        if (type == ExchangeType.DELAYED_MESSAGE) {
            exchange.delayed(new DelayedMessages(this, exchange, executors));
        }
        return exchange;
    }

    /**
     * Hands stored messages to the durable delayed exchange whose store queue they are; false when they are
     * not a delayed exchange's (or it is gone: then they are dropped like an undefined queue's).
     */
    boolean restoreDelayed(RecoveredQueue recovered) {
        if (!recovered.name().startsWith(DelayedMessages.STORE_QUEUE_PREFIX)) {
            return false;
        }
        Exchange exchange = exchanges.get(recovered.name().substring(DelayedMessages.STORE_QUEUE_PREFIX.length()));
        if (exchange == null || exchange.delayed() == null || !exchange.delayed().storesDurably()) {
            return false;
        }
        exchange.delayed().restore(recovered.queueId(), recovered.entries());
        return true;
    }

    /** A passive exchange.declare: the exchange must exist. */
    public Exchange passiveExchange(String exchangeName) {
        checkNotDefaultExchange(exchangeName);
        return requireExchange(exchangeName);
    }

    public synchronized void deleteExchange(String exchangeName, boolean ifUnused) {
        checkNotDefaultExchange(exchangeName);
        if (exchangeName.startsWith("amq.")) {
            throw AmqpException.of(ReplyCode.ACCESS_REFUSED,
                    "deletion of system exchange '%s' in vhost '%s' not allowed", exchangeName, name);
        }
        Exchange exchange = exchanges.get(exchangeName);
        if (exchange == null) {
            return; // deleting what is not there succeeds, as in RabbitMQ
        }
        if (ifUnused && exchange.hasBindings()) {
            throw AmqpException.of(ReplyCode.PRECONDITION_FAILED, "exchange '%s' in vhost '%s' in use", exchangeName, name);
        }
        removeExchange(exchange);
        saveDefinitions();
    }

    private void removeExchange(Exchange exchange) {
        exchanges.remove(exchange.name(), exchange);
        if (exchange.delayed() != null) {
            exchange.delayed().discard();
        }
        definitionsChanged |= exchange.durable();
        for (Binding binding : exchange.bindings()) {
            exchange.removeBinding(binding);
        }
        removeBindingsTo(exchange);
    }

    // ---- queues ----

    /**
     * Declares a queue, or checks an existing one is equivalent. A new queue is owned by
     * {@code executor}; an exclusive one by {@code owner} as well.
     */
    public synchronized MessageQueue declareQueue(String queueName, boolean durable, boolean exclusive, boolean autoDelete,
                                                  Map<String, Object> arguments, Object owner, EventExecutor executor) {
        MessageQueue existing = queues.get(queueName);
        QueueArguments settings = QueueArguments.parse(arguments, "queue '" + queueName + "' in vhost '" + name + "'");
        if (existing != null && !existing.isDeleted()) {
            checkExclusiveAccess(existing, owner, exclusive);
            String what = existing.describe();
            assertEquivalent(what, "durable", durable, existing.durable());
            assertEquivalent(what, "auto_delete", autoDelete, existing.autoDelete());
            for (String key : EQUIVALENT_QUEUE_ARGUMENTS) {
                assertEquivalent(what, key, argument(arguments, key), argument(existing.arguments(), key));
            }
            existing.redeclared();
            return existing;
        }
        if (remoteQueues.containsKey(queueName)) {
            requireQueue(queueName, owner); // its home is another node: refused, naming it
        }
        if (queueName.startsWith("amq.") && !queueName.startsWith(Names.GENERATED_QUEUE_PREFIX)) {
            throw AmqpException.of(ReplyCode.ACCESS_REFUSED, "queue name '%s' contains reserved prefix 'amq.*'", queueName);
        }
        if (limits.reached(Limits.MAX_QUEUES, queues.size())) {
            throw AmqpException.of(ReplyCode.PRECONDITION_FAILED, "cannot declare queue '%s': queue limit in vhost '%s' (%d) is reached",
                    queueName, name, limits.of(Limits.MAX_QUEUES));
        }
        boolean quorum = isQuorum(arguments);
        if (quorum) {
            checkQuorumProperties(queueName, durable, exclusive, autoDelete);
        }
        boolean stored = durable && !exclusive; // exclusive queues never outlive their connection
        int storeId = stored && !quorum ? storage.messages().registerQueue(name, queueName) : -1;
        MessageQueue queue = new MessageQueue(this, queueName, durable, exclusive, autoDelete, arguments, settings,
                policies.applied(true, queueName), exclusive ? owner : null, executor, storeId, quorum);
        if (quorum) {
            openLog(queue, NodeName.get(), true);
        }
        queues.put(queueName, queue);
        definitionsChanged |= stored;
        saveDefinitions();
        return queue;
    }

    /** Called by a queue, on its own thread, once it is deleted. */
    synchronized void queueDeleted(MessageQueue queue) {
        if (queue.replicated() != null) {
            queue.replicated().closed();
        }
        queues.remove(queue.name(), queue);
        definitionsChanged |= isStoredDefinition(queue);
        removeBindingsTo(queue);
        saveDefinitions();
    }

    // ---- bindings ----

    /** Binds a queue or exchange to a source exchange; binding twice is harmless. */
    public synchronized void bind(Exchange source, BindingDestination destination, String routingKey,
                                  Map<String, Object> arguments) {
        checkNotDefaultExchange(source.name());
        if (destination instanceof Exchange e) {
            checkNotDefaultExchange(e.name());
        }
        checkStillExists(source);
        checkStillExists(destination);
        String invalid = source.type().invalidBinding(routingKey, arguments);
        if (invalid != null) {
            throw new AmqpException(ReplyCode.PRECONDITION_FAILED, invalid);
        }
        source.addBinding(new Binding(source, destination, routingKey, arguments));
        definitionsChanged |= source.durable() && isStoredDefinition(destination);
        saveDefinitions();
    }

    /** Removes a binding; removing one that does not exist succeeds. */
    public synchronized void unbind(Exchange source, BindingDestination destination, String routingKey,
                                    Map<String, Object> arguments) {
        checkNotDefaultExchange(source.name());
        if (destination instanceof Exchange e) {
            checkNotDefaultExchange(e.name());
        }
        if (source.removeBinding(new Binding(source, destination, routingKey, arguments))) {
            definitionsChanged |= source.durable() && isStoredDefinition(destination);
            autoDeleteIfUnused(source);
        }
        saveDefinitions();
    }

    private void removeBindingsTo(BindingDestination destination) {
        for (Exchange exchange : List.copyOf(exchanges.values())) {
            boolean removed = false;
            for (Binding binding : exchange.bindings()) {
                if (binding.destination() == destination && exchange.removeBinding(binding)) {
                    removed = true;
                    definitionsChanged |= exchange.durable() && isStoredDefinition(destination);
                }
            }
            if (removed) {
                autoDeleteIfUnused(exchange);
            }
        }
    }

    private void autoDeleteIfUnused(Exchange exchange) {
        if (exchange.autoDelete() && !exchange.hasBindings() && exchanges.get(exchange.name()) == exchange) {
            removeExchange(exchange);
        }
    }

    // ---- durability ----

    private static boolean isStoredDefinition(BindingDestination destination) {
        return destination instanceof MessageQueue q ? q.durable() && !q.exclusive() : ((Exchange) destination).durable();
    }

    private void saveDefinitions() {
        if (definitionsChanged && !deleted) {
            definitionsChanged = false;
            lastSave = storage.definitions().save(name, definitions());
        }
    }

    /**
     * Completes once every durable definition change made so far in this virtual host is on disk (at once
     * when there is none waiting), or exceptionally when the write failed. A reply that promises
     * durability (declare-ok, bind-ok, delete-ok) waits for it; nothing here blocks.
     */
    public CompletableFuture<Void> definitionsDurable() {
        return lastSave;
    }

    /**
     * The virtual host is being deleted: stops saving its definitions and deletes every queue (with its
     * stored messages) on the queue's own thread, which cancels its consumers.
     */
    synchronized void deleteEverything() {
        deleted = true;
        for (MessageQueue queue : queues.values()) {
            queue.executor().execute(() -> queue.process().delete(false, false));
        }
    }

    /** Whether the firehose copies this virtual host's publishes and deliveries (trace_on; in memory only). */
    public boolean tracing() {
        return tracing;
    }

    public void tracing(boolean on) {
        NodeName.get(); // looked up here, off the event loops that will write the trace copies' node header
        tracing = on;
    }

    public Limits limits() {
        return limits;
    }

    // ---- policies ----

    /** The policies and operator policies of this virtual host (read only: change them here). */
    public Policies policies() {
        return policies;
    }

    /**
     * Adds or replaces a policy of the layer, saves it, and applies it at once: every queue and exchange
     * it matches, or that took the policy of that name before, resolves its policies again. The result
     * completes once every queue it changed has applied it on its own thread.
     */
    public synchronized CompletableFuture<Void> setPolicy(PolicyLayer layer, Policy policy) {
        List<String> ignored = policy.definition().keySet().stream().filter(PolicyDefinition.IGNORED_KEYS::contains).toList();
        if (!ignored.isEmpty()) {
            LoggerFactory.getLogger(VirtualHost.class).info("Policy '{}' in vhost '{}': {} accepted but without effect "
                    + "(Warren has one queue type and no mirroring)", LogSafe.escape(policy.name()), LogSafe.escape(name), ignored);
        }
        policies.put(layer, policy);
        CompletableFuture<Void> applied = reapplyPolicies(layer, policy.name(), policy);
        definitionsChanged = true;
        saveDefinitions();
        return applied;
    }

    /**
     * Removes a policy of the layer; what took it resolves again. The result completes once the queues
     * it changed have applied that, or is null when there was no policy of that name.
     */
    public synchronized CompletableFuture<Void> clearPolicy(PolicyLayer layer, String policyName) {
        if (policies.remove(layer, policyName) == null) {
            return null;
        }
        CompletableFuture<Void> applied = reapplyPolicies(layer, policyName, null);
        definitionsChanged = true;
        saveDefinitions();
        return applied;
    }

    /**
     * Resolves again only the objects a change of one policy can move: those that took it and those it
     * matches now, so a change costs a scan of the names, not every object against every policy.
     */
    private CompletableFuture<Void> reapplyPolicies(PolicyLayer layer, String policyName, Policy changed) {
        List<CompletableFuture<Void>> reconfigured = new ArrayList<>();
        for (MessageQueue q : queues.values()) {
            AppliedPolicies applied = q.policies();
            Policy current = layer == PolicyLayer.POLICY ? applied.policy() : applied.operatorPolicy();
            if ((current != null && current.name().equals(policyName)) || (changed != null && changed.matches(true, q.name()))) {
                reconfigured.add(q.applyPolicies(policies.applied(true, q.name())));
            }
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(reconfigured.toArray(CompletableFuture[]::new));
        if (layer == PolicyLayer.OPERATOR) {
            return all; // operator policies hold queue limits only
        }
        for (Exchange e : exchanges.values()) {
            Policy current = e.policy();
            if (!e.isDefault() && ((current != null && current.name().equals(policyName))
                    || (changed != null && changed.matches(false, e.name())))) {
                e.applyPolicy(policies.match(PolicyLayer.POLICY, false, e.name()));
            }
        }
        return all;
    }

    /** Sets (an empty value clears) the limits and saves them; they apply to what comes next. */
    public synchronized void limits(Limits newLimits) {
        limits = newLimits;
        definitionsChanged = true;
        saveDefinitions();
    }

    /** The durable definitions of this virtual host, as the definition store keeps them. */
    public synchronized Definitions definitions() {
        List<ExchangeDefinition> exchangeDefs = new ArrayList<>();
        List<BindingDefinition> bindingDefs = new ArrayList<>();
        for (Exchange e : exchanges.values()) {
            if (!e.durable() || e.isDefault()) {
                continue;
            }
            if (!e.name().startsWith("amq.")) {
                exchangeDefs.add(new ExchangeDefinition(e.name(), e.type().typeName(), e.autoDelete(), e.internal(), e.arguments()));
            }
            for (Binding b : e.bindings()) {
                if (isStoredDefinition(b.destination())) {
                    bindingDefs.add(new BindingDefinition(e.name(), b.destination().name(), b.destination().kind(),
                            b.routingKey(), b.arguments() == null ? Map.of() : b.arguments()));
                }
            }
        }
        // called for each durable change: per queue only a reference (each queue made its definition once)
        List<QueueDefinition> queueDefs = new ArrayList<>(queues.size());
        for (MessageQueue q : queues.values()) {
            if (isStoredDefinition(q)) {
                queueDefs.add(q.definition());
            }
        }
        return new Definitions(exchangeDefs, queueDefs, bindingDefs, limits,
                List.copyOf(policies.list(PolicyLayer.POLICY)), List.copyOf(policies.list(PolicyLayer.OPERATOR)));
    }

    /**
     * Re-creates stored definitions on start, before any client connects. Queues keep their ids in the
     * message store and are owned by loops from {@code executors}.
     */
    public synchronized void restore(Definitions definitions, Supplier<EventExecutor> executors) {
        limits = definitions.limits();
        definitions.policies().forEach(p -> policies.put(PolicyLayer.POLICY, p));
        definitions.operatorPolicies().forEach(p -> policies.put(PolicyLayer.OPERATOR, p));
        for (Exchange standard : exchanges.values()) {
            if (!standard.isDefault()) {
                standard.applyPolicy(policies.match(PolicyLayer.POLICY, false, standard.name()));
            }
        }
        for (ExchangeDefinition e : definitions.exchanges()) {
            exchanges.putIfAbsent(e.name(), newExchange(e.name(), ExchangeType.named(e.type()), true, e.autoDelete(),
                    e.internal(), e.arguments()));
        }
        for (QueueDefinition q : definitions.queues()) {
            if (q.isRemote(NodeName.get())) {
                remoteQueues.put(q.name(), atHome(q));
                continue;
            }
            queues.put(q.name(), restoredQueue(q, executors));
        }
        for (BindingDefinition b : definitions.bindings()) {
            Exchange source = exchanges.get(b.source());
            BindingDestination destination = destination(b);
            if (source != null && destination != null) {
                source.addBinding(new Binding(source, destination, b.routingKey(), b.arguments()));
            }
        }
    }

    private MessageQueue restoredQueue(QueueDefinition q, Supplier<EventExecutor> executors) {
        boolean quorum = isQuorum(q.arguments());
        int storeId = quorum ? -1 : storage.messages().registerQueue(name, q.name());
        MessageQueue queue = new MessageQueue(this, q.name(), true, false, q.autoDelete(), q.arguments(), restoredSettings(q),
                policies.applied(true, q.name()), null, executors.get(), storeId, quorum);
        if (quorum) {
            openLog(queue, q.home() != null ? q.home() : NodeName.get(), false);
        }
        return queue;
    }

    /** Another node's classic queue as this node reaches it (no thread of its own: it holds nothing here). */
    private MessageQueue atHome(QueueDefinition q) {
        return MessageQueue.atHome(this, q, restoredSettings(q), policies.applied(true, q.name()),
                io.netty.util.concurrent.ImmediateEventExecutor.INSTANCE);
    }

    // ---- quorum queues ----

    /** A quorum queue when the arguments ask for one and this node is in a cluster; else a classic queue, as before. */
    private boolean isQuorum(Map<String, Object> arguments) {
        return QueueArguments.isQuorum(arguments) && storage.quorum().available();
    }

    /** RabbitMQ's checks of a new quorum queue: durable, not exclusive, not auto-delete. */
    private void checkQuorumProperties(String queueName, boolean durable, boolean exclusive, boolean autoDelete) {
        String invalid = !durable ? "non-durable" : exclusive ? "exclusive-owner" : autoDelete ? "auto-delete" : null;
        if (invalid != null) {
            throw AmqpException.of(ReplyCode.PRECONDITION_FAILED, "invalid property '%s' for queue '%s' in vhost '%s'",
                    invalid, queueName, name);
        }
    }

    /**
     * Opens a quorum queue's replicated log on the members chosen from {@code home} (the node that declared it),
     * making the group when {@code create}, with its settings ({@link ReplicatedQueue#configuration}).
     */
    private void openLog(MessageQueue queue, String home, boolean create) {
        QuorumLogs logs = storage.quorum();
        List<String> members = logs.membersFor(home, QueueArguments.quorumGroupSize(queue.arguments(), queue.describe()));
        queue.replicated().opened(logs.open(name, queue.name(), members, queue.replicated().configuration(), create, queue.replicated()));
    }

    // ---- a cluster's queues of other nodes, and changes other nodes made ----

    /** This node's consumers of other nodes' classic queues (where their deliveries arrive). */
    public HomeConsumers homeConsumers() {
        return homeConsumers;
    }

    /** A durable classic queue whose home is another cluster node, or null. */
    public MessageQueue remoteQueue(String queueName) {
        return remoteQueues.isEmpty() ? null : remoteQueues.get(queueName);
    }

    /** Every durable classic queue whose home is another cluster node. */
    public Collection<MessageQueue> remoteQueues() {
        return List.copyOf(remoteQueues.values());
    }

    /**
     * A queue.declare of a queue whose home is another cluster node: checked as a declare of an existing queue
     * is (exclusive access, durable, auto_delete, the arguments RabbitMQ compares). Returns its definition, or null
     * when there is no such remote queue.
     */
    public synchronized MessageQueue declareRemoteQueue(String queueName, boolean durable, boolean exclusive,
                                                        boolean autoDelete, Map<String, Object> arguments) {
        MessageQueue remote = remoteQueue(queueName);
        if (remote == null || queues.containsKey(queueName)) {
            return null;
        }
        String what = "queue '" + queueName + "' in vhost '" + name + "'";
        if (exclusive) {
            throw AmqpException.of(ReplyCode.RESOURCE_LOCKED,
                    "cannot obtain exclusive access to locked %s. It could be originally declared on another "
                            + "connection or the exclusive property value does not match that of the original declaration.",
                    what);
        }
        assertEquivalent(what, "durable", durable, true);
        assertEquivalent(what, "auto_delete", autoDelete, remote.autoDelete());
        for (String key : EQUIVALENT_QUEUE_ARGUMENTS) {
            assertEquivalent(what, key, argument(arguments, key), argument(remote.arguments(), key));
        }
        return remote;
    }

    /**
     * Applies a change another cluster node made (committed in the cluster's metadata store) without saving it
     * again: {@code removed} items first (by key), then {@code put} items, as the store's change records read.
     * Queues whose home is another node only take their name here; one whose home is this node and that is
     * missing is created. Bindings to another node's queues route to it through its home node.
     * {@code whileLocked} gets the durable definitions as they are then, before another change can start.
     */
    synchronized void applyReplicated(Definitions put, Definitions removed, boolean limitsChanged,
                                      Supplier<EventExecutor> executors, java.util.function.Consumer<Definitions> whileLocked) {
        for (Policy p : removed.policies()) {
            if (policies.remove(PolicyLayer.POLICY, p.name()) != null) {
                reapplyPolicies(PolicyLayer.POLICY, p.name(), null);
            }
        }
        for (Policy p : removed.operatorPolicies()) {
            if (policies.remove(PolicyLayer.OPERATOR, p.name()) != null) {
                reapplyPolicies(PolicyLayer.OPERATOR, p.name(), null);
            }
        }
        for (BindingDefinition b : removed.bindings()) {
            Exchange source = exchanges.get(b.source());
            BindingDestination destination = destination(b);
            if (source != null && destination != null) {
                source.removeBinding(new Binding(source, destination, b.routingKey(), b.arguments()));
            }
        }
        for (QueueDefinition q : removed.queues()) {
            MessageQueue remote = remoteQueues.remove(q.name());
            if (remote != null) {
                removeBindingsTo(remote);
            }
            MessageQueue queue = queues.get(q.name());
            if (queue != null && queue.durable() && !queue.exclusive()) {
                queues.remove(q.name(), queue);
                removeBindingsTo(queue);
                queue.executor().execute(() -> queue.process().delete(false, false));
            }
        }
        for (ExchangeDefinition e : removed.exchanges()) {
            Exchange exchange = exchanges.get(e.name());
            if (exchange != null && exchange.durable() && !e.name().startsWith("amq.")) {
                removeExchange(exchange);
            }
        }
        if (limitsChanged) {
            limits = put.limits();
        }
        for (Policy p : put.policies()) {
            policies.put(PolicyLayer.POLICY, p);
            reapplyPolicies(PolicyLayer.POLICY, p.name(), p);
        }
        for (Policy p : put.operatorPolicies()) {
            policies.put(PolicyLayer.OPERATOR, p);
            reapplyPolicies(PolicyLayer.OPERATOR, p.name(), p);
        }
        for (ExchangeDefinition e : put.exchanges()) {
            if (!exchanges.containsKey(e.name())) {
                exchanges.put(e.name(), newExchange(e.name(), ExchangeType.named(e.type()), true, e.autoDelete(),
                        e.internal(), e.arguments()));
            }
        }
        for (QueueDefinition q : put.queues()) {
            MessageQueue local = queues.get(q.name());
            if (q.isRemote(NodeName.get())) {
                if (local != null) {
                    LoggerFactory.getLogger(VirtualHost.class).warn("Queue '{}' in vhost '{}' was declared on this node "
                            + "and on '{}' at the same time; this node keeps its own", LogSafe.escape(q.name()),
                            LogSafe.escape(name), LogSafe.escape(q.home()));
                } else if (!remoteQueues.containsKey(q.name())) {
                    remoteQueues.put(q.name(), atHome(q));
                }
            } else if (local == null) {
                MessageQueue remote = remoteQueues.remove(q.name());
                if (remote != null) {
                    removeBindingsTo(remote);
                }
                queues.put(q.name(), restoredQueue(q, executors));
            }
        }
        for (BindingDefinition b : put.bindings()) {
            Exchange source = exchanges.get(b.source());
            BindingDestination destination = destination(b);
            if (source != null && destination != null) {
                source.addBinding(new Binding(source, destination, b.routingKey(), b.arguments()));
            }
        }
        definitionsChanged = false; // stored already: committed by the cluster
        whileLocked.accept(definitions());
    }

    private BindingDestination destination(BindingDefinition b) {
        if ("exchange".equals(b.destinationType())) {
            return exchanges.get(b.destination());
        }
        return queueAnywhere(b.destination());
    }

    /**
     * Declares imported definitions as a client would (durable, saved), keeping what exists when it is
     * equivalent. A binding whose source or destination is missing is skipped, as RabbitMQ skips it.
     */
    public void importDefinitions(Definitions definitions, Supplier<EventExecutor> executors) {
        if (!definitions.limits().isEmpty()) {
            limits(definitions.limits());
        }
        definitions.policies().forEach(p -> setPolicy(PolicyLayer.POLICY, p));
        definitions.operatorPolicies().forEach(p -> setPolicy(PolicyLayer.OPERATOR, p));
        for (ExchangeDefinition e : definitions.exchanges()) {
            declareExchange(e.name(), e.type(), true, e.autoDelete(), e.internal(), e.arguments());
        }
        for (QueueDefinition q : definitions.queues()) {
            declareQueue(q.name(), true, false, q.autoDelete(), q.arguments(), null, executors.get());
        }
        for (BindingDefinition b : definitions.bindings()) {
            Exchange source = exchanges.get(b.source());
            BindingDestination destination = "exchange".equals(b.destinationType())
                    ? exchanges.get(b.destination()) : queues.get(b.destination());
            if (source != null && destination != null) {
                bind(source, destination, b.routingKey(), b.arguments());
            }
        }
    }

    // ---- routing ----

    /**
     * Puts in {@code into} (cleared first) every queue the message reaches from {@code exchange} with its
     * routing key and, as RabbitMQ's sender-selected distribution, the keys in its {@code CC} and
     * {@code BCC} headers. Exchange-to-exchange bindings are followed breadth-first, each exchange once per
     * key (cycles end where they meet a visited exchange). An exchange that matches no binding hands the
     * message to its alternate exchange, as in RabbitMQ (chains followed, cycles stopped the same way; a
     * missing one drops it). Allocates nothing for a message without CC/BCC: {@code into} is reused and is
     * the routers' binding sink.
     */
    public void route(Exchange exchange, Message message, Destinations into) {
        into.clear();
        routeWithKey(exchange, message, message.routingKey(), into);
        if (message.hasHeaders()) {
            List<String> extra = into.extraKeys();
            SenderSelected.addKeys(message.headers(), extra);
            for (int i = 0; i < extra.size(); i++) {
                into.clearExchanges();
                routeWithKey(exchange, message, extra.get(i), into);
            }
            extra.clear();
        }
    }

    /** Adds to {@code into} the queues the message reaches from {@code exchange} with one more routing key. */
    public void routeAlso(Exchange exchange, Message message, String key, Destinations into) {
        into.clearExchanges();
        routeWithKey(exchange, message, key, into);
    }

    private void routeWithKey(Exchange exchange, Message message, String key, Destinations into) {
        if (exchange.isDefault()) {
            MessageQueue queue = queueAnywhere(key);
            if (queue != null) {
                into.addQueue(queue);
            }
            return;
        }
        into.addExchange(exchange);
        for (int i = 0; i < into.exchangeCount(); i++) {
            Exchange through = into.exchange(i);
            into.startExchange();
            through.route(message, key, into);
            if (!into.matched() && through.alternateExchange() != null) {
                Exchange alternate = exchanges.get(through.alternateExchange());
                if (alternate != null) {
                    into.addExchange(alternate);
                }
            }
        }
    }

    // ---- checks ----

    private void checkNotDefaultExchange(String exchangeName) {
        if (exchangeName.isEmpty()) {
            throw new AmqpException(ReplyCode.ACCESS_REFUSED, "operation not permitted on the default exchange");
        }
    }

    private void checkStillExists(BindingDestination destination) {
        boolean exists = destination instanceof MessageQueue q
                ? queues.get(q.name()) == q || remoteQueues.get(q.name()) == q
                : exchanges.get(destination.name()) == destination;
        if (!exists) {
            throw AmqpException.of(ReplyCode.NOT_FOUND, "no %s '%s' in vhost '%s'", destination.kind(), destination.name(), name);
        }
    }

    /**
     * RabbitMQ's rule: another connection may not touch an exclusive queue, and a declaration that asks for
     * exclusivity may not take over a queue that is not exclusive.
     */
    private void checkExclusiveAccess(MessageQueue queue, Object requester, boolean strict) {
        Object owner = queue.exclusiveOwner();
        if ((owner != null && owner != requester) || (strict && owner == null)) {
            throw AmqpException.of(ReplyCode.RESOURCE_LOCKED,
                    "cannot obtain exclusive access to locked %s. It could be originally declared on another "
                            + "connection or the exclusive property value does not match that of the original declaration.",
                    queue.describe());
        }
    }

    /** A saved queue's arguments; one saved before they were checked and now refused is logged and ignored. */
    private QueueArguments restoredSettings(QueueDefinition q) {
        try {
            return QueueArguments.parse(q.arguments(), "queue '" + q.name() + "' in vhost '" + name + "'");
        } catch (AmqpException e) {
            LoggerFactory.getLogger(VirtualHost.class).warn("Ignoring the lifecycle arguments of a saved queue: {}",
                    LogSafe.escape(e.getMessage()));
            return QueueArguments.DEFAULTS;
        }
    }

    private static Object argument(Map<String, Object> arguments, String key) {
        return arguments == null ? null : arguments.get(key);
    }

    private static void assertEquivalent(String what, String field, Object received, Object current) {
        if (!FieldValues.equivalent(received, current)) {
            boolean oneSided = received == null || current == null;
            throw AmqpException.of(ReplyCode.PRECONDITION_FAILED,
                    "inequivalent arg '%s' for %s: received %s but current is %s", field, what,
                    oneSided ? showTyped(received) : FieldValues.show(received),
                    oneSided ? showTyped(current) : FieldValues.show(current));
        }
    }

    /** RabbitMQ's wording when an argument is on one side only: "the value 'x' of type 'longstr'", or "none". */
    private static String showTyped(Object value) {
        return value == null ? "none" : "the value " + FieldValues.show(value) + " of type '" + FieldValues.typeName(value) + "'";
    }

}
