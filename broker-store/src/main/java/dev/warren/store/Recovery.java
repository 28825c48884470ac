package dev.warren.store;

import dev.warren.core.store.Locations;
import dev.warren.core.store.RecoveredQueue;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the journal back after a stop or a crash: checks the newest segment's tail (a crash can tear the
 * last record), replays the queue index, and works out each durable queue's entries and the references
 * every segment still has. Damage is cut away and logged; recovery never refuses to start.
 */
final class Recovery {
    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

    /** What recovery found. */
    record Result(List<RecoveredQueue> queues, SegmentRefs refs, TreeMap<Long, Long> segments,
                  long nextSegment, int highestQueueId, long indexBytes) {
    }

    private Recovery() {
    }

    static Result run(StoreFiles files, Path directory) throws IOException {
        files.createDirectories(directory);
        TreeMap<Long, Long> segments = Segments.list(files, directory);
        if (!segments.isEmpty()) {
            long last = segments.lastKey();
            segments.put(last, checkTail(files, Segments.file(directory, last)));
        }
        Path indexFile = directory.resolve(IndexLog.FILE_NAME);
        IndexReplay replay = IndexReplay.read(files, indexFile);
        if (replay.validBytes < replay.fileBytes) {
            LOG.warn("Queue index {}: dropped {} bytes from offset {} (a record cut short by a crash, or corrupt); "
                    + "the entries before it are kept", indexFile, replay.fileBytes - replay.validBytes, replay.validBytes);
            truncate(files, indexFile, replay.validBytes);
        }
        if (replay.fileBytes > 0 && !replay.clean) {
            LOG.warn("The message store was not closed cleanly (crash or kill); recovering, and stored messages "
                    + "come back flagged redelivered");
        }
        SegmentRefs refs = new SegmentRefs();
        segments.keySet().forEach(refs::segmentCreated);
        List<RecoveredQueue> queues = new ArrayList<>();
        long missing = 0;
        for (IndexReplay.QueueLog log : replay.queues.values()) {
            missing += liveEntries(log, segments, replay.clean);
            for (int i = 0; i < log.enqueued.size(); i++) {
                refs.addEntry(log.id, Locations.segment(log.enqueued.get(i)));
            }
            queues.add(new RecoveredQueue(log.vhost, log.name, log.id, log.enqueued.toArray()));
        }
        if (missing > 0) {
            LOG.warn("Queue index: {} entries point past the end of their segment (writes lost in a crash before "
                    + "they were confirmed); dropped", missing);
        }
        long next = segments.isEmpty() ? 1 : segments.lastKey() + 1;
        return new Result(queues, refs, segments, next, replay.highestQueueId, replay.validBytes);
    }

    /**
     * Leaves in {@code log.enqueued} only the live entries (not acked, in a segment that still has them),
     * flagged redelivered unless a clean stop says they were never delivered. Returns how many pointed
     * past the end of their segment.
     */
    private static long liveEntries(IndexReplay.QueueLog log, Map<Long, Long> segments, boolean clean) {
        log.acked.sort();
        int kept = 0;
        long missing = 0;
        for (int i = 0; i < log.enqueued.size(); i++) {
            long location = log.enqueued.get(i);
            if (log.acked.sortedContains(location)) {
                continue;
            }
            Long length = segments.get(Locations.segment(location));
            if (length == null) {
                continue; // segment deleted once nothing needed it: this entry was acked
            }
            if (Locations.offset(location) >= length) {
                missing++;
                continue;
            }
            boolean delivered = !clean || location <= log.deliveredThrough;
            log.enqueued.set(kept++, delivered ? location | Locations.REDELIVERED : location);
        }
        log.enqueued.truncate(kept);
        return missing;
    }

    /**
     * Scans a segment's records and returns the length of its valid part, truncating the file there. A bad
     * record followed by a good one is skipped (reported); a bad record at the end is a torn write.
     */
    static long checkTail(StoreFiles files, Path file) throws IOException {
        long size = files.size(file);
        if (size == 0) {
            return 0;
        }
        long valid;
        int corrupt = 0;
        ByteBuf buf = Unpooled.directBuffer((int) size, (int) size); // one segment, read once at start-up
        try (FileChannel channel = files.open(file, false)) {
            while (buf.writableBytes() > 0 && buf.writeBytes(channel, buf.writerIndex(), buf.writableBytes()) > 0) {
                // read it all
            }
            int at = 0;
            while (true) {
                int next = nextRecord(buf, at);
                if (next > 0) {
                    at = next;
                    continue;
                }
                int skipTo = at + MessageRecord.HEADER + (buf.readableBytes() - at >= MessageRecord.HEADER ? buf.getInt(at) : 0);
                if (skipTo > at + MessageRecord.HEADER && skipTo < buf.readableBytes() && nextRecord(buf, skipTo) > 0) {
                    LOG.error("Segment {}: the record at offset {} is corrupt (checksum mismatch); skipped", file, at);
                    corrupt++;
                    at = skipTo;
                    continue;
                }
                break;
            }
            valid = at;
        } finally {
            buf.release();
        }
        if (valid < size) {
            LOG.warn("Segment {}: dropped {} bytes from offset {} (a record cut short by a crash); the records "
                    + "before it are kept ({} corrupt ones skipped)", file, size - valid, valid, corrupt);
            truncate(files, file, valid);
        }
        return valid;
    }

    /** The offset after a valid record at {@code at}, or -1 when there is none there. */
    private static int nextRecord(ByteBuf buf, int at) {
        int available = buf.readableBytes() - at;
        if (available < MessageRecord.HEADER) {
            return -1;
        }
        int length = buf.getInt(at);
        if (length <= 0 || length > MessageRecord.MAX_PAYLOAD || length > available - MessageRecord.HEADER) {
            return -1;
        }
        int crc = buf.getInt(at + 4);
        if (MessageRecord.checksum(buf, at + MessageRecord.HEADER, length) != crc) {
            return -1;
        }
        return at + MessageRecord.HEADER + length;
    }

    private static void truncate(StoreFiles files, Path file, long length) throws IOException {
        try (FileChannel channel = files.open(file, false)) {
            channel.truncate(length);
            channel.force(true);
        }
    }
}
