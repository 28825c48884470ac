package dev.warren.core.store;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Message bytes handed to the store and not yet written: persistent publishes, and messages that queues
 * page out (spill) when they hold more than the memory budget. Until written, each holds its message in
 * memory, so when publishers outrun the disk this is where memory would grow without bound. Past the high
 * mark the store is <em>behind</em> and the broker stops reading publishing connections (RabbitMQ's "flow"
 * state: no connection.blocked, TCP pushes back) until the writer has brought it down to the low mark.
 *
 * <p>Thread-safe: {@link #add} on the threads that submit writes, {@link #remove} on the writer thread.
 * Listeners hear each change of state on the thread that made it and must not block.
 */
public final class WriteBacklog {
    /** A store that writes nothing is never behind. */
    public static final WriteBacklog NONE = new WriteBacklog(Long.MAX_VALUE, Long.MAX_VALUE);
    public static final long DEFAULT_HIGH = 64L << 20;
    public static final long DEFAULT_LOW = 32L << 20;

    private final long high;
    private final long low;
    private final AtomicLong bytes = new AtomicLong();
    private final CopyOnWriteArrayList<Consumer<Boolean>> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean behind;

    public WriteBacklog(long high, long low) {
        if (low > high) {
            throw new IllegalArgumentException("low mark " + low + " above high mark " + high);
        }
        this.high = high;
        this.low = low;
    }

    public static WriteBacklog withDefaults() {
        return new WriteBacklog(DEFAULT_HIGH, DEFAULT_LOW);
    }

    /** Bytes submitted for writing. */
    public void add(long n) {
        if (bytes.addAndGet(n) >= high && !behind) {
            update();
        }
    }

    /** Bytes written (or given up on). */
    public void remove(long n) {
        if (bytes.addAndGet(-n) <= low && behind) {
            update();
        }
    }

    /** Re-reads the count under the lock, so that racing adds and removes end in the right state. */
    private synchronized void update() {
        long now = bytes.get();
        boolean next = behind ? now > low : now >= high;
        if (next != behind) {
            behind = next;
            listeners.forEach(l -> l.accept(next));
        }
    }

    /** True from crossing the high mark until falling to the low mark. */
    public boolean behind() {
        return behind;
    }

    public long bytes() {
        return bytes.get();
    }

    public void onChange(Consumer<Boolean> listener) {
        listeners.add(listener);
    }
}
