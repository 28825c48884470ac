package dev.warren.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rewrites the queue index with only its live entries, off the commit path. The writer hands over a
 * length it has written ({@link #start}); on the compactor's own thread that prefix is replayed and its
 * live entries written to a new file, while the writer goes on appending to the old one. Once that is
 * done the writer, between two batches, copies the records it appended since to the new file, forces it
 * and swaps it in ({@link #finishIfDone}) — a copy of a short tail, not a replay of the whole index, so no
 * confirm waits for a compaction. Records are self-contained (each with its checksum) and an entry is
 * acked once, so what the prefix dropped can never be named by the tail.
 */
final class IndexCompactor {
    private static final Logger LOG = LoggerFactory.getLogger(IndexCompactor.class);
    static final String SUFFIX = ".compact";

    private final StoreFiles files;
    private final Path indexFile;
    private final Path compactFile;
    private final Executor executor;
    // writer thread only
    private CompletableFuture<Void> running;
    private long coveredUpTo;

    IndexCompactor(StoreFiles files, Path indexFile, Executor executor) {
        this.files = files;
        this.indexFile = indexFile;
        this.compactFile = indexFile.resolveSibling(indexFile.getFileName() + SUFFIX);
        this.executor = executor;
    }

    boolean running() {
        return running != null;
    }

    /** Starts compacting the first {@code upTo} bytes of the index, which are written to its file. */
    void start(long upTo) {
        coveredUpTo = upTo;
        running = CompletableFuture.runAsync(() -> {
            try {
                compact(upTo);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, executor);
    }

    private void compact(long upTo) throws IOException {
        IndexReplay replay = IndexReplay.read(files, indexFile, upTo);
        files.deleteIfExists(compactFile);
        try (IndexLog out = new IndexLog(files, compactFile)) {
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
        }
    }

    /**
     * Writer thread, between batches: when the compacted copy is ready, appends what {@code current} got
     * since, forces it and puts it in the index's place. Returns the new index, or null when there is none
     * (still running, or failed: then the old index simply stays).
     */
    IndexLog finishIfDone(IndexLog current) throws IOException {
        if (running == null || !running.isDone()) {
            return null;
        }
        CompletableFuture<Void> done = running;
        running = null;
        try {
            done.join();
        } catch (CompletionException e) {
            LOG.warn("Compacting the queue index failed; it stays as it is: {}", e.getCause().toString());
            files.deleteIfExists(compactFile);
            return null;
        }
        current.flush();
        long before = current.size();
        try (FileChannel from = files.open(indexFile, false); FileChannel to = files.open(compactFile, false)) {
            ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
            long at = coveredUpTo;
            long end = to.size();
            while (at < before) {
                chunk.clear().limit((int) Math.min(chunk.capacity(), before - at));
                int n = from.read(chunk, at);
                if (n <= 0) {
                    throw new IOException("the queue index ended at " + at + " before " + before);
                }
                chunk.flip();
                while (chunk.hasRemaining()) {
                    end += to.write(chunk, end);
                }
                at += n;
            }
            to.force(false);
        }
        current.close();
        files.replace(compactFile, indexFile);
        IndexLog compacted = new IndexLog(files, indexFile);
        LOG.info("Compacted the queue index from {} to {} bytes", before, compacted.size());
        return compacted;
    }
}
