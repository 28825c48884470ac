package dev.warren.store;

import dev.warren.core.store.ResourceAlarm;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches free disk space under the store, at most once a second, and raises the disk alarm below the
 * limit (publishers are blocked) and clears it above. Called by the writer thread between batches.
 */
final class DiskSpaceMonitor {
    private static final Logger LOG = LoggerFactory.getLogger(DiskSpaceMonitor.class);
    private static final long CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final StoreFiles files;
    private final Path directory;
    private final long freeLimit;
    private final ResourceAlarm alarm;
    private long lastCheck = System.nanoTime() - CHECK_NANOS;
    /** The alarm is up because the store failed: free space does not clear it. */
    private volatile boolean heldByFailure;

    DiskSpaceMonitor(StoreFiles files, Path directory, long freeLimit, ResourceAlarm alarm) {
        this.files = files;
        this.directory = directory;
        this.freeLimit = freeLimit;
        this.alarm = alarm;
    }

    void check() {
        long now = System.nanoTime();
        if (now - lastCheck < CHECK_NANOS || heldByFailure) {
            return;
        }
        lastCheck = now;
        try {
            long free = files.usableSpace(directory);
            boolean low = free < freeLimit;
            alarm.measured(free, freeLimit);
            if (low != alarm.raised()) {
                if (low) {
                    LOG.warn("Free disk space {} bytes is below the limit of {} bytes: publishers are blocked", free, freeLimit);
                } else {
                    LOG.info("Free disk space {} bytes is above the limit again: publishers may go on", free);
                }
                alarm.set(low);
            }
        } catch (IOException e) {
            LOG.warn("Could not read free disk space: {}", e.getMessage());
        }
    }

    /** The store cannot write any more: the alarm stays up whatever the free space. */
    void storeFailed() {
        heldByFailure = true;
        alarm.set(true);
    }
}
