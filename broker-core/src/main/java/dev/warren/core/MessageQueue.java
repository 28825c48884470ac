package dev.warren.core;

import dev.warren.core.cluster.HomeQueues;
import dev.warren.core.message.Message;
import dev.warren.core.policy.AppliedPolicies;
import dev.warren.core.stats.OwnedCounters;
import dev.warren.core.store.Definitions.QueueDefinition;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import io.netty.util.concurrent.EventExecutor;

/**
 * A queue as the rest of the broker sees it: its definition, its owner thread, counts safe to read from
 * any thread, and the way to its state.
 *
 * <p>Threading: a queue has one owner thread, its {@link #executor()} (an event loop). Its state and dispatch
 * live in its {@link QueueProcess}, which only that thread touches: work reaches it as tasks run there
 * ({@link #call} for a single operation; connections batch theirs). The definition fields are immutable
 * and the counts are snapshots the process publishes after each change.
 */
public final class MessageQueue implements BindingDestination {
    private final VirtualHost vhost;
    private final String name;
    private final boolean durable;
    private final boolean exclusive;
    private final boolean autoDelete;
    private final Map<String, Object> arguments;
    /** What the arguments asked for, before policies. */
    private final QueueArguments declared;
    /** What the arguments and policies ask for together; replaced (under the vhost's lock) when policies change. */
    private volatile QueueArguments settings;
    private volatile AppliedPolicies policies;
    private final Object exclusiveOwner;
    private final EventExecutor executor;
    /** This queue's id in the store when it is durable there, else -1. */
    private final int storeId;
    /** Messages in, deliveries, gets and acks, counted by the owner thread; read by management. */
    private final OwnedCounters counters = new OwnedCounters();
    private final QueueProcess process;
    /** This queue as the definition store keeps it (made once: name, auto-delete and arguments never change). */
    private final QueueDefinition definition;
    /** A quorum queue's link to its replicated log, which holds its messages; null for a classic queue. */
    private final ReplicatedQueue replicated;
    /**
     * For another cluster node's classic queue as this node sees it (routed to, bound to, used through forwarding):
     * that node's name; null for a queue that lives here.
     */
    private final String home;

    MessageQueue(VirtualHost vhost, String name, boolean durable, boolean exclusive, boolean autoDelete,
                 Map<String, Object> arguments, QueueArguments declared, AppliedPolicies policies, Object exclusiveOwner,
                 EventExecutor executor, int storeId, boolean quorum) {
        this(vhost, name, durable, exclusive, autoDelete, arguments, declared, policies, exclusiveOwner, executor, storeId,
                quorum, null);
    }

