package dev.warren.store;

import dev.warren.core.message.Message;
import dev.warren.core.store.Locations;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The segment file being written: message records gather in one buffer and go to the file with one write
 * per batch (or every 4 MiB), each at the location reserved for it when it was submitted; a full segment
 * is forced and closed before the next is opened. {@link #awaitWritten} lets the reader wait for a record
 * that is still in the buffer. Writer thread only, but for {@link #awaitWritten} and {@link #fail}.
 */
final class SegmentWriter implements AutoCloseable {
    private static final int FLUSH_AT = 4 << 20;

    private final StoreFiles files;
    private final Path directory;
    private final SegmentRefs refs;
    private final ByteBuf data = PooledByteBufAllocator.DEFAULT.directBuffer(1 << 20);
    private FileChannel segment;
    private long segmentNumber;
    /** Bytes already in the current segment file. */
    private long segmentWritten;
    /** Everything below this location is in its segment file; readers wait for it. */
    private volatile long writtenThrough;
    private volatile Throwable failure;
    private final Object writtenSignal = new Object();

    SegmentWriter(StoreFiles files, Path directory, SegmentRefs refs, long firstSegment) throws IOException {
        this.files = files;
        this.directory = directory;
        this.refs = refs;
        open(firstSegment);
        writtenThrough = Locations.of(firstSegment, 0); // earlier segments are complete
    }

    long currentSegment() {
        return segmentNumber;
    }

    /** Adds the record of a message at its reserved location. */
    void write(Message message, long location) throws IOException {
        long segmentOfRecord = Locations.segment(location);
        if (segmentOfRecord != segmentNumber) {
            flush();
            segment.force(false); // a full segment is on disk before anything in the next is confirmed
            segment.close();
            open(segmentOfRecord);
        }
        long expected = segmentWritten + data.readableBytes();
        if (Locations.offset(location) != expected) {
            throw new IllegalStateException("journal record out of place: reserved " + Locations.offset(location)
                    + ", writing at " + expected + " in segment " + segmentNumber);
        }
        MessageRecord.write(data, message);
        if (data.readableBytes() >= FLUSH_AT) {
            flush();
        }
    }

    /** Writes the buffered records to the file (not forced). */
    void flush() throws IOException {
        while (data.isReadable()) {
            segmentWritten += data.readBytes(segment, segmentWritten, data.readableBytes());
        }
        data.clear();
    }

    void force() throws IOException {
        segment.force(false);
    }

    /** Tells waiting readers how far the file now goes. */
    void publishWritten() {
        writtenThrough = Locations.of(segmentNumber, segmentWritten);
        synchronized (writtenSignal) {
            writtenSignal.notifyAll();
        }
    }

    /** Blocks (a reader thread, never an event loop) until the record at {@code location} is in its file. */
    void awaitWritten(long location) throws IOException, InterruptedException {
        if (location < writtenThrough) {
            return;
        }
        synchronized (writtenSignal) {
            while (location >= writtenThrough) {
                Throwable failed = failure;
                if (failed != null) {
                    throw new IOException("the message store failed before the record was written", failed);
                }
                writtenSignal.wait(100);
            }
        }
    }

    /** The store failed: readers waiting for a record that will never be written are let go. */
    void fail(Throwable cause) {
        failure = cause;
        synchronized (writtenSignal) {
            writtenSignal.notifyAll();
        }
    }

    private void open(long number) throws IOException {
        segmentNumber = number;
        segment = files.open(Segments.file(directory, number), true);
        segmentWritten = segment.size();
        refs.segmentCreated(number);
    }

    @Override
    public void close() throws IOException {
        try {
            segment.close();
        } finally {
            data.release();
        }
    }
}
