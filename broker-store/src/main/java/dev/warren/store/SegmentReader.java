package dev.warren.store;

import dev.warren.core.message.Message;
import dev.warren.core.store.Locations;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads message records back from segment files, for paged-out queue entries. Queues read their entries
 * in order, and their records mostly lie next to each other, so it reads a window of the file at a time
 * and hands out messages as slices of it. One reader thread only.
 */
final class SegmentReader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentReader.class);
    private static final int WINDOW = 256 * 1024;
    /**
     * The window for a read that does not continue the last one (a delayed message, a priority lane):
     * reading 256 KiB for one small record would cost more than the record.
     */
    private static final int RANDOM_WINDOW = 8 * 1024;
    private static final int OPEN_SEGMENTS = 16;

    private final StoreFiles files;
    private final Path directory;
    /** Segment files kept open, most recently read last: random reads (delayed messages) jump between segments. */
    private final LinkedHashMap<Long, FileChannel> channels = new LinkedHashMap<>(16, 0.75f, true);
    private FileChannel channel;
    private ByteBuf window;
    private long windowSegment = -1;
    private long windowStart;
    /** The buffer lone records are read into; never sliced, so it is reused. */
    private ByteBuf scratch;
    /** Where the last record read ends: a read starting a little after it is a scan and gets the full window. */
    private long lastEnd = -1;
    private long lastSegment = -1;

    SegmentReader(StoreFiles files, Path directory) {
        this.files = files;
        this.directory = directory;
    }

    /**
     * The message at the location, or null when its record is missing or corrupt (logged). An I/O error
     * is thrown: the record may be fine, so the caller must not treat it as gone.
     */
    Message read(long location) throws IOException {
        long segment = Locations.segment(location);
        long offset = Locations.offset(location);
        try {
            if (!inWindow(segment, offset, MessageRecord.HEADER)) {
                fill(segment, offset, MessageRecord.HEADER);
            }
            int at = (int) (offset - windowStart);
            if (window.readableBytes() - at < MessageRecord.HEADER) {
                return corrupt(location, "record cut short");
            }
            int length = window.getInt(at);
            int crc = window.getInt(at + 4);
            if (length <= 0 || length > MessageRecord.MAX_PAYLOAD) {
                return corrupt(location, "impossible record length " + length);
            }
            if (!inWindow(segment, offset, MessageRecord.HEADER + length)) {
                fill(segment, offset, MessageRecord.HEADER + length);
                at = 0;
                if (window.readableBytes() < MessageRecord.HEADER + length) {
                    return corrupt(location, "record cut short");
                }
            }
            lastSegment = segment;
            lastEnd = offset + MessageRecord.HEADER + length;
            Message message;
            if (window == scratch) { // messages must not hold slices of the reused buffer: a copy of the record
                ByteBuf record = Unpooled.buffer(length, length);
                record.writeBytes(window, at + MessageRecord.HEADER, length);
                message = MessageRecord.read(record, 0, length, crc);
                record.release(); // the message keeps its own slices of it
            } else {
                message = MessageRecord.read(window, at + MessageRecord.HEADER, length, crc);
            }
            return message != null ? message : corrupt(location, "checksum mismatch");
        } catch (NoSuchFileException e) {
            return corrupt(location, "segment file missing");
        }
    }

    private Message corrupt(long location, String why) {
        LOG.error("Segment {} offset {}: unreadable message record ({}); the message is dropped",
                Locations.segment(location), Locations.offset(location), why);
        return null;
    }

    private boolean inWindow(long segment, long offset, int length) {
        return window != null && windowSegment == segment && offset >= windowStart
                && offset + length <= windowStart + window.readableBytes();
    }

    private void fill(long segment, long offset, int atLeast) throws IOException {
        channel = channelOf(segment);
        // forward and close after the last record (a queue's records interleave with a few of others'): a scan;
        // records further apart are read alone, as a big window would mostly hold records nobody asked for
        boolean sequential = segment == lastSegment && offset >= lastEnd && offset - lastEnd < RANDOM_WINDOW;
        if (window != null && window != scratch) {
            window.release(); // messages read from it keep their own slices
        }
        int length;
        if (sequential || atLeast > RANDOM_WINDOW) {
            length = Math.max(WINDOW, atLeast);
            window = PooledByteBufAllocator.DEFAULT.directBuffer(length, length);
        } else {
            // a lone record: read into the reused scratch buffer; read() copies the record out of it
            if (scratch == null) {
                scratch = PooledByteBufAllocator.DEFAULT.directBuffer(RANDOM_WINDOW, RANDOM_WINDOW);
            }
            length = RANDOM_WINDOW;
            window = scratch.clear();
        }
        windowSegment = segment;
        windowStart = offset;
        long end = Math.min(channel.size(), offset + length);
        while (offset + window.readableBytes() < end) {
            int n = window.writeBytes(channel, offset + window.readableBytes(), (int) (end - offset - window.readableBytes()));
            if (n < 0) {
                break;
            }
        }
    }

    /** A deleted segment: closes its file if open here, so the disk space is freed. */
    void forget(long segment) {
        FileChannel open = channels.remove(segment);
        if (open == null) {
            return;
        }
        if (open == channel) {
            channel = null;
        }
        if (windowSegment == segment) {
            windowSegment = -1; // nothing of it may be read again
        }
        try {
            open.close();
        } catch (IOException e) {
            LOG.debug("Closing deleted segment {}: {}", segment, e.toString());
        }
    }

    private FileChannel channelOf(long segment) throws IOException {
        FileChannel open = channels.get(segment);
        if (open == null) {
            open = files.open(Segments.file(directory, segment), false);
            channels.put(segment, open);
            if (channels.size() > OPEN_SEGMENTS) {
                Iterator<FileChannel> eldest = channels.values().iterator();
                FileChannel evicted = eldest.next();
                eldest.remove();
                evicted.close();
            }
        }
        return open;
    }

    @Override
    public void close() throws IOException {
        if (window != null && window != scratch) {
            window.release();
        }
        window = null;
        if (scratch != null) {
            scratch.release();
            scratch = null;
        }
        for (FileChannel open : channels.values()) {
            open.close();
        }
        channels.clear();
        channel = null;
    }
}
