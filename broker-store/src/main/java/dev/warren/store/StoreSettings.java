package dev.warren.store;

import java.nio.file.Path;

/**
 * How the journal stores messages.
 *
 * @param directory     where the segment files and the queue index live
 * @param segmentSize   bytes after which a new segment file is started (a larger record gets one alone)
 * @param fsync         when writes are forced to disk
 * @param diskFreeLimit below this many free bytes on the directory's file system publishers are blocked
 * @param compactIndexAt the queue index is rewritten with its live entries only once it is at least this
 *                       big and four times what is live
 */
public record StoreSettings(Path directory, long segmentSize, FsyncPolicy fsync, long diskFreeLimit, long compactIndexAt) {
    public static final long DEFAULT_SEGMENT_SIZE = 64L * 1024 * 1024;
    public static final long DEFAULT_COMPACT_INDEX_AT = 64L * 1024 * 1024;
    /** RabbitMQ's default disk_free_limit. */
    public static final long DEFAULT_DISK_FREE_LIMIT = 50L * 1000 * 1000;

    public StoreSettings {
        if (segmentSize < 4096 || segmentSize > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("segment size must be between 4 KiB and 4 GiB: " + segmentSize);
        }
    }

    public static StoreSettings defaults(Path directory) {
        return new StoreSettings(directory, DEFAULT_SEGMENT_SIZE, FsyncPolicy.ALWAYS, DEFAULT_DISK_FREE_LIMIT,
                DEFAULT_COMPACT_INDEX_AT);
    }

    public StoreSettings withSegmentSize(long bytes) {
        return new StoreSettings(directory, bytes, fsync, diskFreeLimit, compactIndexAt);
    }

    public StoreSettings withFsync(FsyncPolicy policy) {
        return new StoreSettings(directory, segmentSize, policy, diskFreeLimit, compactIndexAt);
    }

    public StoreSettings withDiskFreeLimit(long bytes) {
        return new StoreSettings(directory, segmentSize, fsync, bytes, compactIndexAt);
    }

    public StoreSettings withCompactIndexAt(long bytes) {
        return new StoreSettings(directory, segmentSize, fsync, diskFreeLimit, bytes);
    }

    /** When the journal forces what it wrote to disk. */
    public enum FsyncPolicy {
        /** Before a persistent message is confirmed (RabbitMQ's guarantee): survives power loss. */
        ALWAYS,
        /** Never explicitly: survives a process crash (kill -9), not power loss. */
        NEVER;

        public static FsyncPolicy named(String name) {
            return switch (name) {
                case "always" -> ALWAYS;
                case "never" -> NEVER;
                default -> throw new IllegalArgumentException("fsync policy must be 'always' or 'never': '" + name + "'");
            };
        }
    }
}
