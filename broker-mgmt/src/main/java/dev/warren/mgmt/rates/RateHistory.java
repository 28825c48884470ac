package dev.warren.mgmt.rates;

import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The samples behind the management API's rates: one {@link SampleRing} per sampled object (a queue, an
 * exchange, a channel...), keyed by the object itself, and the times of the sampler's ticks.
 *
 * <p>Every tick samples every object that exists then, so all rings end at the same tick and the rows
 * {@code back} ticks ago line up across objects: a ring is as long as its object is old (up to what its kind
 * keeps), and the time of its row {@code back} is the tick time {@code back} ticks ago. A tick drops the rings
 * of objects it no longer found, so the samples of a deleted queue or a closed channel go with it.
 *
 * <p>Threading: the sampler's thread ticks; API threads read. One lock guards everything: a tick holds it
 * while it copies the counters of every object (no I/O, no waiting), a read while it works out one answer.
 * The message path never comes here.
 */
public final class RateHistory {
    /** Tick times kept: at least as many as any kind of object keeps (see {@link SampledSeries}). */
    static final int TICKS_KEPT = 1024;

    private final long intervalMillis;
    /** False for the history of a server that does not sample: it stays empty and every rate is 0. */
    private final boolean sampled;
    private final SampleRing ticks;
    private final Map<Object, SampleRing> rings = new IdentityHashMap<>();
    private long tick = -1;
    /** Scratch rows for the readings; under the lock. */
    private long[] row = new long[16];
    private final long[] tickRow = new long[1];

    public RateHistory(long intervalMillis) {
        this(intervalMillis, true);
    }

    private RateHistory(long intervalMillis, boolean sampled) {
        if (intervalMillis <= 0) {
            throw new IllegalArgumentException("sampling interval must be positive: " + intervalMillis);
        }
        this.intervalMillis = intervalMillis;
        this.sampled = sampled;
        this.ticks = new SampleRing(1, TICKS_KEPT);
    }

    /** The history of a server that does not sample rates: always empty. */
    public static RateHistory unsampled() {
        return new RateHistory(1000, false);
    }

    /** Whether a sampler fills this history (RabbitMQ's rates_mode "basic"), or it stays empty ("none"). */
    public boolean sampled() {
        return sampled;
    }

    public long intervalMillis() {
        return intervalMillis;
    }

    /** Takes the samples of one tick: {@code sampling} records every object that exists now. */
    public interface Sampling {
        void sampleAll(Recorder recorder);
    }

    /** Records one object's series at the current tick. */
    public interface Recorder {
        <T> void record(T object, SeriesSet<T> series);
    }

    /** One tick at {@code now} (epoch ms): the objects' samples, then the rings of objects not seen are dropped. */
    public synchronized void tick(long now, Sampling sampling) {
        tick++;
        tickRow[0] = now;
        ticks.append(tick, tickRow);
        sampling.sampleAll(this::record);
        for (Iterator<SampleRing> it = rings.values().iterator(); it.hasNext(); ) {
            if (it.next().lastTick() != tick) {
                it.remove();
            }
        }
    }

    private <T> void record(T object, SeriesSet<T> series) {
        SampleRing ring = rings.get(object);
        if (ring == null) {
            ring = new SampleRing(series.width(), Math.min(series.samplesKept(), TICKS_KEPT));
            rings.put(object, ring);
        } else if (ring.lastTick() == tick) {
            return; // met twice in one tick (listed in two places): once is enough
        }
        if (row.length < series.width()) {
            row = new long[series.width()];
        }
        series.read(object, row);
        ring.append(tick, row);
    }

    /** The details of one series (or the sum of several, e.g. deliver_get) of one object; {@link Details#NONE} before its first sample. */
    public synchronized Details details(Object object, Range range, int... columns) {
        SampleRing ring = rings.get(object);
        if (ring == null) {
            return range == null ? Details.NONE : Details.of(new long[0], new long[0], 0, range, intervalMillis);
        }
        int n = ring.size();
        long[] times = new long[n];
        long[] values = new long[n];
        for (int back = 0; back < n; back++) {
            times[back] = ticks.value(back, 0);
            values[back] = sum(ring, back, columns);
        }
        return Details.of(times, values, n, range, intervalMillis);
    }

    /**
     * The details of the sum of one series over several objects (the queued messages of the virtual hosts a
     * user sees). An object younger than a sample counts 0 there.
     */
    public synchronized Details summedDetails(Collection<?> objects, Range range, int... columns) {
        int n = 0;
        SampleRing[] found = new SampleRing[objects.size()];
        int i = 0;
        for (Object o : objects) {
            SampleRing ring = rings.get(o);
            found[i++] = ring;
            if (ring != null) {
                n = Math.max(n, ring.size());
            }
        }
        long[] times = new long[n];
        long[] values = new long[n];
        for (int back = 0; back < n; back++) {
            times[back] = ticks.value(back, 0);
            for (SampleRing ring : found) {
                if (ring != null && back < ring.size()) {
                    values[back] += sum(ring, back, columns);
                }
            }
        }
        return Details.of(times, values, n, range, intervalMillis);
    }

    private static long sum(SampleRing ring, int back, int[] columns) {
        long sum = 0;
        for (int column : columns) {
            sum += ring.value(back, column);
        }
        return sum;
    }

    /** Objects with samples now (for tests and logs). */
    public synchronized int objectCount() {
        return rings.size();
    }
}
