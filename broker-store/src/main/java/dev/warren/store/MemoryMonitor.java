package dev.warren.store;

import dev.warren.core.store.MemoryAlarm;
import io.netty.util.internal.PlatformDependent;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures what Warren uses about once a second and hands the reading to the {@link MemoryAlarm}, which
 * blocks publishers above {@code vm_memory_high_watermark}. Runs on a daemon thread of its own, never on
 * an event loop; {@link #sample} is the whole of one round, so tests drive it with a fake {@link Source}.
 */
public final class MemoryMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MemoryMonitor.class);
    static final long INTERVAL_MILLIS = 1000;

    /** Where readings come from: the JVM, or a test. */
    public interface Source {
        /** Bytes in use now. */
        long used();
    }

    private final Source source;
    private final MemoryAlarm alarm;
    private ScheduledExecutorService scheduler;

    public MemoryMonitor(Source source, MemoryAlarm alarm) {
        this.source = source;
        this.alarm = alarm;
    }

    /** A monitor of this JVM (see {@link JvmMemory}), sampling once a second until closed. */
    public static MemoryMonitor start(MemoryAlarm alarm) {
        MemoryMonitor monitor = new MemoryMonitor(new JvmMemory(), alarm);
        monitor.sample();
        monitor.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "warren-memory-monitor");
            t.setDaemon(true);
            return t;
        });
        monitor.scheduler.scheduleWithFixedDelay(monitor::sampleSafely, INTERVAL_MILLIS, INTERVAL_MILLIS,
                TimeUnit.MILLISECONDS);
        return monitor;
    }

    /** One reading, judged by the alarm at once. */
    void sample() {
        alarm.update(source.used());
    }

    /** A failed reading must not end the schedule (an exception would cancel it silently). */
    private void sampleSafely() {
        try {
            sample();
        } catch (RuntimeException e) {
            LOG.warn("Could not measure memory use: {}", e.toString());
        }
    }

    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    /**
     * What this JVM uses on Warren's behalf: the heap in use beyond the young generation's allocation space,
     * plus direct (network) buffers and mapped files.
     *
     * <p>The heap part leaves out Eden (emptied by every young collection and bounded by -Xmn) and counts the
     * other heap pools as they are now. Not the pools' "usage after the last collection": under G1 the old
     * generation's is updated only by mixed and full collections (young ones leave it as it was), and a
     * broker can run for days without either, so it would stay at whatever an early collection left, too
     * low or too high. Under a single-pool collector (ZGC, Shenandoah) the whole pool counts.
     *
     * <p>Direct memory: Netty counts its own direct buffers (PlatformDependent.usedDirectMemory) and, as
     * allocated on JDK 17, those are also in the JDK's "direct" buffer pool; other NIO buffers are only there.
     * So the larger of the two is taken rather than their sum, which would count Netty's buffers twice.
     */
    static final class JvmMemory implements Source {
        private final List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP && p.isValid())
                .toList();
        private final List<BufferPoolMXBean> bufferPools = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class);

        @Override
        public long used() {
            return heap() + direct() + mapped();
        }

        long heap() {
            if (heapPools.isEmpty()) {
                return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            }
            long used = 0;
            for (MemoryPoolMXBean pool : heapPools) {
                if (heapPools.size() == 1 || !pool.getName().contains("Eden")) {
                    used += pool.getUsage().getUsed();
                }
            }
            return used;
        }

        long direct() {
            return Math.max(bufferPool("direct"), PlatformDependent.usedDirectMemory());
        }

        long mapped() {
            return bufferPool("mapped");
        }

        private long bufferPool(String name) {
            for (BufferPoolMXBean pool : bufferPools) {
                if (pool.getName().equals(name)) {
                    return Math.max(0, pool.getMemoryUsed());
                }
            }
            return 0;
        }
    }
}
