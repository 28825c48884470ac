package dev.warren.core.stats;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The message counters of one object that a single thread owns (a channel, on its connection's event loop; a
 * queue, on its owner thread). An increment is a plain add and an opaque store: no lock, no fence, nothing
 * allocated, so it costs the message path next to nothing. Any thread may read a count; it sees a value the
 * owner wrote, perhaps not the latest one, which is all rates sampled every few seconds need.
 *
 * <p>Threading: {@link #add} only on the owner thread; {@link #get} from any thread.
 */
public final class OwnedCounters {
    private static final VarHandle COUNT = MethodHandles.arrayElementVarHandle(long[].class);

    /** Indexed by {@link Counter#ordinal()}: 11 longs, 104 bytes with the array's header. */
    private final long[] counts = new long[Counter.all().length];

    /** Owner thread only. */
    public void increment(Counter counter) {
        add(counter, 1);
    }

    /** Owner thread only. */
    public void add(Counter counter, long n) {
        int i = counter.ordinal();
        COUNT.setOpaque(counts, i, counts[i] + n);
    }

    /** Adds every count of {@code other} to this one's (owner thread only; other's owner must be this thread too). */
    void addAll(OwnedCounters other) {
        for (Counter c : Counter.all()) {
            add(c, other.get(c));
        }
    }

    /** Any thread. */
    public long get(Counter counter) {
        return (long) COUNT.getOpaque(counts, counter.ordinal());
    }
}
