package dev.warren.server;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives heap back to the operating system once the broker has gone quiet. A burst (thousands of connections
 * opened and closed, a backlog drained) makes G1 commit more heap and promote what was alive during it; an idle
 * broker runs no collection at all, so that heap stays committed and resident: 8 to 25 MiB after 5,000
 * connections came and went (deploy/bench/RESULTS.md, issue 16). One full collection shrinks it back to what is
 * in use (the launcher's MaxHeapFreeRatio, never below -Xms). RabbitMQ's background GC is the same idea.
 *
 * <p>It collects only when all of these hold: a collection ran since the last trim (the heap can have grown); for
 * {@link #QUIET_NANOS} none ran and less than {@link #MAX_QUIET_ALLOCATION} was allocated (the broker is idle: an
 * idle one allocates ~25 KB/s, while a broker still moving a few thousand messages a second may collect only every
 * half minute and must not get a full pause each time); more heap is committed than the JVM started with (there is
 * something to give back); and at most {@link #MAX_USED_BYTES} is in use (a full collection's pause grows with what
 * is alive; this keeps it to tens of milliseconds).
 */
final class IdleHeapTrim {
    private static final Logger LOG = LoggerFactory.getLogger(IdleHeapTrim.class);
    static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(20);
    static final long MAX_USED_BYTES = 128L << 20;
    /** 2 MiB in 20 s: about 200 messages a second at Warren's ~500 bytes of garbage per message. */
    static final long MAX_QUIET_ALLOCATION = 2L << 20;
    static final long CHECK_SECONDS = 5;

    /** What the trim reads of the JVM, and how it collects; a test gives its own. */
    interface Heap {
        /** Collections of every kind since the JVM started. */
        long collections();

        MemoryUsage usage();

        void collect();
    }

    private final Heap heap;
    private long lastCollections = -1;
    private long quietSince;
    private long usedWhenQuiet;
    private long collectionsAfterTrim;

    IdleHeapTrim(Heap heap) {
        this.heap = heap;
        this.collectionsAfterTrim = heap.collections();
    }

    /** Checks every {@link #CHECK_SECONDS}, for the life of the process, on a daemon thread of its own. */
    static void start() {
        IdleHeapTrim trim = new IdleHeapTrim(new JvmHeap());
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "warren-idle-heap-trim");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(trim::checkSafely, CHECK_SECONDS, CHECK_SECONDS, TimeUnit.SECONDS);
    }

    /** One check at {@code now} (nanoseconds); returns whether it collected. */
    boolean check(long now) {
        long collections = heap.collections();
        MemoryUsage usage = heap.usage();
        // without a collection in between, what the heap's use grew by is what was allocated
        if (collections != lastCollections || usage.getUsed() - usedWhenQuiet > MAX_QUIET_ALLOCATION) {
            quietFrom(now, collections, usage.getUsed());
            return false;
        }
        if (collections == collectionsAfterTrim || now - quietSince < QUIET_NANOS) {
            return false;
        }
        if (usage.getCommitted() <= usage.getInit() || usage.getUsed() > MAX_USED_BYTES) {
            collectionsAfterTrim = collections; // nothing to give back, or too costly: wait for the next activity
            return false;
        }
        long start = System.nanoTime();
        heap.collect();
        collectionsAfterTrim = heap.collections();
        MemoryUsage after = heap.usage();
        quietFrom(now, collectionsAfterTrim, after.getUsed());
        LOG.debug("Idle: heap collected in {} ms, committed {} -> {} MiB", (System.nanoTime() - start) / 1_000_000,
                usage.getCommitted() >> 20, after.getCommitted() >> 20);
        return true;
    }

    /** The quiet period starts over at {@code now}, from these readings. */
    private void quietFrom(long now, long collections, long used) {
        lastCollections = collections;
        quietSince = now;
        usedWhenQuiet = used;
    }

    /** A failed check must not end the schedule (an exception would cancel it silently). */
    private void checkSafely() {
        try {
            check(System.nanoTime());
        } catch (RuntimeException e) {
            LOG.warn("Idle heap check failed: {}", e.toString());
        }
    }

    private static final class JvmHeap implements Heap {
        @Override
        public long collections() {
            long total = 0;
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                total += Math.max(0, gc.getCollectionCount());
            }
            return total;
        }

        @Override
        public MemoryUsage usage() {
            return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        }

        @Override
        public void collect() {
            System.gc(); // a full collection under G1 (the launcher does not pass ExplicitGCInvokesConcurrent)
        }
    }
}
