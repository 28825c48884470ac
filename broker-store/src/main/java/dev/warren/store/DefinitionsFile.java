package dev.warren.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.warren.core.auth.User;
import dev.warren.core.auth.UserPermission;
import dev.warren.core.store.BrokerDefinitions;
import dev.warren.core.store.DefinitionStore;
import dev.warren.core.store.Definitions;
import dev.warren.core.store.SecurityDefinitions;
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
 * Durable definitions in one JSON file, in RabbitMQ's definitions format (users, vhosts, permissions,
 * exchanges, queues, bindings), so it reads like an export. Each write writes a temporary file, forces it
 * and renames it over the old one: a crash leaves either the old file or the new one, never half of one.
 *
 * <p>Writes happen on the store's own thread, never on the caller's (an event loop declaring a queue must
 * not wait for a whole-file rewrite and two fsyncs). A change updates the in-memory state at once and
 * waits for the next write; changes that arrive while a write is under way all share the one after it, so
 * a burst of declares costs a few writes, not one each. A failed write fails the completions of the
 * changes it held (logged once until a write succeeds again); the next change tries again.
 */
public final class DefinitionsFile implements DefinitionStore, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DefinitionsFile.class);
    public static final String FILE_NAME = "definitions.json";
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
    /** Changes waiting for the next write, and whether that write is already scheduled. */
    private List<CompletableFuture<Void>> waiting = new ArrayList<>();
    private boolean writeScheduled;
    private boolean failing;

    /** Where a write's bytes go: the file (atomically replaced), or a test's double. */
    interface Sink {
        void write(byte[] json) throws IOException;
    }

    private final Sink sink;

    private DefinitionsFile(Path file, Sink sink) {
        this.file = file;
        this.sink = sink == null ? this::writeFile : sink;
    }

    /** Opens (and reads) the definitions file in the directory; a missing file means no definitions. */
    public static DefinitionsFile open(Path directory) throws IOException {
        return open(directory, null);
    }

    /** {@link #open(Path)} with writes going to {@code sink} instead of the file (tests). */
    static DefinitionsFile open(Path directory, Sink sink) throws IOException {
        Files.createDirectories(directory);
        DefinitionsFile definitions = new DefinitionsFile(directory.resolve(FILE_NAME), sink);
        if (Files.exists(definitions.file)) {
            BrokerDefinitions stored;
            try {
                stored = DefinitionsJson.read(JSON.readTree(definitions.file.toFile()));
            } catch (IllegalArgumentException e) {
                throw new IOException(definitions.file + ": " + e.getMessage(), e);
            }
            definitions.byVhost.putAll(stored.vhosts());
            definitions.security = stored.security().orElse(null);
        }
        return definitions;
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
        return nextWrite();
    }

    @Override
    public synchronized CompletableFuture<Void> deleteVhost(String vhost) {
        if (byVhost.remove(vhost) == null) {
            return CompletableFuture.completedFuture(null);
        }
        return nextWrite();
    }

    @Override
    public synchronized CompletableFuture<Void> saveSecurity(SecurityDefinitions security) {
        this.security = security;
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

    /** On the writer thread: one write of the current state, for every change waiting. */
    private void writeWaiting() {
        List<CompletableFuture<Void>> covered;
        BrokerDefinitions snapshot;
        synchronized (this) {
            writeScheduled = false;
            covered = waiting;
            waiting = new ArrayList<>();
            snapshot = new BrokerDefinitions(new TreeMap<>(byVhost), Optional.ofNullable(security));
        }
        try {
            sink.write(JSON.writeValueAsBytes(DefinitionsJson.write(snapshot)));
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                if (!failing) {
                    LOG.error("Could not save the definitions to {}; the changes since the last save are not durable", file, e);
                    failing = true;
                }
            }
            IOException failure = new IOException("cannot save definitions to " + file + ": " + e.getMessage(), e);
            covered.forEach(change -> change.completeExceptionally(failure));
            return;
        }
        synchronized (this) {
            if (failing) {
                LOG.info("Definitions saved to {} again", file);
                failing = false;
            }
        }
        covered.forEach(change -> change.complete(null));
    }

    /** Writes what is still waiting and stops the writer thread. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            if (!writer.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("The definitions writer did not finish within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeFile(byte[] bytes) throws IOException {
        Path temporary = file.resolveSibling(FILE_NAME + ".tmp");
        Files.deleteIfExists(temporary); // a leftover could have other permissions; CREATE_NEW sets ours
        try (FileChannel out = FileChannel.open(temporary,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), ownerOnly())) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            out.force(true);
        }
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(file.getParent());
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
