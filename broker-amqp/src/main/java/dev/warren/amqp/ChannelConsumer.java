package dev.warren.amqp;

import dev.warren.core.Consumer;
import dev.warren.core.MessageQueue;
import dev.warren.core.QueueEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A basic.consume subscription: the bridge between a queue (which calls {@link Consumer} methods on its
 * own thread) and the channel (which writes deliveries on the connection's thread).
 *
 * <p>Credit: {@link #ready()} runs on the queue's thread and reads only atomics and volatiles: the
 * channel's prefetch credit, its flow state, the socket's writability and the connection's delivery
 * window. Deliveries count up there, acks count down on the channel's thread.
 */
final class ChannelConsumer implements Consumer {
    private final ConsumerMethods channel;
    private final ChannelContext context;
    private final String tag;
    private final MessageQueue queue;
    private final boolean noAck;
    private final boolean exclusive;
    private final int prefetch;
    private final int priority;
    private final AtomicInteger unacked = new AtomicInteger();
    private volatile boolean active = true;
    /**
     * For a consumer served by another node (another node's classic queue, or a quorum queue this node has no
     * replica of): that node, and the id it knows the consumer by (channel thread); else null and 0.
     */
    private String homeNode;
    private long homeId;
    // channel thread only: deliveries that arrived before consume-ok went out, and their weight in the window
    private boolean announced;
    private List<QueueEntry> early;
    private long earlyWeight;

    ChannelConsumer(ConsumerMethods channel, ChannelContext context, String tag, MessageQueue queue, boolean noAck,
                    boolean exclusive, int prefetch, int priority) {
        this.priority = priority;
        this.channel = channel;
        this.context = context;
        this.tag = tag;
        this.queue = queue;
        this.noAck = noAck;
        this.exclusive = exclusive;
        this.prefetch = prefetch;
    }

    @Override
    public String tag() {
        return tag;
    }

    @Override
    public boolean exclusive() {
        return exclusive;
    }

    @Override
    public int priority() {
        return priority;
    }

    MessageQueue queue() {
        return queue;
    }

    boolean noAck() {
        return noAck;
    }

    @Override
    public boolean ackRequired() {
        return !noAck;
    }

    long homeId() {
        return homeId;
    }

    String homeNode() {
        return homeNode;
    }

    /** This consumer is served by {@code node}, which knows it as {@code id}. */
    void servedBy(String node, long id) {
        homeNode = node;
        homeId = id;
    }

    int prefetch() {
        return prefetch;
    }

    int unackedCount() {
        return unacked.get();
    }

    boolean isActive() {
        return active;
    }

    void deactivate() {
        active = false;
    }

    @Override
    public boolean ready() {
        if (!active || !context.canDeliver() || !context.connection().deliveryWindow().isOpen()) {
            return false;
        }
        return noAck ? context.prefetch().noAckMaySend() : context.prefetch().tryTake(this);
    }

    @Override
    public boolean backedUp() {
        if (!active || (context.canDeliver() && context.connection().deliveryWindow().isOpen())) {
            return false;
        }
        return noAck || prefetch == 0 || unacked.get() < prefetch; // out of prefetch credit, it would not take more anyway
    }

    @Override
    public void deliver(MessageQueue from, QueueEntry entry) {
        if (!noAck) {
            unacked.incrementAndGet();
        }
        Outbox outbox = context.connection().outbox();
        if (outbox.loop().inEventLoop()) { // the queue lives on this connection's loop: written right now
            channel.deliver(this, entry);
            return;
        }
        long weight = entry.weight();
        context.connection().deliveryWindow().posted(weight);
        outbox.post(() -> {
            try {
                channel.deliver(this, entry);
            } finally {
                context.connection().deliveryWindow().written(weight);
            }
        });
    }

    /** Completes once the deliveries handed to this consumer so far are written (or given back), on the channel's thread. */
    java.util.concurrent.CompletableFuture<Void> afterDelivered() {
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        context.connection().outbox().post(() -> done.complete(null));
        return done;
    }

    @Override
    public void cancelledByQueue(MessageQueue from) {
        active = false;
        context.connection().outbox().post(() -> channel.cancelledByQueue(this));
    }

    /** Acked or requeued deliveries give credit back; returns true when the consumer was out of credit. */
    boolean released(int count) {
        int before = unacked.getAndAdd(-count);
        return prefetch > 0 && before >= prefetch;
    }

    // ---- channel thread: hold deliveries until consume-ok is sent ----

    boolean announced() {
        return announced;
    }

    /**
     * Holds a delivery until consume-ok is sent. It stays counted in the connection's delivery window until then:
     * the queue may dispatch its whole backlog before the answer to basic.consume comes back, and held deliveries
     * are neither written nor in the socket's outbound buffer, so nothing else would stop it.
     */
    void holdUntilAnnounced(QueueEntry entry) {
        if (early == null) {
            early = new ArrayList<>();
        }
        early.add(entry);
        long weight = entry.weight();
        earlyWeight += weight;
        context.connection().deliveryWindow().posted(weight);
    }

    /**
     * Consume-ok went out (or never will): returns the held deliveries for the caller to write or give back now,
     * on this thread. Their window is released here; a wake-up it causes runs after the caller is done.
     */
    List<QueueEntry> announce() {
        announced = true;
        List<QueueEntry> held = early == null ? List.of() : early;
        early = null;
        if (earlyWeight > 0) {
            long weight = earlyWeight;
            earlyWeight = 0;
            context.connection().deliveryWindow().written(weight);
        }
        return held;
    }
}
