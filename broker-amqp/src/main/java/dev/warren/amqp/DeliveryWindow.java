package dev.warren.amqp;

import dev.warren.core.store.MemoryBudget;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the deliveries of one connection that queues on other event loops have handed over and its own
 * loop has not written to the socket yet. Without it a no-ack consumer on a slow connection could pull a
 * queue's whole backlog onto the heap: the socket's writability only changes once the connection's loop
 * writes, and until then nothing stops the queues. Those messages stay counted in the broker's
 * {@link MemoryBudget} until written, so paging sees them too.
 *
 * <p>{@link #isOpen} and {@link #posted} run on queue threads, {@link #written} on the connection's loop;
 * when the window had turned a consumer away and falls to half, {@code wake} runs there to restart dispatch.
 */
final class DeliveryWindow {
    static final long DEFAULT_LIMIT = 4L << 20;

    private final long limit;
    private final MemoryBudget memory;
    private final Runnable wake;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicBoolean turnedAway = new AtomicBoolean();

    DeliveryWindow(long limit, MemoryBudget memory, Runnable wake) {
        this.limit = limit;
        this.memory = memory;
        this.wake = wake;
    }

    /** Whether another delivery may be handed over now (queue thread); remembers a refusal for the wake-up. */
    boolean isOpen() {
        if (pending.get() < limit) {
            return true;
        }
        turnedAway.set(true);
        return false;
    }

    /** A delivery of this weight was handed to the connection (queue thread). */
    void posted(long weight) {
        pending.addAndGet(weight);
        memory.take(weight);
    }

    /** It was written to the socket, or dropped (connection thread). */
    void written(long weight) {
        memory.give(weight);
        long after = pending.addAndGet(-weight);
        if (after <= limit / 2 && turnedAway.compareAndSet(true, false)) {
            wake.run();
        }
    }

}
