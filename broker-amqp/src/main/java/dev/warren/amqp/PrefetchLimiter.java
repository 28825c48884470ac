package dev.warren.amqp;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A channel's prefetch credit (basic.qos): each consumer's own limit and the channel-wide one
 * ({@code global=true}), and which consumers ran out of credit and must be woken when some comes back.
 *
 * <p>The channel-wide limit has RabbitMQ 3.x's semantics (its channel limiter; 4.3 changed them): only
 * deliveries that need an ack count against it, but a no-ack consumer on the channel also waits while the
 * limit is reached; and when credit comes back, the channel's consumers are woken in turn, starting one
 * further each time, so each gets an equal chance at the freed credit (RabbitMQ picks a random first queue).
 *
 * <p>Threading: {@link #tryTake} runs on the threads of the queues the consumers read from (several loops
 * may share the channel-wide limit, hence the atomics); everything else on the channel's loop.
 */
final class PrefetchLimiter {
    private volatile int globalLimit;
    private final AtomicInteger globalUnacked = new AtomicInteger();
    private int consumerLimit;
    // channel thread: who ran dry and waits for credit
    private final Set<ChannelConsumer> starved = new LinkedHashSet<>();
    private boolean globalStarved;
    private int wakeRotation;

    /** basic.qos: the channel-wide limit, or the limit of consumers started from now on. */
    void qos(int count, boolean global) {
        if (global) {
            globalLimit = count;
        } else {
            consumerLimit = count;
        }
    }

    int consumerLimit() {
        return consumerLimit;
    }

    int globalLimit() {
        return globalLimit;
    }

    /**
     * Takes a slot for one delivery to the consumer, or says there is none: checks the consumer's own
     * limit (only its queue counts it up, so no race) and reserves a channel-wide slot atomically.
     */
    boolean tryTake(ChannelConsumer consumer) {
        if (consumer.prefetch() != 0 && consumer.unackedCount() >= consumer.prefetch()) {
            return false;
        }
        while (true) {
            int limit = globalLimit;
            int current = globalUnacked.get();
            if (limit != 0 && current >= limit) {
                return false;
            }
            if (globalUnacked.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    /** Whether a no-ack consumer may be sent a message: it takes no credit, but waits while the channel's limit is reached. */
    boolean noAckMaySend() {
        int limit = globalLimit;
        return limit == 0 || globalUnacked.get() < limit;
    }

    /** A delivery to the consumer is done with (acked, rejected, requeued or never written). */
    void released(ChannelConsumer consumer) {
        if (consumer.released(1)) {
            starved.add(consumer);
        }
        int limit = globalLimit;
        if (globalUnacked.getAndDecrement() >= limit && limit > 0) {
            globalStarved = true;
        }
    }

    /**
     * The consumers to wake now that credit came back: the starved ones, or all when the channel's limit was
     * reached — then starting one further round each time, for fairness.
     */
    Collection<ChannelConsumer> takeWoken(Collection<ChannelConsumer> all) {
        if (globalStarved) {
            globalStarved = false;
            starved.clear();
            if (all.size() < 2) {
                return all;
            }
            List<ChannelConsumer> rotated = new ArrayList<>(all);
            Collections.rotate(rotated, -(wakeRotation++ % rotated.size()));
            return rotated;
        }
        if (starved.isEmpty()) {
            return List.of();
        }
        List<ChannelConsumer> woken = new ArrayList<>(starved);
        starved.clear();
        return woken;
    }
}