    private MessageQueue(VirtualHost vhost, String name, boolean durable, boolean exclusive, boolean autoDelete,
                         Map<String, Object> arguments, QueueArguments declared, AppliedPolicies policies,
                         Object exclusiveOwner, EventExecutor executor, int storeId, boolean quorum, String home) {
        this.vhost = vhost;
        this.name = name;
        this.durable = durable;
        this.exclusive = exclusive;
        this.autoDelete = autoDelete;
        // not Map.copyOf: an argument may be void (null)
        this.arguments = arguments == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(arguments));
        this.declared = declared;
        this.policies = policies;
        this.settings = declared.withPolicy(policies.effective(), this.arguments);
        this.exclusiveOwner = exclusiveOwner;
        this.executor = executor;
        this.storeId = storeId;
        this.process = new QueueProcess(this, vhost.storage().messages(), vhost.storage().memory());
        this.definition = new QueueDefinition(name, autoDelete, this.arguments, home);
        this.replicated = quorum ? new ReplicatedQueue(this, NodeName.get()) : null;
        this.home = home;
        if (settings.expires() != QueueArguments.NONE && home == null) {
            executor.execute(process::started);
        }
    }

    /**
     * Another node's durable classic queue as this node sees it: a name routing and bindings can reach, whose
     * operations go to its home node ({@link HomeQueues}). It holds nothing here; its process stays idle.
     */
    static MessageQueue atHome(VirtualHost vhost, QueueDefinition definition, QueueArguments declared,
                               AppliedPolicies policies, EventExecutor executor) {
        return new MessageQueue(vhost, definition.name(), true, false, definition.autoDelete(), definition.arguments(),
                declared, policies, null, executor, -1, false, definition.home());
    }

    /** The node this queue lives on when it is another node's classic queue, else null (it lives here). */
    public String home() {
        return home;
    }

    /** The policies that apply to this queue now. */
    public AppliedPolicies policies() {
        return policies;
    }

    /**
     * The queue takes these policies from now on (called under the virtual host's lock, in the order of
     * changes); its thread applies what they change to the messages it holds. Completes once it has, so
     * whoever changed the policy can answer only when publishes that follow meet the new settings.
     */
    CompletableFuture<Void> applyPolicies(AppliedPolicies now) {
        if (now.equals(policies)) {
            return CompletableFuture.completedFuture(null);
        }
        policies = now;
        QueueArguments next = declared.withPolicy(now.effective(), arguments);
        if (next.equals(settings)) {
            return CompletableFuture.completedFuture(null);
        }
        settings = next;
        if (replicated != null) {
            replicated.reconfigure(); // the log's state applies them
        }
        try {
            return call(p -> {
                p.reconfigure(next);
                return null;
            });
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(null); // the broker is stopping
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return "queue";
    }

    public VirtualHost vhost() {
        return vhost;
    }

    public boolean durable() {
        return durable;
    }

    public boolean exclusive() {
        return exclusive;
    }

    public boolean autoDelete() {
        return autoDelete;
    }

    public Map<String, Object> arguments() {
        return arguments;
    }

    /** This queue as the definition store keeps it. */
    QueueDefinition definition() {
        return definition;
    }

    /** What the arguments and policies ask of the queue's messages: TTL, dead-lettering, limits, priorities. */
    public QueueArguments settings() {
        return settings;
    }

    /** The queue was declared again (passively too, as RabbitMQ counts it): for x-expires, a use. Any thread. */
    public void redeclared() {
        if (settings.expires() != QueueArguments.NONE) {
            executor.execute(() -> process.used());
        }
    }

    /** Messages that expired here, dead-lettered or not; any thread. */
    public long expiredCount() {
        return process.expiredCount();
    }

    /** Messages this queue dead-lettered (any reason) that reached a queue; any thread. */
    public long deadLetteredCount() {
        return process.deadLetteredCount();
    }

    /**
     * The queue's message counters (RabbitMQ's queue message_stats: publish, deliver, deliver_no_ack, get,
     * get_no_ack, get_empty, redeliver, ack); counted on the owner thread, read from any thread.
     */
    public OwnedCounters counters() {
        return counters;
    }

    /** Messages dropped by a limit (length, delivery limit, refused publishes) and not dead-lettered; any thread. */
    public long droppedCount() {
        return process.droppedCount();
    }

    /** The connection that owns an exclusive queue, or null. */
    public Object exclusiveOwner() {
        return exclusiveOwner;
    }

    /** The one thread that may touch this queue's state. */
    public EventExecutor executor() {
        return executor;
    }

    /** The queue's state; only on {@link #executor()}. */
    /** Whether publishing here should wait for consumers to catch up ({@link QueueFlow}); classic queues on this node. */
    public QueueFlow flow() {
        return process.flow();
    }

    public QueueProcess process() {
        assert executor.inEventLoop() : "queue state touched off its owner thread";
        return process;
    }

    /**
     * Hands this queue a message the broker routed itself (dead-lettered, delayed, traced, or published through the
     * management API), taking over the caller's reference: a classic queue takes it on its thread, a quorum queue
     * appends it to its log (a failure to commit it there is logged; nobody waits for a confirm), another node's
     * classic queue gets it forwarded (a failure is logged the same way).
     */
    public void enqueueRouted(Message message) {
        if (home != null) {
            HomeQueues.publishQuietly(this, message);
            return;
        }
        if (replicated != null) {
            try {
                replicated.publishQuietly(message);
            } finally {
                message.release();
            }
            return;
        }
        executor.execute(() -> process.enqueue(message));
    }

    /** Runs one operation on the owner thread (now, when already there) and completes with its result. */
    public <R> CompletableFuture<R> call(Function<QueueProcess, R> operation) {
        CompletableFuture<R> result = new CompletableFuture<>();
        Runnable task = () -> {
            try {
                result.complete(operation.apply(process));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        };
        if (executor.inEventLoop()) {
            task.run();
        } else {
            executor.execute(task);
        }
        return result;
    }

    public QueueLifecycle lifecycle() {
        return process.lifecycle();
    }

    /** Deleted, or stopped with the broker; any thread. */
    public boolean isDeleted() {
        return process.lifecycle() != QueueLifecycle.RUNNING;
    }

    /** The queue's id in the message store, or -1 when its messages are not stored there. */
    public int storeId() {
        return storeId;
    }

    /** A quorum queue's link to its replicated log; null for a classic queue. */
    public ReplicatedQueue replicated() {
        return replicated;
    }

    /** The highest store location this queue has delivered, or -1; read once the queue's thread is stopped. */
    public long deliveredThrough() {
        return process.deliveredThrough();
    }

    /** Ready messages (in memory or paged out), as last published by the owner thread; any thread. */
    public int messageCount() {
        return replicated != null ? (int) Math.min(Integer.MAX_VALUE, replicated.messageCount()) : process.messageCount();
    }

    /** Deliveries out with consumers (or basic.get) and not yet settled or requeued; any thread. */
    public int unacknowledgedCount() {
        return replicated != null ? (int) Math.min(Integer.MAX_VALUE, replicated.unacknowledgedCount())
                : process.unacknowledgedCount();
    }

    /** Heap bytes held by this queue's ready messages (payload plus a fixed overhead each); any thread. */
    public long memoryBytes() {
        return process.memoryHeld();
    }

    /** The consumer that receives, for a queue with a single active consumer, else null; any thread. */
    public String singleActiveConsumerTag() {
        return process.activeConsumerTag();
    }

    /** Consumers, as last published by the owner thread; any thread. */
    public int consumerCount() {
        return replicated != null ? replicated.consumerCount() : process.consumerCount();
    }

    /** "queue 'name' in vhost '/'", as reply texts name a queue. */
    public String describe() {
        return "queue '" + name + "' in vhost '" + vhost.name() + "'";
    }
}
