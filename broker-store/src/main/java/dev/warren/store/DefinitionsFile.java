package dev.warren.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warren.core.auth.User;
import dev.warren.core.auth.UserPermission;
import dev.warren.core.store.BrokerDefinitions;
import dev.warren.core.store.DefinitionStore;
import dev.warren.core.store.Definitions;
import dev.warren.core.store.SecurityDefinitions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable definitions as a snapshot and a change log. The snapshot, {@value #FILE_NAME}, is in RabbitMQ's
 * definitions format (users, vhosts, permissions, exchanges, queues, bindings, policies), so it reads like an
 * export; it is replaced whole (temporary file, force, rename), so a crash leaves the old one or the new one.
 * Each change after it is appended to {@value DefinitionsLog#FILE_NAME} as a small record (see
 * {@link DefinitionsLog}) and the log forced: a durable declare costs a line, not a rewrite of every
 * definition. Loading reads the snapshot, then replays the log over it.
 *
 * <p>Compaction: once the log has grown past the snapshot (and past {@code compactAtBytes}), and on a clean
 * stop, the current state is written as a new snapshot, which records the sequence number of the last log
 * entry it holds, and the log is emptied. A crash between the two leaves a snapshot and a log of entries it already holds: loading skips
 * entries whose sequence number the snapshot covers (replaying them would be harmless anyway: each puts or
 * removes by key, and the state they led to is the snapshot).
 *
 * <p>Writes happen on the store's own thread, never on the caller's (an event loop declaring a queue must
 * not wait for a disk write). A change updates the in-memory state at once and waits for the next write;
 * changes that arrive while a write is under way all share the one after it (group commit), so a burst of
 * declares costs a few appends and fsyncs, not one each. The writer finds what changed by comparing the
 * virtual host's definitions with what it last stored ({@link StoredVhost}). A failed write fails the
 * completions of the changes it held (logged once until a write succeeds again); as the log may then end in
 * part of a record, the next write is a whole snapshot, which holds those changes too.
 *
 * <p>Threading: {@code save}, {@code deleteVhost}, {@code saveSecurity}, {@code load} from any thread under
 * this object's lock; {@link #stored}, the sequence numbers and the sizes only on the writer thread (or in
 * {@link #open} before it starts, or in {@link #close} after it ended).
 */
public final class DefinitionsFile implements DefinitionStore, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DefinitionsFile.class);
    public static final String FILE_NAME = "definitions.json";
    /** The snapshot's own field: the sequence number of the last log entry it holds. */
    static final String LOG_SEQUENCE_FIELD = "warren_definitions_log_seq";
    /**
     * The log is compacted when it is larger than this and than the snapshot: replaying a log line costs more than
     * reading the same bytes of snapshot, so the floor bounds a small broker's replay after a crash (a clean stop
     * compacts anyway).
     */
    static final long DEFAULT_COMPACT_AT_BYTES = 256 << 10;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "warren-definitions-writer");
        thread.setDaemon(true);
        return thread;
    });
    // guarded by this
    private final Map<String, Definitions> byVhost = new TreeMap<>();
    /** Null until users are first saved: a file without them is a first start. */
    private SecurityDefinitions security;
    /** Changes waiting for the next write in order (a vhost's later save replaces its earlier one), their completions. */
    private List<Change> changes = new ArrayList<>();
    private final Map<String, Integer> savedAt = new HashMap<>();
    private List<CompletableFuture<Void>> waiting = new ArrayList<>();
    private boolean writeScheduled;
    private boolean failing;

    // the writer thread's: what the snapshot and log hold (or will, once a failed write is made good)
    private final Map<String, StoredVhost> stored = new TreeMap<>();
    private SecurityDefinitions storedSecurity;
    private long lastSeq;
    private long snapshotBytes;
    private long logBytes;
    /** No snapshot yet, or the log may end in part of a failed append: the next write is a snapshot. */
    private boolean snapshotNeeded;
    private final long compactAtBytes;

    private sealed interface Change permits Save, DeleteVhost, SaveSecurity {
    }

    private record Save(String vhost, Definitions definitions) implements Change {
    }

    private record DeleteVhost(String vhost) implements Change {
    }

    private record SaveSecurity(SecurityDefinitions security) implements Change {
    }

    /** The files, or a test's double. */
    interface Sink {
        /** Appends whole log lines and forces them to disk. */
        void append(byte[] lines) throws IOException;

        /** Replaces the snapshot atomically. */
        void replaceSnapshot(byte[] json) throws IOException;

        /** Empties the log, durably. */
        void clearLog() throws IOException;

        default void close() throws IOException {
        }
    }

    private final Sink sink;

    private DefinitionsFile(Path directory, Sink sink, long compactAtBytes) {
        this.file = directory.resolve(FILE_NAME);
        this.sink = sink == null ? new DiskSink(file, directory.resolve(DefinitionsLog.FILE_NAME)) : sink;
        this.compactAtBytes = compactAtBytes;
    }

    /** Opens (and reads) the definitions in the directory; no files mean no definitions. */
    public static DefinitionsFile open(Path directory) throws IOException {
        return open(directory, DEFAULT_COMPACT_AT_BYTES, null);
    }

    /** {@link #open(Path)} with writes going to {@code sink} instead of the files (tests). */
    static DefinitionsFile open(Path directory, Sink sink) throws IOException {
        return open(directory, DEFAULT_COMPACT_AT_BYTES, sink);
    }

    /** {@link #open(Path)} compacting the log once it is past {@code compactAtBytes} and the snapshot's size. */
    static DefinitionsFile open(Path directory, long compactAtBytes, Sink sink) throws IOException {
        Files.createDirectories(directory);
        DefinitionsFile definitions = new DefinitionsFile(directory, sink, compactAtBytes);
        definitions.read(directory.resolve(DefinitionsLog.FILE_NAME));
        return definitions;
    }

    /** The snapshot, then the log entries it does not hold. Before the writer starts. */
    private void read(Path log) throws IOException {
        long snapshotSeq = 0;
        if (Files.exists(file)) {
            try {
                JsonNode root = JSON.readTree(file.toFile());
                BrokerDefinitions snapshot = DefinitionsJson.read(root);
                snapshot.vhosts().forEach((vhost, d) -> stored.put(vhost, StoredVhost.of(d)));
                storedSecurity = snapshot.security().orElse(null);
                snapshotSeq = root.path(LOG_SEQUENCE_FIELD).asLong(0);
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": " + e.getMessage(), e);
            }
            snapshotBytes = Files.size(file);
        } else {
            snapshotNeeded = true; // the first write makes one, so the directory always reads like an export
        }
        lastSeq = snapshotSeq;
        if (Files.exists(log)) {
            DefinitionsLog.Contents contents = DefinitionsLog.read(log);
            int replayed = 0;
            for (DefinitionsLog.Entry entry : contents.entries()) {
                if (entry.seq() <= snapshotSeq) {
                    continue; // the snapshot was written after it, and the log not yet emptied
                }
                apply(entry);
                lastSeq = Math.max(lastSeq, entry.seq());
                replayed++;
            }
            if (contents.torn()) {
                LOG.warn("{} ends in an incomplete entry (a crash during a write whose changes were never reported"
                        + " saved); ignoring it", log);
                try (FileChannel channel = FileChannel.open(log, StandardOpenOption.WRITE)) {
                    channel.truncate(contents.completeBytes());
                    channel.force(true);
                }
            }
            logBytes = contents.completeBytes();
            if (replayed > 0) {
                LOG.info("Definitions: {} changes replayed from {}", replayed, log);
            }
        }
        stored.forEach((vhost, s) -> byVhost.put(vhost, s.definitions()));
        security = storedSecurity;
    }

    private void apply(DefinitionsLog.Entry entry) {
        if (entry instanceof DefinitionsLog.VhostChanged c) {
            stored.computeIfAbsent(c.vhost(), v -> new StoredVhost()).apply(c.change());
        } else if (entry instanceof DefinitionsLog.VhostDeleted d) {
            stored.remove(d.vhost());
        } else {
            storedSecurity = ((DefinitionsLog.SecurityChanged) entry).security();
        }
    }

    /** The stored definitions by virtual host name. */
    public synchronized Map<String, Definitions> load() {
        return new LinkedHashMap<>(byVhost);
    }

    /** The stored users and permissions; empty before the first start saved them. */
    public synchronized Optional<SecurityDefinitions> loadSecurity() {
        return Optional.ofNullable(security);
    }

    @Override
    public synchronized CompletableFuture<Void> save(String vhost, Definitions definitions) {
        byVhost.put(vhost, definitions);
        Integer at = savedAt.get(vhost);
        if (at != null) {
            changes.set(at, new Save(vhost, definitions)); // the writer needs only the latest
        } else {
            savedAt.put(vhost, changes.size());
            changes.add(new Save(vhost, definitions));
        }
        return nextWrite();
    }

    @Override
    public synchronized CompletableFuture<Void> deleteVhost(String vhost) {
        if (byVhost.remove(vhost) == null) {
            return CompletableFuture.completedFuture(null);
        }
        savedAt.remove(vhost); // a later save of the same name is a new vhost, after the delete
        changes.add(new DeleteVhost(vhost));
        return nextWrite();
    }

    @Override
    public synchronized CompletableFuture<Void> saveSecurity(SecurityDefinitions security) {
        this.security = security;
        changes.add(new SaveSecurity(security));
        return nextWrite();
    }

    /** The completion of the next write, which will hold every change made so far. Under the lock. */
    private CompletableFuture<Void> nextWrite() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        waiting.add(done);
        if (!writeScheduled) {
            writeScheduled = true;
            try {
                writer.execute(this::writeWaiting);
            } catch (RejectedExecutionException closed) {
                writeScheduled = false;
                waiting.remove(done);
                done.completeExceptionally(new IOException("the definitions store is closed"));
            }
        }
        return done;
    }

    /** On the writer thread: one append (or snapshot) holding every change waiting. */
    private void writeWaiting() {
        List<CompletableFuture<Void>> covered;
        List<Change> batch;
        synchronized (this) {
            writeScheduled = false;
            covered = waiting;
            waiting = new ArrayList<>();
            batch = changes;
            changes = new ArrayList<>();
            savedAt.clear();
        }
        try {
            List<DefinitionsLog.Entry> entries = entries(batch);
            if (snapshotNeeded) {
                writeSnapshot();
            } else if (!entries.isEmpty()) {
                ByteArrayOutputStream lines = new ByteArrayOutputStream();
                for (DefinitionsLog.Entry entry : entries) {
                    lines.writeBytes(DefinitionsLog.encode(entry));
                }
                sink.append(lines.toByteArray()); // a failed one may leave part of a line: see resync
                logBytes += lines.size();
            }
        } catch (IOException | RuntimeException e) {
            failed(e);
            resync();
            IOException failure = new IOException("cannot save definitions to " + file + ": " + e.getMessage(), e);
            covered.forEach(change -> change.completeExceptionally(failure));
            return;
        }
        succeeded();
        covered.forEach(change -> change.complete(null));
        if (logBytes > Math.max(snapshotBytes, compactAtBytes)) {
            try {
                writeSnapshot();
            } catch (IOException | RuntimeException e) {
                // nothing lost: the log (or the new snapshot) holds every change; the next write is a snapshot
                LOG.warn("Could not compact the definitions log into {}; the next write tries again", file, e);
            }
        }
    }

    /** The batch applied to {@link #stored}, as log entries (none for a save that changed nothing). */
    private List<DefinitionsLog.Entry> entries(List<Change> batch) {
        List<DefinitionsLog.Entry> entries = new ArrayList<>();
        for (Change change : batch) {
            if (change instanceof Save save) {
                StoredVhost vhost = stored.get(save.vhost());
                boolean created = vhost == null;
                if (created) {
                    vhost = new StoredVhost();
                    stored.put(save.vhost(), vhost);
                }
                StoredVhost.Change delta = vhost.diff(save.definitions());
                if (created || !delta.isEmpty()) {
                    vhost.apply(delta);
                    entries.add(new DefinitionsLog.VhostChanged(++lastSeq, save.vhost(), delta));
                }
            } else if (change instanceof DeleteVhost delete) {
                if (stored.remove(delete.vhost()) != null) {
                    entries.add(new DefinitionsLog.VhostDeleted(++lastSeq, delete.vhost()));
                }
            } else {
                storedSecurity = ((SaveSecurity) change).security();
                entries.add(new DefinitionsLog.SecurityChanged(++lastSeq, storedSecurity));
            }
        }
        return entries;
    }

    /** Everything stored as a new snapshot, then an empty log. */
    private void writeSnapshot() throws IOException {
        snapshotNeeded = true;
        Map<String, Definitions> vhosts = new TreeMap<>();
        stored.forEach((vhost, s) -> vhosts.put(vhost, s.definitions()));
        ObjectNode root = DefinitionsJson.write(new BrokerDefinitions(vhosts, Optional.ofNullable(storedSecurity)));
        root.put(LOG_SEQUENCE_FIELD, lastSeq);
        byte[] json = JSON.writeValueAsBytes(root);
        sink.replaceSnapshot(json);
        snapshotBytes = json.length;
        sink.clearLog();
        logBytes = 0;
        snapshotNeeded = false;
    }

    /**
     * After a failed write: the stored state becomes the latest state (the batch may have been applied in part)
     * and the next write is a snapshot of it, whatever the log now ends in. On the writer thread.
     */
    private void resync() {
        synchronized (this) {
            stored.clear();
            byVhost.forEach((vhost, d) -> stored.put(vhost, StoredVhost.of(d)));
            storedSecurity = security;
        }
        snapshotNeeded = true;
    }

    private synchronized void failed(Exception e) {
        if (!failing) {
            LOG.error("Could not save the definitions to {}; the changes since the last save are not durable", file, e);
            failing = true;
        }
    }

    private synchronized void succeeded() {
        if (failing) {
            LOG.info("Definitions saved to {} again", file);
            failing = false;
        }
    }

    /**
     * Writes what is still waiting, stops the writer thread, and compacts the log into the snapshot, so a clean
     * restart reads one file and replays nothing.
     */
    @Override
    public void close() {
        close(true);
    }

    /** {@link #close()} without the last compaction: the files are left as a crash after the last write leaves them (tests). */
    void closeAsIfCrashed() {
        close(false);
    }

    private void close(boolean compact) {
        writer.shutdown();
        boolean finished = false;
        try {
            finished = writer.awaitTermination(10, TimeUnit.SECONDS);
            if (!finished) {
                LOG.warn("The definitions writer did not finish within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // the writer thread has ended (awaitTermination orders its writes before these reads)
        if (compact && finished && (logBytes > 0 || snapshotNeeded && (!stored.isEmpty() || storedSecurity != null))) {
            try {
                writeSnapshot();
            } catch (IOException | RuntimeException e) {
                LOG.warn("Could not compact the definitions log into {} on stop; the next start replays it", file, e);
            }
        }
        try {
            sink.close();
        } catch (IOException e) {
            LOG.warn("Could not close {}", DefinitionsLog.FILE_NAME, e);
        }
    }

    /** The snapshot file and the log file. The log is opened on the first append. */
    private static final class DiskSink implements Sink {
        private final Path snapshot;
        private final Path log;
        private FileChannel logChannel;

        DiskSink(Path snapshot, Path log) {
            this.snapshot = snapshot;
            this.log = log;
        }

        @Override
        public void append(byte[] lines) throws IOException {
            FileChannel channel = logChannel();
            writeFully(channel, lines);
            channel.force(false);
        }

        @Override
        public void replaceSnapshot(byte[] json) throws IOException {
            Path temporary = snapshot.resolveSibling(FILE_NAME + ".tmp");
            Files.deleteIfExists(temporary); // a leftover could have other permissions; CREATE_NEW sets ours
            try (FileChannel out = FileChannel.open(temporary,
                    Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), ownerOnly())) {
                writeFully(out, json);
                out.force(true);
            }
            Files.move(temporary, snapshot, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            forceDirectory(snapshot.getParent());
        }

        @Override
        public void clearLog() throws IOException {
            if (logChannel == null && !Files.exists(log)) {
                return;
            }
            FileChannel channel = logChannel();
            channel.truncate(0);
            channel.force(true);
        }

        @Override
        public void close() throws IOException {
            if (logChannel != null) {
                logChannel.close();
                logChannel = null;
            }
        }

        private FileChannel logChannel() throws IOException {
            if (logChannel == null) {
                boolean created = !Files.exists(log);
                logChannel = FileChannel.open(log, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND), ownerOnly());
                if (created) {
                    forceDirectory(log.getParent());
                }
            }
            return logChannel;
        }

        private static void writeFully(FileChannel channel, byte[] bytes) throws IOException {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }
    }

    /** The file holds password hashes: readable by the broker's user only, where the file system has owners. */
    private static FileAttribute<?>[] ownerOnly() {
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[0];
        }
        return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))};
    }

    private static void forceDirectory(Path directory) {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException ignored) {
            // not every file system lets a directory be forced; the rename is still atomic
        }
    }
}
