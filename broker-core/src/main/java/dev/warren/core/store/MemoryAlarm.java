package dev.warren.core.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RabbitMQ's memory alarm: when what the broker uses goes above {@code vm_memory_high_watermark}, the
 * {@code memory} {@link ResourceAlarm} is raised and publishing connections are blocked; it clears once use
 * falls below {@link #CLEAR_FRACTION} of the limit. The watermark is a share of the memory the JVM sees
 * (the machine's, or the container's limit) or an absolute size, and can be changed while the broker runs
 * (warrenctl set_vm_memory_high_watermark). This class decides; a monitor on the store side measures and
 * hands it a reading about once a second ({@link #update}).
 *
 * <p>Threading: {@link #update} (the monitor's thread) and {@link #setWatermark} (a management thread) are
 * synchronized, so the alarm changes on one thread at a time; the getters may be called from any thread.
 */
public final class MemoryAlarm {
    private static final Logger LOG = LoggerFactory.getLogger(MemoryAlarm.class);

    /**
     * A raised alarm clears only below this share of the limit. What is measured moves in steps (a
     * collection frees old-generation memory at once, buffers come and go with connections): without a
     * margin a broker at the limit would block and unblock its publishers every second, and each unblock
     * lets a burst in. 5% is more than the wobble of a steady broker's readings, and little enough that a
     * broker whose consumers drained some messages is not held blocked long.
     */
    public static final double CLEAR_FRACTION = 0.95;

    /** RabbitMQ's vm_memory_high_watermark: a share of the memory the JVM sees, or a size when absolute > 0. */
    public record Watermark(double relative, long absolute) {
        public Watermark {
            if (absolute < 0 || relative < 0 || Double.isNaN(relative)) {
                throw new IllegalArgumentException("a memory watermark is not negative: " + relative + ", " + absolute);
            }
        }

        public static Watermark relative(double fraction) {
            return new Watermark(fraction, 0);
        }

        public static Watermark absolute(long bytes) {
            return new Watermark(0, bytes);
        }

        public boolean isAbsolute() {
            return absolute > 0;
        }

        /** The limit in bytes on a machine, or container, with {@code totalMemory} bytes. */
        public long limit(long totalMemory) {
            return isAbsolute() ? absolute : (long) (relative * totalMemory);
        }

        @Override
        public String toString() {
            return isAbsolute() ? absolute + " bytes" : relative + " of available memory";
        }
    }

    private final ResourceAlarm alarm = new ResourceAlarm("memory");
    private final long totalMemory;
    private volatile Watermark watermark;
    /** The last reading; 0 until the first. */
    private volatile long used;

    /** @param totalMemory the memory the JVM sees, which a relative watermark is a share of */
    public MemoryAlarm(Watermark watermark, long totalMemory) {
        this.watermark = watermark;
        this.totalMemory = totalMemory;
    }

    /** An alarm no reading reaches: for tests and embedded brokers that run no memory monitor. */
    public static MemoryAlarm unlimited() {
        return new MemoryAlarm(Watermark.absolute(Long.MAX_VALUE), Long.MAX_VALUE);
    }

    /** The alarm connections watch: raised while memory is short. */
    public ResourceAlarm alarm() {
        return alarm;
    }

    public boolean raised() {
        return alarm.raised();
    }

    public Watermark watermark() {
        return watermark;
    }

    public long totalMemory() {
        return totalMemory;
    }

    /** The watermark in bytes. */
    public long limit() {
        return watermark.limit(totalMemory);
    }

    /** The last reading of what the broker uses, in bytes. */
    public long used() {
        return used;
    }

    /** A new reading: raises the alarm above the limit, clears it below {@link #CLEAR_FRACTION} of it. */
    public synchronized void update(long usedBytes) {
        used = usedBytes;
        evaluate();
    }

    /** Changes the watermark (warrenctl set_vm_memory_high_watermark) and judges the last reading against it at once. */
    public synchronized void setWatermark(Watermark newWatermark) {
        watermark = newWatermark;
        LOG.info("Memory high watermark set to {}, computed to {} bytes; {} bytes in use",
                newWatermark, limit(), used);
        evaluate();
    }

    private void evaluate() {
        long limit = limit();
        if (!alarm.raised() && used > limit) {
            LOG.warn("Memory resource limit alarm set: {} bytes in use, above vm_memory_high_watermark of {} bytes ({}). "
                    + "Publishers are blocked until this alarm clears", used, limit, watermark);
            alarm.set(true);
        } else if (alarm.raised() && used < (long) (limit * CLEAR_FRACTION)) {
            LOG.info("Memory resource limit alarm cleared: {} bytes in use, below {} bytes", used,
                    (long) (limit * CLEAR_FRACTION));
            alarm.set(false);
        }
    }
}
