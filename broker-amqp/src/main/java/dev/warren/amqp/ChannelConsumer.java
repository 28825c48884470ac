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
 * <p>Credit: {@link #ready()} runs on the queue's thread and reads only atomics and volatiles; deliveries
 * count up there, acks count down on the channel's thread.
 */
final class ChannelConsumer implements Consumer {
    private final AmqpChannel channel;
    private final String tag;
    private final MessageQueue queue;
    private final boolean noAck;
    private final boolean exclusive;
    private final int prefetch;
    private final AtomicInteger unacked = new AtomicInteger();
    private volatile boolean active = true;
    // channel thread only: deliveries that arrived before consume-ok went out
    private boolean announced;
    private List<QueueEntry> early;

    ChannelConsumer(AmqpChannel channel, String tag, MessageQueue queue, boolean noAck, boolean exclusive, int prefetch) {
        this.channel = channel;
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

    MessageQueue queue() {
        return queue;
    }

    boolean noAck() {
        return noAck;
    }

    int prefetch() {
        return prefetch;
    }

    boolean isActive() {
        return active;
    }

    void deactivate() {
        active = false;
    }

    /**
     * Checks the per-consumer limit (only this consumer's queue counts it up, so no race) and reserves a
     * slot of the channel-wide limit atomically, since queues on several loops may share it.
     */
    @Override
    public boolean ready() {
        if (!active || !channel.canDeliver()) {
            return false;
        }
        if (noAck) {
            return true;
        }
        return (prefetch == 0 || unacked.get() < prefetch) && channel.reserveGlobalCredit();
    }

    @Override
    public void deliver(MessageQueue from, QueueEntry entry) {
        if (!noAck) {
            unacked.incrementAndGet();
        }
        channel.connectionOutbox().post(() -> channel.deliver(this, entry));
    }

    @Override
    public void cancelledByQueue(MessageQueue from) {
        active = false;
        channel.connectionOutbox().post(() -> channel.cancelledByQueue(this));
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

    void holdUntilAnnounced(QueueEntry entry) {
        if (early == null) {
            early = new ArrayList<>();
        }
        early.add(entry);
    }

    List<QueueEntry> announce() {
        announced = true;
        List<QueueEntry> held = early == null ? List.of() : early;
        early = null;
        return held;
    }
}
