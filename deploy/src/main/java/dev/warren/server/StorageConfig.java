package dev.warren.server;

/**
 * How the broker stores messages.
 *
 * @param fsync          "always" (before a persistent message is confirmed) or "never" (leave it to the OS)
 * @param segmentSize    bytes per journal segment file
 * @param memoryBudget   bytes of queued messages kept on the heap, all queues together; past it queues page
 *                       messages out to the journal
 * @param diskFreeLimit  below this many free bytes publishers are blocked (RabbitMQ's disk_free_limit)
 */
public record StorageConfig(String fsync, long segmentSize, long memoryBudget, long diskFreeLimit) {
    public static StorageConfig defaults() {
        return new StorageConfig("always", 64L << 20, 64L << 20, 50_000_000L);
    }

    public StorageConfig withFsync(String policy) {
        return new StorageConfig(policy, segmentSize, memoryBudget, diskFreeLimit);
    }

    public StorageConfig withSegmentSize(long bytes) {
        return new StorageConfig(fsync, bytes, memoryBudget, diskFreeLimit);
    }

    public StorageConfig withMemoryBudget(long bytes) {
        return new StorageConfig(fsync, segmentSize, bytes, diskFreeLimit);
    }

    public StorageConfig withDiskFreeLimit(long bytes) {
        return new StorageConfig(fsync, segmentSize, memoryBudget, bytes);
    }
}
