package dev.warren.server;

/**
 * RabbitMQ's memory high watermark, mapped onto the JVM: the broker's heap may grow to this much and no
 * further (the launcher passes it as {@code -Xmx}). RabbitMQ blocks publishers at the watermark; Warren
 * instead pages queued messages to disk past {@code warren.memory_budget}, which keeps the heap below it.
 *
 * @param highWatermarkRelative  share of the memory the machine, or the container's cgroup limit, offers
 *                               (vm_memory_high_watermark.relative); used unless an absolute size is set
 * @param highWatermarkAbsolute  bytes, or 0 when not set (vm_memory_high_watermark.absolute)
 */
public record MemoryConfig(double highWatermarkRelative, long highWatermarkAbsolute) {
    /** RabbitMQ's default since 4.0. */
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

    /** The heap for a machine (or container) with this much memory; never below {@link ConfigValues#MIN_HEAP}. */
    public long heapBytes(long totalMemory) {
        if (highWatermarkAbsolute > 0) {
            return highWatermarkAbsolute;
        }
        return Math.max(ConfigValues.MIN_HEAP, (long) (highWatermarkRelative * totalMemory));
    }
}
