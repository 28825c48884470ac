package dev.warren.store;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The queue index: one append-only log for all durable queues, saying which message locations each queue
 * holds. Replaying it ({@link IndexReplay}) gives every queue's entries: enqueued minus acked.
 * <pre>
 *   ENQUEUE, ACK, DELIVERED: byte type, int queue id, long location, int CRC32C      (17 bytes)
 *   DECLARE:                 byte type, int queue id, short+UTF-8 vhost, short+UTF-8 name, int CRC32C
 *   DELETE:                  byte type, int queue id, int CRC32C
 *   MOVE:                    byte type, int source queue id, long source location, long location,
 *                            short n, n × int queue id, int CRC32C
 *                            (an ACK of the source and an ENQUEUE per queue, as one record)
 *   OPENED, CLEAN:           byte type, int CRC32C
 * </pre>
 * The checksum covers the record's bytes before it. CLEAN, as the last record, says the broker stopped
 * cleanly, so DELIVERED marks can be trusted; OPENED starts every run.
 *
 * <p>Writer thread only.
 */
final class IndexLog implements AutoCloseable {
    static final String FILE_NAME = "index.log";
    static final byte ENQUEUE = 1;
    static final byte ACK = 2;
    static final byte DELIVERED = 3;
    static final byte DECLARE = 4;
    static final byte DELETE = 5;
    static final byte OPENED = 6;
    static final byte CLEAN = 7;
    static final byte MOVE = 8;
    static final int ENTRY_SIZE = 17;

    private final Path file;
    private final FileChannel channel;
    private final ByteBuf pending = Unpooled.buffer(64 * 1024);
    private final CRC32C crc = new CRC32C();
    private long size;

    IndexLog(StoreFiles files, Path file) throws IOException {
        this.file = file;
        this.channel = files.open(file, true);
        this.size = channel.size();
    }

    Path file() {
        return file;
    }

    /** Bytes in the file, counting what is not flushed yet. */
    long size() {
        return size + pending.readableBytes();
    }

    void enqueue(int queueId, long location) {
        entry(ENQUEUE, queueId, location);
    }

    void ack(int queueId, long location) {
        entry(ACK, queueId, location);
    }

    void delivered(int queueId, long location) {
        entry(DELIVERED, queueId, location);
    }

    /** A dead-lettered copy at {@code location} enters queues and the original leaves its queue, at once. */
    void move(int sourceQueue, long sourceLocation, long location, int[] queueIds, int count) {
        int start = begin(MOVE);
        pending.writeInt(sourceQueue);
        pending.writeLong(sourceLocation);
        pending.writeLong(location);
        pending.writeShort(count);
        for (int i = 0; i < count; i++) {
            pending.writeInt(queueIds[i]);
        }
        end(start);
    }

    void declare(int queueId, String vhost, String name) {
        int start = begin(DECLARE);
        pending.writeInt(queueId);
        writeString(vhost);
        writeString(name);
        end(start);
    }

    void delete(int queueId) {
        int start = begin(DELETE);
        pending.writeInt(queueId);
        end(start);
    }

    void opened() {
        end(begin(OPENED));
    }

    void clean() {
        end(begin(CLEAN));
    }

    private void entry(byte type, int queueId, long location) {
        int start = begin(type);
        pending.writeInt(queueId);
        pending.writeLong(location);
        end(start);
    }

    private int begin(byte type) {
        int start = pending.writerIndex();
        pending.writeByte(type);
        return start;
    }

    private void end(int start) {
        crc.reset();
        crc.update(pending.nioBuffer(start, pending.writerIndex() - start));
        pending.writeInt((int) crc.getValue());
    }

    private void writeString(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        pending.writeShort(bytes.length);
        pending.writeBytes(bytes);
    }

    /** Writes what is pending to the file (not forced). */
    void flush() throws IOException {
        while (pending.isReadable()) {
            size += pending.readBytes(channel, size, pending.readableBytes());
        }
        pending.clear();
    }

    void force() throws IOException {
        channel.force(false);
    }

    @Override
    public void close() throws IOException {
        flush();
        channel.close();
    }
}
