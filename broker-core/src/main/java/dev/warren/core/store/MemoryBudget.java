package dev.warren.core.store;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How many bytes of messages the queues may keep on the heap, all queues together. Past the budget a
 * queue pages new messages out: it keeps their locations and reads the bodies back when they are due.
 */
public final class MemoryBudget {
    /** What a queued message costs beyond its bytes: the message, its buffers and its queue entry. */
    static final int OVERHEAD = 200;

    private final long limit;
    private final AtomicLong used = new AtomicLong();

    public MemoryBudget(long limitBytes) {
        this.limit = limitBytes;
    }

    public static MemoryBudget unlimited() {
        return new MemoryBudget(Long.MAX_VALUE);
    }

    public long limit() {
        return limit;
    }

    public long used() {
        return used.get();
    }

    public boolean exhausted() {
        return used.get() >= limit;
    }

    public void take(long bytes) {
        used.addAndGet(bytes);
    }

    public void give(long bytes) {
        used.addAndGet(-bytes);
    }

    /** The heap cost counted for a message of this many property and body bytes. */
    public static long weight(int messageBytes) {
        return messageBytes + OVERHEAD;
    }
}
