package dev.warren.store;

import static dev.warren.store.IndexLog.ACK;
import static dev.warren.store.IndexLog.CLEAN;
import static dev.warren.store.IndexLog.DECLARE;
import static dev.warren.store.IndexLog.DELETE;
import static dev.warren.store.IndexLog.DELIVERED;
import static dev.warren.store.IndexLog.ENQUEUE;
import static dev.warren.store.IndexLog.MOVE;
import static dev.warren.store.IndexLog.OPENED;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Reads the queue index back: per queue, what was enqueued and what was acked, in log order. Stops at the
 * first record that is cut short or fails its checksum; {@link #validBytes} says where that was.
 */
final class IndexReplay {
    /** One durable queue as the log describes it. */
    static final class QueueLog {
        final int id;
        final String vhost;
        final String name;
        final LongArray enqueued = new LongArray();
        final LongArray acked = new LongArray();
        long deliveredThrough = -1;

        QueueLog(int id, String vhost, String name) {
            this.id = id;
            this.vhost = vhost;
            this.name = name;
        }
    }

    final Map<Integer, QueueLog> queues = new LinkedHashMap<>();
    /** The log ends with CLEAN: the broker stopped cleanly and DELIVERED marks are complete. */
    boolean clean;
    long validBytes;
    long fileBytes;
    int highestQueueId;

    static IndexReplay read(StoreFiles files, Path file) throws IOException {
        return read(files, file, -1);
    }

    /** Replays the first {@code upTo} bytes of the log (all of it when negative). */
    static IndexReplay read(StoreFiles files, Path file, long upTo) throws IOException {
        IndexReplay replay = new IndexReplay();
        if (!files.exists(file)) {
            return replay;
        }
        try (FileChannel channel = files.open(file, false)) {
            replay.fileBytes = upTo < 0 ? channel.size() : Math.min(upTo, channel.size());
            InputStream limited = new BoundedInput(Channels.newInputStream(channel.position(0)), replay.fileBytes);
            replay.readAll(new CheckedInput(new BufferedInputStream(limited, 1 << 16)));
        }
        return replay;
    }

    /** Reads no further than a given number of bytes (the part of the log a compaction covers). */
    private static final class BoundedInput extends java.io.FilterInputStream {
        private long left;

        BoundedInput(InputStream in, long limit) {
            super(in);
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = super.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = super.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }

    private void readAll(CheckedInput in) throws IOException {
        try {
            while (true) {
                in.begin();
                int type = in.data.read();
                if (type < 0) {
                    return;
                }
                in.crc.update(type);
                switch (type) {
                    case ENQUEUE, ACK, DELIVERED -> {
                        int queueId = in.readInt();
                        long location = in.readLong();
                        if (!in.checksumOk()) {
                            return;
                        }
                        QueueLog queue = queues.get(queueId);
                        if (queue != null) {
                            if (type == ENQUEUE) {
                                queue.enqueued.add(location);
                            } else if (type == ACK) {
                                queue.acked.add(location);
                            } else {
                                queue.deliveredThrough = Math.max(queue.deliveredThrough, location);
                            }
                        }
                        clean = false;
                    }
                    case MOVE -> {
                        int sourceId = in.readInt();
                        long sourceLocation = in.readLong();
                        long location = in.readLong();
                        int count = in.readShort();
                        int[] targets = new int[count];
                        for (int i = 0; i < count; i++) {
                            targets[i] = in.readInt();
                        }
                        if (!in.checksumOk()) {
                            return;
                        }
                        QueueLog source = queues.get(sourceId);
                        if (source != null) {
                            source.acked.add(sourceLocation);
                        }
                        for (int target : targets) {
                            QueueLog queue = queues.get(target);
                            if (queue != null) {
                                queue.enqueued.add(location);
                            }
                        }
                        clean = false;
                    }
                    case DECLARE -> {
                        int queueId = in.readInt();
                        String vhost = in.readString();
                        String name = in.readString();
                        if (!in.checksumOk()) {
                            return;
                        }
                        queues.put(queueId, new QueueLog(queueId, vhost, name));
                        highestQueueId = Math.max(highestQueueId, queueId);
                        clean = false;
                    }
                    case DELETE -> {
                        int queueId = in.readInt();
                        if (!in.checksumOk()) {
                            return;
                        }
                        queues.remove(queueId);
                        clean = false;
                    }
                    case OPENED, CLEAN -> {
                        if (!in.checksumOk()) {
                            return;
                        }
                        clean = type == CLEAN;
                    }
                    default -> {
                        return; // not a record: the rest cannot be trusted
                    }
                }
                validBytes = in.position;
            }
        } catch (EOFException cutShort) {
            // a record torn by a crash: everything before it stands
        }
    }

    /** A stream that counts bytes and checksums the record being read. */
    private static final class CheckedInput {
        final DataInputStream data;
        final CRC32C crc = new CRC32C();
        final byte[] scratch = new byte[8];
        long position;
        private final CountingStream counter;

        CheckedInput(InputStream in) {
            this.counter = new CountingStream(in);
            this.data = new DataInputStream(counter);
        }

        void begin() {
            crc.reset();
        }

        int readInt() throws IOException {
            data.readFully(scratch, 0, 4);
            crc.update(scratch, 0, 4);
            return ((scratch[0] & 0xFF) << 24) | ((scratch[1] & 0xFF) << 16) | ((scratch[2] & 0xFF) << 8) | (scratch[3] & 0xFF);
        }

        long readLong() throws IOException {
            long high = readInt() & 0xFFFF_FFFFL;
            long low = readInt() & 0xFFFF_FFFFL;
            return (high << 32) | low;
        }

        int readShort() throws IOException {
            data.readFully(scratch, 0, 2);
            crc.update(scratch, 0, 2);
            return ((scratch[0] & 0xFF) << 8) | (scratch[1] & 0xFF);
        }

        String readString() throws IOException {
            data.readFully(scratch, 0, 2);
            crc.update(scratch, 0, 2);
            int length = ((scratch[0] & 0xFF) << 8) | (scratch[1] & 0xFF);
            byte[] bytes = new byte[length];
            data.readFully(bytes);
            crc.update(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }

        boolean checksumOk() throws IOException {
            int expected = (int) crc.getValue();
            int stored = data.readInt();
            position = counter.count;
            return stored == expected;
        }
    }

    private static final class CountingStream extends java.io.FilterInputStream {
        long count;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
