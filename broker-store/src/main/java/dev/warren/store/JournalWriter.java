package dev.warren.store;

import dev.warren.core.stats.LatencyRecorder;
import dev.warren.core.store.WriteBacklog;
import dev.warren.core.store.WriteCallback;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal's one writer thread: group commit. It takes every operation waiting, lets each apply itself
 * to the batch ({@link JournalOp#apply}), writes the batch's message records with one write to the current
 * segment and its index records with one write to the index, forces both once (fsync policy permitting),
 * and only then completes the batch's callbacks. The busier the broker, the more messages share each fsync.
 * Between batches it deletes segments nothing needs, watches free disk space ({@link DiskSpaceMonitor}) and
 * starts or finishes an index compaction, which runs on its own thread ({@link IndexCompactor}).
 *
 * <p>Failure: when a write or a force fails, or the thread dies of anything, the store has failed for
 * good: the cause is logged once, the disk alarm raised, every callback of the batch and every operation
 * after it completed with the cause, readers waiting for a record let go, and {@link #failure()} says so,
 * which makes {@link Journal} refuse new writes. The thread stays to fail what still arrives, until stopped.
 */
final class JournalWriter implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(JournalWriter.class);
    private static final int MAX_BATCH = 16_384;

    private final StoreSettings settings;
    private final StoreFiles files;
    /** Lock-free: event loops hand work over without contending with each other or the writer. */
    private final Queue<JournalOp> ops = PlatformDependent.newMpscQueue();
    /** Message bytes submitted and not yet written; WriteBatch takes them off once written. */
    private final WriteBacklog backlog;
    private volatile Thread parked;
    private final SegmentRefs refs;
    private final SegmentWriter segments;
    private final DiskSpaceMonitor disk;
    private final IndexCompactor compactor;
    private final WriteBatch batch;
    private final List<JournalOp> taken = new ArrayList<>();
    private IndexLog index;
    private long nextCompactCheck;
    private volatile Throwable failure;
    private volatile LatencyRecorder fsyncLatency = LatencyRecorder.NONE;
    /** Told of each segment file deleted, so a reader holding it open lets it go (its space is freed on close). */
    private volatile java.util.function.LongConsumer onSegmentDeleted = segment -> { };

    JournalWriter(StoreSettings settings, StoreFiles files, SegmentRefs refs, Set<Integer> knownQueues, long firstSegment,
                  DiskSpaceMonitor disk, Executor compactions, WriteBacklog backlog) throws IOException {
        this.settings = settings;
        this.backlog = backlog;
        this.files = files;
        this.refs = refs;
        this.disk = disk;
        Path indexFile = settings.directory().resolve(IndexLog.FILE_NAME);
        this.index = new IndexLog(files, indexFile);
        this.compactor = new IndexCompactor(files, indexFile, compactions);
        this.nextCompactCheck = Math.max(settings.compactIndexAt(), index.size() * 2);
        this.segments = new SegmentWriter(files, settings.directory(), refs, firstSegment);
        this.batch = new WriteBatch(segments, index, refs, knownQueues, backlog);
        index.opened();
        index.flush();
        index.force();
    }

    /** Times each group commit's forces from now on. */
    void timeFsyncsWith(LatencyRecorder recorder) {
        fsyncLatency = recorder;
    }

    /** Why the store can no longer write, or null. */
    Throwable failure() {
        return failure;
    }

    /** Queues work for the writer thread (any thread); wakes it when it sleeps. */
    void submit(JournalOp op) {
        ops.add(op);
        Thread sleeping = parked;
        if (sleeping != null) {
            LockSupport.unpark(sleeping);
        }
    }

    /** Blocks a reader until the record at {@code location} is in its segment file, or the store failed. */
    void awaitWritten(long location) throws IOException, InterruptedException {
        segments.awaitWritten(location);
    }

    @Override
    public void run() {
        try {
            while (true) {
                disk.check();
                for (JournalOp op; taken.size() < MAX_BATCH && (op = ops.poll()) != null; ) {
                    taken.add(op);
                }
                if (taken.isEmpty()) {
                    sleep();
                    continue;
                }
                if (commit()) {
                    return;
                }
                taken.clear();
            }
        } catch (InterruptedException e) {
            LOG.warn("Journal writer interrupted; stopping without a clean mark");
        } catch (Throwable t) {
            fail(t);
            failEverythingUntilStopped(t);
        }
    }

    /** Waits for work (at most 200 ms, so the disk is still checked when idle). */
    private void sleep() throws InterruptedException {
        parked = Thread.currentThread();
        if (ops.isEmpty()) { // checked after announcing the sleep: a submit in between unparks us
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(200));
        }
        parked = null;
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }

    /** One group commit of the operations taken; returns true when it held the stop. */
    private boolean commit() throws IOException {
        int applied = 0;
        try {
            for (JournalOp op : taken) {
                op.apply(batch);
                applied++;
                if (batch.stopRequested() != null) {
                    break;
                }
            }
            Runnable stop = batch.stopRequested();
            segments.flush();
            if (stop != null) {
                batch.index().clean();
            }
            batch.index().flush();
            if ((batch.needsSync() && settings.fsync() == StoreSettings.FsyncPolicy.ALWAYS) || stop != null) {
                long started = System.nanoTime();
                segments.force();
                batch.index().force();
                fsyncLatency.record(System.nanoTime() - started);
            }
            segments.publishWritten();
        } catch (IOException | RuntimeException | Error e) {
            failBatch(e, applied);
            throw e;
        }
        List<WriteCallback> durable = new ArrayList<>(batch.callbacks());
        batch.clear();
        Runnable stop = batch.stopRequested();
        deleteUnreferencedSegments();
        if (stop == null) {
            compactWhenMostlyDead();
        }
        complete(durable, null);
        if (stop != null) {
            close();
            stop.run();
            return true;
        }
        return false;
    }

    /** The batch could not be written: its callbacks and its operations not yet applied hear the cause. */
    private void failBatch(Throwable cause, int applied) {
        fail(cause);
        List<WriteCallback> waiting = new ArrayList<>(batch.callbacks());
        batch.clear();
        complete(waiting, cause);
        for (int i = applied; i < taken.size(); i++) {
            failOp(taken.get(i), cause);
        }
        taken.clear();
    }

    /** An operation that will never be written: it hears why, and a message leaves the backlog. */
    private void failOp(JournalOp op, Throwable cause) {
        if (op instanceof JournalOp.Append append) {
            backlog.remove(MessageRecord.size(append.message()));
        }
        op.failed(cause);
    }

    private void fail(Throwable cause) {
        if (failure != null) {
            return;
        }
        failure = cause;
        LOG.error("The message store failed and can no longer write: persistent publishes are refused (nacked) and "
                + "the disk alarm is raised; messages confirmed so far are safe and come back after a restart", cause);
        segments.fail(cause);
        disk.storeFailed();
    }

    /** After a failure: every operation that still arrives hears it, until the stop. */
    private void failEverythingUntilStopped(Throwable cause) {
        try {
            while (true) {
                JournalOp op = ops.poll();
                if (op == null) {
                    sleep();
                    continue;
                }
                failOp(op, cause);
                if (op instanceof JournalOp.Stop) {
                    closeQuietly();
                    return;
                }
            }
        } catch (InterruptedException e) {
            LOG.warn("Journal writer interrupted after the store failed");
        }
    }

    private static void complete(List<WriteCallback> callbacks, Throwable cause) {
        for (WriteCallback callback : callbacks) {
            try {
                callback.completed(cause);
            } catch (RuntimeException e) {
                LOG.error("A store completion failed", e);
            }
        }
    }

    void onSegmentDeleted(java.util.function.LongConsumer listener) {
        this.onSegmentDeleted = listener;
    }

    private void deleteUnreferencedSegments() {
        for (long dead; (dead = refs.takeUnreferencedBefore(segments.currentSegment())) >= 0; ) {
            try {
                files.deleteIfExists(Segments.file(settings.directory(), dead));
                onSegmentDeleted.accept(dead);
                LOG.debug("Deleted segment {}: no queue needs it", dead);
            } catch (IOException e) {
                LOG.warn("Could not delete unused segment {}: {}", dead, e.getMessage());
            }
        }
    }

    /** Starts compacting the index once dead entries dominate it, and swaps the result in when it is ready. */
    private void compactWhenMostlyDead() throws IOException {
        IndexLog compacted = compactor.finishIfDone(batch.index());
        if (compacted != null) {
            index = compacted;
            batch.index(compacted);
            nextCompactCheck = Math.max(settings.compactIndexAt(), index.size() * 2);
            return;
        }
        if (compactor.running() || index.size() < nextCompactCheck) {
            return;
        }
        long live = refs.liveEntries() * IndexLog.ENTRY_SIZE;
        if (index.size() < 4 * live) {
            nextCompactCheck = index.size() + settings.compactIndexAt();
            return;
        }
        index.flush();
        compactor.start(index.size());
    }

    private void close() throws IOException {
        try {
            segments.close();
        } finally {
            index.close();
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException | RuntimeException e) {
            LOG.debug("Closing the journal files after a failure: {}", e.toString());
        }
    }
}
