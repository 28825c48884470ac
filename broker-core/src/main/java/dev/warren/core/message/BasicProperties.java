package dev.warren.core.message;

import dev.warren.core.AmqpException;
import dev.warren.core.ReplyCode;
import io.netty.buffer.ByteBuf;

import java.util.Date;
import java.util.Map;

/**
 * The 14 content properties of the basic class, in spec order; null means absent.
 *
 * <p>On the wire they are a 16-bit flags word, where bit 15 says the first property is present and bit 2
 * the fourteenth, followed by the present properties in order. Bit 0 announces another flags word; since
 * the basic class has no property beyond the fourteenth, extra flag words are skipped and anything they
 * announce (which would come after ours) is left unread, as is bit 1.
 *
 * <p>The broker keeps property bytes as received; {@link #deliveryMode(ByteBuf)} and
 * {@link #headers(ByteBuf)} read one property out of them by skipping the ones before it, using absolute
 * indexes so they never move the buffer's reader index and are safe on a buffer other threads also read.
 */
public record BasicProperties(
        String contentType,
        String contentEncoding,
        Map<String, Object> headers,
        Integer deliveryMode,
        Integer priority,
        String correlationId,
        String replyTo,
        String expiration,
        String messageId,
        Date timestamp,
        String type,
        String userId,
        String appId,
        String clusterId) {

    public static final BasicProperties EMPTY = new BasicProperties(
            null, null, null, null, null, null, null, null, null, null, null, null, null, null);

    // Property positions, in spec order; property i has flag bit 15 - i.
    private static final int CONTENT_TYPE = 0;
    private static final int CONTENT_ENCODING = 1;
    private static final int HEADERS = 2;
    private static final int DELIVERY_MODE = 3;
    private static final int PRIORITY = 4;
    private static final int EXPIRATION = 7;
    /** Positions of the properties the consistent-hash exchange may hash, for {@link #valueIndex}. */
    public static final int CORRELATION_ID = 5;
    public static final int MESSAGE_ID = 8;
    public static final int TIMESTAMP = 9;
    private static final int COUNT = 14;
    private static final String[] NAMES = {
        "content-type", "content-encoding", "headers", "delivery-mode", "priority", "correlation-id",
        "reply-to", "expiration", "message-id", "timestamp", "type", "user-id", "app-id", "cluster-id"
    };
    private static final int CONTINUATION = 1;

    public BasicProperties {
        checkOctet("delivery-mode", deliveryMode);
        checkOctet("priority", priority);
    }

    /** Reads the flags and the present properties from {@code in}. Malformed input is a SYNTAX_ERROR. */
    public static BasicProperties decode(ByteBuf in) {
        int flags = readFlags(in);
        return new BasicProperties(
                readShortString(in, flags, CONTENT_TYPE),
                readShortString(in, flags, CONTENT_ENCODING),
                isPresent(flags, HEADERS) ? FieldTables.read(in) : null,
                readOctet(in, flags, DELIVERY_MODE),
                readOctet(in, flags, PRIORITY),
                readShortString(in, flags, 5), // correlation-id
                readShortString(in, flags, 6), // reply-to
                readShortString(in, flags, 7), // expiration
                readShortString(in, flags, 8), // message-id
                readTimestamp(in, flags),
                readShortString(in, flags, 10), // type
                readShortString(in, flags, 11), // user-id
                readShortString(in, flags, 12), // app-id
                readShortString(in, flags, 13)); // cluster-id
    }

    /**
     * Writes the flags word and the present properties.
     *
     * @throws IllegalArgumentException if a string is longer than a short string allows or a header value
     *                                  has no field-table type
     */
    public void encode(ByteBuf out) {
        Object[] values = values();
        int flags = 0;
        for (int i = 0; i < COUNT; i++) {
            if (values[i] != null) {
                flags |= flagBit(i);
            }
        }
        out.writeShort(flags);
        for (int i = 0; i < COUNT; i++) {
            Object value = values[i];
            if (value == null) {
                continue;
            }
            switch (i) {
                case HEADERS -> FieldTables.write(out, asTable(value));
                case DELIVERY_MODE, PRIORITY -> out.writeByte((Integer) value);
                case TIMESTAMP -> out.writeLong(Math.floorDiv(((Date) value).getTime(), 1000L));
                default -> FieldTables.writeShortString(out, (String) value);
            }
        }
    }

    /**
     * These properties encoded into a new heap buffer (the caller owns it), for a message whose properties
     * the broker rewrites (dead-lettering, reply-to, BCC, delivery count).
     *
     * @throws IllegalArgumentException as {@link #encode} does; nothing is left allocated then
     */
    public io.netty.buffer.ByteBuf encoded() {
        io.netty.buffer.ByteBuf out = io.netty.buffer.ByteBufAllocator.DEFAULT.heapBuffer();
        try {
            encode(out);
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /**
     * The delivery mode in encoded properties (1 transient, 2 persistent), or 0 when absent. Reads from the
     * buffer's reader index without moving it, and without decoding the headers.
     */
    public static int deliveryMode(ByteBuf propertyBytes) {
        int index = offsetOf(propertyBytes, DELIVERY_MODE);
        if (index < 0) {
            return 0;
        }
        require(propertyBytes, index, 1);
        return propertyBytes.getUnsignedByte(index);
    }

    /** The priority in encoded properties, or 0 when absent. Does not move the buffer's reader index. */
    public static int priority(ByteBuf propertyBytes) {
        int index = offsetOf(propertyBytes, PRIORITY);
        if (index < 0) {
            return 0;
        }
        require(propertyBytes, index, 1);
        return propertyBytes.getUnsignedByte(index);
    }

    /** The expiration in encoded properties, or null when absent. Does not move the buffer's reader index. */
    public static String expiration(ByteBuf propertyBytes) {
        int index = offsetOf(propertyBytes, EXPIRATION);
        if (index < 0) {
            return null;
        }
        int size = sizeAt(propertyBytes, index, EXPIRATION); // a length that runs past the end is a SYNTAX_ERROR
        return propertyBytes.toString(index + 1, size - 1, java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * The absolute index of a property's value in encoded properties (for a short string, its length octet),
     * or -1 when it is absent; {@code property} is its position, e.g. {@link #MESSAGE_ID}. Decodes nothing and
     * does not move the buffer's reader index.
     */
    public static int valueIndex(ByteBuf propertyBytes, int property) {
        int index = offsetOf(propertyBytes, property);
        if (index >= 0) {
            sizeAt(propertyBytes, index, property);
        }
        return index;
    }

    /** Whether encoded properties carry an expiration; looks at the flags only. */
    public static boolean hasExpiration(ByteBuf propertyBytes) {
        return propertyBytes.readableBytes() >= 2
                && isPresent(propertyBytes.getUnsignedShort(propertyBytes.readerIndex()), EXPIRATION);
    }

    public BasicProperties withReplyTo(String newReplyTo) {
        return new BasicProperties(contentType, contentEncoding, headers, deliveryMode, priority, correlationId,
                newReplyTo, expiration, messageId, timestamp, type, userId, appId, clusterId);
    }

    /** These properties with other headers and expiration (null removes either). */
    public BasicProperties withHeadersAndExpiration(Map<String, Object> newHeaders, String newExpiration) {
        return new BasicProperties(contentType, contentEncoding, newHeaders, deliveryMode, priority, correlationId,
                replyTo, newExpiration, messageId, timestamp, type, userId, appId, clusterId);
    }

    /** The headers in encoded properties, or null when absent. Does not move the buffer's reader index. */
    public static Map<String, Object> headers(ByteBuf propertyBytes) {
        int index = offsetOf(propertyBytes, HEADERS);
        if (index < 0) {
            return null;
        }
        return FieldTables.read(propertyBytes.slice(index, propertyBytes.writerIndex() - index));
    }

    private Object[] values() {
        return new Object[] {
            contentType, contentEncoding, headers, deliveryMode, priority, correlationId, replyTo,
            expiration, messageId, timestamp, type, userId, appId, clusterId
        };
    }

    private static String readShortString(ByteBuf in, int flags, int property) {
        return isPresent(flags, property) ? FieldTables.readShortString(in) : null;
    }

    private static Integer readOctet(ByteBuf in, int flags, int property) {
        if (!isPresent(flags, property)) {
            return null;
        }
        requireReadable(in, 1, property);
        return (int) in.readUnsignedByte();
    }

    private static Date readTimestamp(ByteBuf in, int flags) {
        if (!isPresent(flags, TIMESTAMP)) {
            return null;
        }
        requireReadable(in, 8, TIMESTAMP);
        return new Date(in.readLong() * 1000);
    }

    /** Reads the first flags word and skips any continuation words. */
    private static int readFlags(ByteBuf in) {
        requireReadable(in, 2, -1);
        int flags = in.readUnsignedShort();
        int word = flags;
        while ((word & CONTINUATION) != 0) {
            requireReadable(in, 2, -1);
            word = in.readUnsignedShort();
        }
        return flags;
    }

    /**
     * The absolute index of a property's value in encoded properties starting at the reader index, or -1
     * when it is absent. Only the properties before it are looked at, each skipped by its length.
     */
    private static int offsetOf(ByteBuf buf, int property) {
        int index = buf.readerIndex();
        require(buf, index, 2);
        int flags = buf.getUnsignedShort(index);
        int word = flags;
        index += 2;
        while ((word & CONTINUATION) != 0) {
            require(buf, index, 2);
            word = buf.getUnsignedShort(index);
            index += 2;
        }
        if (!isPresent(flags, property)) {
            return -1;
        }
        for (int i = 0; i < property; i++) {
            if (isPresent(flags, i)) {
                index += sizeAt(buf, index, i);
            }
        }
        return index;
    }

    /** The encoded size of the property value at {@code index}, checked to lie within the buffer. */
    private static int sizeAt(ByteBuf buf, int index, int property) {
        long size = switch (property) {
            case HEADERS -> {
                require(buf, index, 4);
                yield 4 + buf.getUnsignedInt(index);
            }
            case DELIVERY_MODE, PRIORITY -> 1;
            case TIMESTAMP -> 8;
            default -> {
                require(buf, index, 1);
                yield 1 + buf.getUnsignedByte(index);
            }
        };
        if (size > buf.writerIndex() - index) {
            throw syntaxError("basic properties: " + NAMES[property] + " runs past the end");
        }
        return (int) size;
    }

    private static boolean isPresent(int flags, int property) {
        return (flags & flagBit(property)) != 0;
    }

    private static int flagBit(int property) {
        return 1 << (15 - property);
    }

    private static void require(ByteBuf buf, int index, int bytes) {
        if (bytes > buf.writerIndex() - index) {
            throw syntaxError("basic properties: truncated");
        }
    }

    private static void requireReadable(ByteBuf in, int bytes, int property) {
        if (in.readableBytes() < bytes) {
            throw syntaxError(property < 0
                    ? "basic properties: truncated property flags"
                    : "basic properties: " + NAMES[property] + " runs past the end");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asTable(Object value) {
        return (Map<String, Object>) value;
    }

    private static void checkOctet(String name, Integer value) {
        if (value != null && (value < 0 || value > 255)) {
            throw new IllegalArgumentException(name + " must be 0..255, was " + value);
        }
    }

    private static AmqpException syntaxError(String detail) {
        return new AmqpException(ReplyCode.SYNTAX_ERROR, detail);
    }
}
