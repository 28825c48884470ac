package dev.warren.server;

import dev.warren.core.store.MemoryAlarm;

/**
 * RabbitMQ's memory high watermark: above it the memory alarm blocks publishers, as in RabbitMQ. It is a
 * threshold on what Warren uses (heap beyond the young generation, direct buffers, mapped files; see
 * dev.warren.store.MemoryMonitor), not the heap's size. The launcher gives the JVM a heap a quarter larger
 * than the watermark ({@link #heapBytes}), so the heap alone can reach the watermark, and the alarm stop the
 * publishers, before the heap runs out. Queues paging past {@code warren.memory_budget} normally keep the
 * broker far below the watermark: the alarm is the backstop.
 *
 * @param highWatermarkRelative  share of the memory the machine, or the container's cgroup limit, offers
 *                               (vm_memory_high_watermark.relative); used unless an absolute size is set
 * @param highWatermarkAbsolute  bytes, or 0 when not set (vm_memory_high_watermark.absolute)
 */
public record MemoryConfig(double highWatermarkRelative, long highWatermarkAbsolute) {
    /** RabbitMQ's default since 4.0 (3.x had 0.4). */
    public static MemoryConfig defaults() {
        return new MemoryConfig(0.6, 0);
    }

    /** As in RabbitMQ the relative and absolute keys set one setting: the last one given wins. */
    public MemoryConfig withRelative(double fraction) {
        return new MemoryConfig(fraction, 0);
    }

    public MemoryConfig withAbsolute(long bytes) {
        return new MemoryConfig(highWatermarkRelative, bytes);
    }

    /** The setting, as the memory alarm takes it. */
    public MemoryAlarm.Watermark watermark() {
        return highWatermarkAbsolute > 0 ? MemoryAlarm.Watermark.absolute(highWatermarkAbsolute)
                : MemoryAlarm.Watermark.relative(highWatermarkRelative);
    }

    /** The watermark in bytes on a machine (or container) with this much memory. */
    public long watermarkBytes(long totalMemory) {
        return watermark().limit(totalMemory);
    }

    /**
     * The heap for a machine (or container) with this much memory: the watermark and a quarter more, so a
     * heap holding as much as the watermark still has room to collect garbage and the alarm comes before an
     * OutOfMemoryError; but not more than the memory there is, unless the watermark itself is (a relative
     * watermark above 0.8 gives the heap all the memory, and the alarm may then come only with off-heap
     * use). Never below {@link ConfigValues#MIN_HEAP}.
     */
    public long heapBytes(long totalMemory) {
        long watermark = watermarkBytes(totalMemory);
        long heap = Math.min(watermark + watermark / 4, Math.max(watermark, totalMemory));
        return Math.max(ConfigValues.MIN_HEAP, heap);
    }
}
