package dev.warren.store;

import dev.warren.core.message.Message;
import dev.warren.core.stats.LatencyRecorder;
import dev.warren.core.store.Locations;
import dev.warren.core.store.ResourceAlarm;
import dev.warren.store.JournalOp.Ack;
import dev.warren.store.JournalOp.Append;
import dev.warren.store.JournalOp.Barrier;
import dev.warren.store.JournalOp.DeclareQueue;
import dev.warren.store.JournalOp.DeleteQueue;
import dev.warren.store.JournalOp.MarkDelivered;
import dev.warren.store.JournalOp.Release;
import dev.warren.store.JournalOp.Stop;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal's one writer thread: group commit. It takes every operation waiting, writes the batch's
 * message records with one write to the current segment and its index records with one write to the
 * index, forces both once (fsync policy permitting), and only then runs the batch's confirm callbacks.
 * The busier the broker, the more messages share each fsync.
 *
 * <p>It also keeps segment reference counts and deletes segments nothing needs, compacts the index when
 * it is mostly dead entries, and watches free disk space.
 */
final class JournalWriter implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(JournalWriter.class);
    private static final int MAX_BATCH = 16_384;
    private static final long DISK_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final StoreSettings settings;
    /** Lock-free: event loops hand work over without contending with each other or the writer. */
    private final Queue<JournalOp> ops = io.netty.util.internal.PlatformDependent.newMpscQueue();
    private volatile Thread parked;
    private final SegmentRefs refs;
    private final ResourceAlarm diskAlarm;
    private final Set<Integer> queues = new HashSet<>();
    private final ByteBuf data = PooledByteBufAllocator.DEFAULT.directBuffer(1 << 20);
    private final List<JournalOp> batch = new ArrayList<>();
    private final List<dev.warren.core.store.WriteCallback> completions = new ArrayList<>();
    /** The batch's messages, released once written. */
    private final List<Message> written = new ArrayList<>();
    private IndexLog index;
    private FileChannel segment;
    private long segmentNumber;
    /** Bytes already in the current segment file. */
    private long segmentWritten;
    private long nextCompactCheck;
    private long lastDiskCheck = System.nanoTime() - DISK_CHECK_NANOS;
    /** Everything below this location is in its segment file; readers wait for it. */
    private volatile long writtenThrough;
    private final Object writtenSignal = new Object();
    private volatile LatencyRecorder fsyncLatency = LatencyRecorder.NONE;

    /** Times each group commit's forces from now on. */
    void timeFsyncsWith(LatencyRecorder recorder) {
        fsyncLatency = recorder;
    }

    JournalWriter(StoreSettings settings, SegmentRefs refs, Set<Integer> knownQueues,
                  long firstSegment, ResourceAlarm diskAlarm) throws IOException {
        this.settings = settings;
        this.refs = refs;
        this.diskAlarm = diskAlarm;
        this.queues.addAll(knownQueues);
        this.index = new IndexLog(settings.directory().resolve(IndexLog.FILE_NAME));
        this.nextCompactCheck = Math.max(settings.compactIndexAt(), index.size() * 2);
        index.opened();
        openSegment(firstSegment);
        writtenThrough = Locations.of(firstSegment, 0); // earlier segments are complete
        index.flush();
        index.force();
    }

    /** Queues work for the writer thread (any thread); wakes it when it sleeps. */
    void submit(JournalOp op) {
        ops.add(op);
        Thread sleeping = parked;
        if (sleeping != null) {
            LockSupport.unpark(sleeping);
        }
    }

    /** Blocks until the record at {@code location} is written to its segment file. */
    void awaitWritten(long location) throws InterruptedException {
        if (location < writtenThrough) {
            return;
        }
        synchronized (writtenSignal) {
            while (location >= writtenThrough) {
                writtenSignal.wait(100);
            }
        }
    }

    @Override
    public void run() {
        try {
            while (true) {
                checkDisk();
                for (JournalOp op; batch.size() < MAX_BATCH && (op = ops.poll()) != null; ) {
                    batch.add(op);
                }
                if (batch.isEmpty()) {
                    sleep();
                    continue;
                }
                if (process(batch)) {
                    return;
                }
                batch.clear();
            }
        } catch (InterruptedException e) {
            LOG.warn("Journal writer interrupted; stopping without a clean mark");
        } catch (Throwable t) {
            LOG.error("Journal writer failed; the store can no longer write, publishes will not be confirmed", t);
            diskAlarm.set(true);
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

    /** Applies one batch; returns true when it held the stop. */
    private boolean process(List<JournalOp> ops) throws IOException {
        boolean sync = false;
        Stop stop = null;
        for (JournalOp op : ops) {
            if (op instanceof Append a) {
                writeRecord(a);
                written.add(a.message());
                if (a.queueIds() != null) {
                    sync = true;
                    if (a.onDurable() != null) {
                        completions.add(a.onDurable());
                    }
                }
            } else if (op instanceof Ack a) {
                if (queues.contains(a.queueId())) {
                    index.ack(a.queueId(), a.location());
                    refs.removeEntry(a.queueId(), Locations.segment(a.location()));
                }
            } else if (op instanceof Release r) {
                refs.removeSpill(Locations.segment(r.location()));
            } else if (op instanceof DeclareQueue d) {
                queues.add(d.queueId());
                index.declare(d.queueId(), d.vhost(), d.name());
                sync = true;
            } else if (op instanceof DeleteQueue d) {
                if (queues.remove(d.queueId())) {
                    index.delete(d.queueId());
                    refs.dropQueue(d.queueId());
                }
            } else if (op instanceof MarkDelivered m) {
                if (queues.contains(m.queueId())) {
                    index.delivered(m.queueId(), m.location());
                }
            } else if (op instanceof Barrier b) {
                sync = true;
                completions.add(b.task());
            } else if (op instanceof Stop s) {
                stop = s;
                break;
            }
        }
        flushData();
        if (stop != null) {
            index.clean();
        }
        index.flush();
        if ((sync && settings.fsync() == StoreSettings.FsyncPolicy.ALWAYS) || stop != null) {
            long started = System.nanoTime();
            segment.force(false);
            index.force();
            fsyncLatency.record(System.nanoTime() - started);
        }
        publishWritten();
        written.forEach(Message::release);
        written.clear();
        deleteUnreferencedSegments();
        if (stop == null) {
            compactIfMostlyDead();
        }
        runCompletions();
        if (stop != null) {
            close();
            stop.done().run();
            return true;
        }
        return false;
    }

    private void writeRecord(Append a) throws IOException {
        long segmentOfRecord = Locations.segment(a.location());
        if (segmentOfRecord != segmentNumber) {
            flushData();
            segment.force(false); // a full segment is on disk before anything in the next is confirmed
            segment.close();
            openSegment(segmentOfRecord);
        }
        long expected = segmentWritten + data.readableBytes();
        if (Locations.offset(a.location()) != expected) {
            throw new IllegalStateException("journal record out of place: reserved " + Locations.offset(a.location())
                    + ", writing at " + expected + " in segment " + segmentNumber);
        }
        MessageRecord.write(data, a.message());
        if (a.queueIds() == null) {
            refs.addSpill(segmentNumber);
        } else {
            for (int queueId : a.queueIds()) {
                if (queues.contains(queueId)) {
                    index.enqueue(queueId, a.location());
                    refs.addEntry(queueId, segmentNumber);
                }
            }
        }
        if (data.readableBytes() >= (4 << 20)) {
            flushData();
        }
    }

    private void openSegment(long number) throws IOException {
        segmentNumber = number;
        segment = FileChannel.open(Segments.file(settings.directory(), number),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        segmentWritten = segment.size();
        refs.segmentCreated(number);
    }

    private void flushData() throws IOException {
        while (data.isReadable()) {
            segmentWritten += data.readBytes(segment, segmentWritten, data.readableBytes());
        }
        data.clear();
    }

    private void publishWritten() {
        writtenThrough = Locations.of(segmentNumber, segmentWritten);
        synchronized (writtenSignal) {
            writtenSignal.notifyAll();
        }
    }

    private void runCompletions() {
        for (dev.warren.core.store.WriteCallback r : completions) {
            try {
                r.completed(null);
            } catch (RuntimeException e) {
                LOG.error("A store completion failed", e);
            }
        }
        completions.clear();
    }

    private void deleteUnreferencedSegments() {
        for (long dead; (dead = refs.takeUnreferencedBefore(segmentNumber)) >= 0; ) {
            try {
                Files.deleteIfExists(Segments.file(settings.directory(), dead));
                LOG.debug("Deleted segment {}: no queue needs it", dead);
            } catch (IOException e) {
                LOG.warn("Could not delete unused segment {}: {}", dead, e.getMessage());
            }
        }
    }

    /** Rewrites the index with only its live entries once dead ones dominate it. */
    private void compactIfMostlyDead() throws IOException {
        if (index.size() < nextCompactCheck) {
            return;
        }
        long live = refs.liveEntries() * IndexLog.ENTRY_SIZE;
        if (index.size() < 4 * live) {
            nextCompactCheck = index.size() + settings.compactIndexAt();
            return;
        }
        long before = index.size();
        index.close();
        Path file = settings.directory().resolve(IndexLog.FILE_NAME);
        Path compacted = settings.directory().resolve(IndexLog.FILE_NAME + ".compact");
        IndexReplay replay = IndexReplay.read(file);
        Files.deleteIfExists(compacted);
        try (IndexLog out = new IndexLog(compacted)) {
            for (IndexReplay.QueueLog q : replay.queues.values()) {
                out.declare(q.id, q.vhost, q.name);
                q.acked.sort();
                for (int i = 0; i < q.enqueued.size(); i++) {
                    long location = q.enqueued.get(i);
                    if (!q.acked.sortedContains(location)) {
                        out.enqueue(q.id, location);
                    }
                }
                out.flush();
            }
            out.opened();
            out.flush();
            out.force();
        }
        Files.move(compacted, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        index = new IndexLog(file);
        nextCompactCheck = Math.max(settings.compactIndexAt(), index.size() * 2);
        LOG.info("Compacted the queue index from {} to {} bytes", before, index.size());
    }

    private void checkDisk() {
        long now = System.nanoTime();
        if (now - lastDiskCheck < DISK_CHECK_NANOS) {
            return;
        }
        lastDiskCheck = now;
        try {
            long free = Files.getFileStore(settings.directory()).getUsableSpace();
            boolean low = free < settings.diskFreeLimit();
            if (low != diskAlarm.raised()) {
                if (low) {
                    LOG.warn("Free disk space {} bytes is below the limit of {} bytes: publishers are blocked", free,
                            settings.diskFreeLimit());
                } else {
                    LOG.info("Free disk space {} bytes is above the limit again: publishers may go on", free);
                }
                diskAlarm.set(low);
            }
        } catch (IOException e) {
            LOG.warn("Could not read free disk space: {}", e.getMessage());
        }
    }

    private void close() throws IOException {
        segment.close();
        index.close();
        data.release();
    }
}
