package dev.warren.store;

import dev.warren.core.message.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * A message as a segment file holds it:
 * <pre>
 *   int    length of what follows the checksum
 *   int    CRC32C of what follows the checksum
 *   byte   kind (2: message; 1: a message written before arrival times were kept, without the next field)
 *   long   when the broker received it, ms since the epoch (TTLs count from it across restarts)
 *   byte   exchange name length, then its UTF-8 bytes
 *   byte   routing key length, then its UTF-8 bytes
 *   int    property bytes length, then the content-header property bytes as received
 *   ...    the body (the rest)
 * </pre>
 */
final class MessageRecord {
    static final int HEADER = 8;
    static final byte KIND_MESSAGE_WITHOUT_TIME = 1;
    static final byte KIND_MESSAGE = 2;
    /** Larger than any message the broker accepts (frame layer limit 128 MiB) plus names. */
    static final int MAX_PAYLOAD = 256 * 1024 * 1024;

    private MessageRecord() {
    }

    /** Bytes the record of this message takes, header included. */
    static int size(Message m) {
        return HEADER + 1 + 8 + 1 + ByteBufUtil.utf8Bytes(m.exchange()) + 1 + ByteBufUtil.utf8Bytes(m.routingKey())
                + 4 + m.properties().readableBytes() + m.bodySize();
    }

    static void write(ByteBuf out, Message m) {
        int start = out.writerIndex();
        out.writeLong(0); // length and checksum, filled in below
        out.writeByte(KIND_MESSAGE);
        out.writeLong(m.arrivedAt());
        writeShortString(out, m.exchange());
        writeShortString(out, m.routingKey());
        ByteBuf properties = m.properties();
        out.writeInt(properties.readableBytes());
        out.writeBytes(properties, properties.readerIndex(), properties.readableBytes());
        out.writeBytes(m.body(), m.body().readerIndex(), m.bodySize());
        int length = out.writerIndex() - start - HEADER;
        out.setInt(start, length);
        out.setInt(start + 4, checksum(out, start + HEADER, length));
    }

    private static void writeShortString(ByteBuf out, String s) {
        int lengthIndex = out.writerIndex();
        out.writeByte(0);
        int written = ByteBufUtil.writeUtf8(out, s);
        out.setByte(lengthIndex, written);
    }

    static int checksum(ByteBuf buf, int index, int length) {
        CRC32C crc = new CRC32C();
        crc.update(buf.nioBuffer(index, length));
        return (int) crc.getValue();
    }

    /**
     * Decodes the record whose payload ({@code length} bytes after the header) starts at {@code index}; the
     * message's buffers are retained slices of {@code buf}. Returns null when the checksum or layout is wrong.
     */
    static Message read(ByteBuf buf, int index, int length, int expectedCrc) {
        if (checksum(buf, index, length) != expectedCrc) {
            return null;
        }
        int end = index + length;
        int at = index;
        byte kind = buf.getByte(at++);
        long arrivedAt;
        if (kind == KIND_MESSAGE) {
            arrivedAt = buf.getLong(at);
            at += 8;
        } else if (kind == KIND_MESSAGE_WITHOUT_TIME) {
            arrivedAt = System.currentTimeMillis(); // its TTL, if any, counts from now
        } else {
            return null;
        }
        int exchangeLength = buf.getUnsignedByte(at++);
        String exchange = buf.toString(at, exchangeLength, StandardCharsets.UTF_8);
        at += exchangeLength;
        int keyLength = buf.getUnsignedByte(at++);
        String routingKey = buf.toString(at, keyLength, StandardCharsets.UTF_8);
        at += keyLength;
        int propertiesLength = buf.getInt(at);
        at += 4;
        if (propertiesLength < 0 || at + propertiesLength > end) {
            return null;
        }
        ByteBuf properties = buf.retainedSlice(at, propertiesLength);
        at += propertiesLength;
        ByteBuf body = buf.retainedSlice(at, end - at);
        return new Message(exchange, routingKey, properties, body, arrivedAt);
    }
}
