package dev.warren.store;

import dev.warren.core.message.Message;
import dev.warren.core.stats.LatencyRecorder;
import dev.warren.core.store.Locations;
import dev.warren.core.store.MessageStore;
import dev.warren.core.store.ReadCallback;
import dev.warren.core.store.RecoveredQueue;
import dev.warren.core.store.ResourceAlarm;
import dev.warren.core.store.WriteBacklog;
import dev.warren.core.store.StoreFailedException;
import dev.warren.core.store.WriteCallback;
import dev.warren.store.JournalOp.Ack;
import dev.warren.store.JournalOp.Append;
import dev.warren.store.JournalOp.Barrier;
import dev.warren.store.JournalOp.DeclareQueue;
import dev.warren.store.JournalOp.DeleteQueue;
import dev.warren.store.JournalOp.MarkDelivered;
import dev.warren.store.JournalOp.Release;
import dev.warren.store.JournalOp.Stop;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The message store on disk: append-only segment files of message records plus one queue index, written
 * by a single {@link JournalWriter} thread (group commit) and read back by a single reader thread.
 *
 * <p>A record's location is reserved when it is submitted, under a short lock that also queues the write,
 * so the caller knows where the message lives at once and the writer finds the records in file order.
 */
public final class Journal implements MessageStore, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);

    private final StoreSettings settings;
    private final JournalWriter writer;
    private final Thread writerThread;
    private final ExecutorService readerThread;
    private final SegmentReader reader;
    private List<RecoveredQueue> recovered;
    private final Map<String, Integer> queueIds = new HashMap<>();
    private int nextQueueId;
    private volatile boolean closed;

    private final Object reservation = new Object();
    /** Message bytes submitted and not yet written: publishers slow down while it is high. */
    private final WriteBacklog backlog = WriteBacklog.withDefaults();
    private long segment;
    private long offset;

    private Journal(StoreSettings settings, StoreFiles files, Recovery.Result recovery, ResourceAlarm diskAlarm,
                    Executor compactions) throws IOException {
        this.settings = settings;
        this.recovered = recovery.queues();
        Set<Integer> known = new HashSet<>();
        for (RecoveredQueue q : recovered) {
            queueIds.put(key(q.vhost(), q.name()), q.queueId());
            known.add(q.queueId());
        }
        this.nextQueueId = recovery.highestQueueId() + 1;
        this.segment = recovery.nextSegment();
        this.offset = 0;
        DiskSpaceMonitor disk = new DiskSpaceMonitor(files, settings.directory(), settings.diskFreeLimit(), diskAlarm);
        this.writer = new JournalWriter(settings, files, recovery.refs(), known, segment, disk, compactions, backlog);
        this.writerThread = new Thread(writer, "warren-journal-writer");
        this.writerThread.setDaemon(true);
        this.writerThread.start();
        this.reader = new SegmentReader(files, settings.directory());
        this.readerThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "warren-journal-reader");
            t.setDaemon(true);
            return t;
        });
        writer.onSegmentDeleted(segment -> readerThread.execute(() -> reader.forget(segment)));
    }

    /** Opens the store in its directory, recovering what a previous run left there. */
    public static Journal open(StoreSettings settings, ResourceAlarm diskAlarm) throws IOException {
        return open(settings, DiskFiles.INSTANCE, diskAlarm, Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "warren-index-compactor");
            t.setDaemon(true);
            return t;
        }));
    }

    /** Opens the store on the given files (the real ones, or a test's fake), compacting on {@code compactions}. */
    static Journal open(StoreSettings settings, StoreFiles files, ResourceAlarm diskAlarm, Executor compactions)
            throws IOException {
        long started = System.nanoTime();
        Recovery.Result recovery = Recovery.run(files, settings.directory());
        Journal journal = new Journal(settings, files, recovery, diskAlarm, compactions);
        long messages = recovery.queues().stream().mapToLong(q -> q.entries().length).sum();
        LOG.info("Message store {} opened in {} ms: {} durable queues, {} stored messages, fsync {}",
                settings.directory(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                recovery.queues().size(), messages, settings.fsync().name().toLowerCase());
        return journal;
    }

    /** Times every fsync of a group commit with this recorder (the metrics' fsync latency histogram). */
    public void timeFsyncsWith(LatencyRecorder recorder) {
        writer.timeFsyncsWith(recorder);
    }

    /** Hands over the durable queues found on start, with their messages, for the broker to restore. Once. */
    public List<RecoveredQueue> takeRecovered() {
        List<RecoveredQueue> taken = recovered;
        recovered = List.of();
        return taken;
    }

    @Override
    public boolean enabled() {
        return true;
    }

    /** The store's refusal of new writes once it has failed. */
    private void checkWritable() {
        Throwable failed = writer.failure();
        if (failed != null) {
            throw new StoreFailedException("the message store has failed", failed);
        }
    }

    @Override
    public int registerQueue(String vhost, String queue) {
        synchronized (queueIds) {
            Integer known = queueIds.get(key(vhost, queue));
            if (known != null) {
                return known;
            }
            int id = nextQueueId++;
            queueIds.put(key(vhost, queue), id);
            writer.submit(new DeclareQueue(id, vhost, queue));
            return id;
        }
    }

    @Override
    public void deleteQueue(int queueId) {
        synchronized (queueIds) {
            queueIds.values().remove(queueId);
            writer.submit(new DeleteQueue(queueId));
        }
    }

    @Override
    public long append(Message message, int[] queueIds, int count, WriteCallback onDurable) {
        long location = submit(message, Arrays.copyOf(queueIds, count), onDurable, -1, -1);
        message.storedAt(location);
        return location;
    }

    /** Atomic: the copy's index entries and the original's ack are one index record ({@link IndexLog#move}). */
    @Override
    public long appendReplacing(Message message, int[] queueIds, int count, int replacedQueueId, long replacedLocation,
                                WriteCallback onDurable) {
        long location = submit(message, Arrays.copyOf(queueIds, count), onDurable, replacedQueueId,
                Locations.plain(replacedLocation));
        message.storedAt(location);
        return location;
    }

    @Override
    public WriteBacklog writeBacklog() {
        return backlog;
    }

    @Override
    public long spill(Message message) {
        return submit(message, null, null, -1, -1);
    }

    private long submit(Message message, int[] queues, WriteCallback onDurable, int replacedQueue, long replacedLocation) {
        checkWritable();
        int size = MessageRecord.size(message);
        message.retain(); // until written
        backlog.add(size);
        synchronized (reservation) {
            if (offset > 0 && offset + size > settings.segmentSize()) {
                segment++;
                offset = 0;
            }
            long location = Locations.of(segment, offset);
            offset += size;
            writer.submit(new Append(message, location, queues, onDurable, replacedQueue, replacedLocation));
            return location;
        }
    }

    @Override
    public void ack(int queueId, long location) {
        writer.submit(new Ack(queueId, Locations.plain(location)));
    }

    @Override
    public void release(long location) {
        writer.submit(new Release(Locations.plain(location)));
    }

    @Override
    public void read(long[] locations, int count, ReadCallback done) {
        long[] wanted = Arrays.copyOf(locations, count);
        readerThread.execute(() -> {
            Message[] messages = new Message[wanted.length];
            try {
                for (int i = 0; i < wanted.length; i++) {
                    long location = Locations.plain(wanted[i]);
                    writer.awaitWritten(location);
                    messages[i] = reader.read(location);
                }
            } catch (IOException | InterruptedException e) {
                // The records may well be intact: the queue keeps them and asks again later.
                if (writer.failure() == null) {
                    LOG.error("Could not read messages back from the store: {}", e.toString());
                }
                releaseAll(messages);
                done.completed(null, e);
                return;
            }
            try {
                done.completed(messages, null);
            } catch (RuntimeException e) { // e.g. the queue's loop is gone because the broker is stopping
                releaseAll(messages);
            }
        });
    }

    private static void releaseAll(Message[] messages) {
        for (Message m : messages) {
            if (m != null) {
                m.release();
            }
        }
    }

    @Override
    public void afterDurable(WriteCallback done) {
        writer.submit(new Barrier(done));
    }

    @Override
    public Throwable failure() {
        return writer.failure();
    }

    @Override
    public void markDelivered(int queueId, long location) {
        writer.submit(new MarkDelivered(queueId, Locations.plain(location)));
    }

    /** Writes what is pending, marks a clean stop and closes the files. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        CountDownLatch stopped = new CountDownLatch(1);
        writer.submit(new Stop(stopped::countDown));
        try {
            if (!stopped.await(10, TimeUnit.SECONDS)) {
                LOG.warn("The journal writer did not finish in 10 s; the next start will recover");
            }
            writerThread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        readerThread.shutdown(); // reads under way finish; nothing new starts
        try {
            readerThread.awaitTermination(5, TimeUnit.SECONDS);
            reader.close();
        } catch (InterruptedException | IOException e) {
            LOG.debug("Closing the segment reader: {}", e.toString());
        }
    }

    private static String key(String vhost, String queue) {
        return vhost + '\u0000' + queue;
    }
}
