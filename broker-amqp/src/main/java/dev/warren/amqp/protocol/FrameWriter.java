package dev.warren.amqp.protocol;

import dev.warren.core.message.FieldTables;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

/**
 * Writes frames: methods, heartbeats, and content commands (method, content header, body frames).
 * Small bodies are copied next to their headers in one buffer; large ones are referenced, not copied,
 * from a composite buffer so a delivery does not duplicate its body.
 */
public final class FrameWriter {
    private static final int COPY_BODY_BELOW = 4096;
    private static final int BASIC_CLASS_ID = 60;
    private static final int BASIC_DELIVER_ID = 60;

    private FrameWriter() {
    }

    /** A method frame; a method that cannot be encoded (a field out of range) throws, and nothing is left allocated. */
    public static ByteBuf method(ByteBufAllocator alloc, int channel, Method method) {
        ByteBuf out = alloc.buffer(64);
        try {
            writeMethod(out, channel, method);
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        return out;
    }

    public static void writeMethod(ByteBuf out, int channel, Method method) {
        out.writeByte(Frame.METHOD);
        out.writeShort(channel);
        int sizeIndex = out.writerIndex();
        out.writeInt(0);
        MethodCodec.encode(out, method);
        out.setInt(sizeIndex, out.writerIndex() - sizeIndex - 4);
        out.writeByte(Frame.END);
    }

    public static ByteBuf heartbeat(ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(Frame.OVERHEAD);
        out.writeByte(Frame.HEARTBEAT).writeShort(0).writeInt(0).writeByte(Frame.END);
        return out;
    }

    /**
     * A method with content: the method frame, the content header carrying the property bytes verbatim,
     * and the body split into frames of at most {@code frameMax}. Neither argument buffer is released;
     * the body is retained where the result references it.
     */
    public static ByteBuf content(ByteBufAllocator alloc, int channel, Method method, ByteBuf properties,
                                  ByteBuf body, int frameMax) {
        ByteBuf head = contentHead(alloc, properties, body);
        try {
            writeMethod(head, channel, method);
        } catch (RuntimeException e) {
            head.release(); // as for method(): a method that cannot be encoded leaves nothing allocated
            throw e;
        }
        return withContent(alloc, head, channel, properties, body, frameMax);
    }

    /**
     * basic.deliver with its content, as {@link #content} would write it from {@code Methods.BASIC_DELIVER}: the
     * method written once for every message delivered is written here field by field, without a {@link Method}
     * (with its field array and boxed delivery tag, three objects per delivery). FrameWriterTest holds the two
     * encodings equal.
     */
    public static ByteBuf deliver(ByteBufAllocator alloc, int channel, String consumerTag, long deliveryTag,
                                  boolean redelivered, String exchange, String routingKey, ByteBuf properties,
                                  ByteBuf body, int frameMax) {
        ByteBuf head = contentHead(alloc, properties, body);
        try {
            head.writeByte(Frame.METHOD);
            head.writeShort(channel);
            int sizeIndex = head.writerIndex();
            head.writeInt(0);
            head.writeShort(BASIC_CLASS_ID);
            head.writeShort(BASIC_DELIVER_ID);
            FieldTables.writeShortString(head, consumerTag);
            head.writeLong(deliveryTag);
            head.writeByte(redelivered ? 1 : 0);
            FieldTables.writeShortString(head, exchange);
            FieldTables.writeShortString(head, routingKey);
            head.setInt(sizeIndex, head.writerIndex() - sizeIndex - 4);
            head.writeByte(Frame.END);
        } catch (RuntimeException e) {
            head.release();
            throw e;
        }
        return withContent(alloc, head, channel, properties, body, frameMax);
    }

    private static ByteBuf contentHead(ByteBufAllocator alloc, ByteBuf properties, ByteBuf body) {
        return alloc.buffer(64 + properties.readableBytes() + Math.min(body.readableBytes(), COPY_BODY_BELOW) + 24);
    }

    /** Adds the content header and body frames after the method frame in {@code head}. */
    private static ByteBuf withContent(ByteBufAllocator alloc, ByteBuf head, int channel, ByteBuf properties,
                                       ByteBuf body, int frameMax) {
        int bodySize = body.readableBytes();
        int maxChunk = frameMax - Frame.OVERHEAD;
        writeContentHeader(head, channel, properties, bodySize);
        if (bodySize == 0) {
            return head;
        }
        if (bodySize < COPY_BODY_BELOW && bodySize <= maxChunk) {
            writeBodyFrameHeader(head, channel, bodySize);
            copy(body, body.readerIndex(), bodySize, head);
            head.writeByte(Frame.END);
            return head;
        }
        CompositeByteBuf out = alloc.compositeBuffer(2 + 3 * (bodySize / maxChunk + 1));
        int offset = body.readerIndex();
        int remaining = bodySize;
        ByteBuf prefix = head;
        while (remaining > 0) {
            int chunk = Math.min(remaining, maxChunk);
            writeBodyFrameHeader(prefix, channel, chunk);
            out.addComponent(true, prefix);
            out.addComponent(true, body.retainedSlice(offset, chunk));
            offset += chunk;
            remaining -= chunk;
            prefix = alloc.buffer(remaining > 0 ? 8 : 1);
            prefix.writeByte(Frame.END);
        }
        out.addComponent(true, prefix);
        return out;
    }

    /**
     * Appends {@code length} bytes of {@code from} to {@code to}. Not {@code to.writeBytes(from, ...)}: Netty's
     * adaptive buffers copy that way through two new NIO ByteBuffer views, while a get into the target copies
     * between memory addresses.
     */
    private static void copy(ByteBuf from, int index, int length, ByteBuf to) {
        to.ensureWritable(length);
        from.getBytes(index, to, to.writerIndex(), length);
        to.writerIndex(to.writerIndex() + length);
    }

    private static void writeContentHeader(ByteBuf out, int channel, ByteBuf properties, long bodySize) {
        out.writeByte(Frame.HEADER);
        out.writeShort(channel);
        out.writeInt(12 + properties.readableBytes());
        out.writeShort(BASIC_CLASS_ID);
        out.writeShort(0); // weight, always 0
        out.writeLong(bodySize);
        copy(properties, properties.readerIndex(), properties.readableBytes(), out);
        out.writeByte(Frame.END);
    }

    private static void writeBodyFrameHeader(ByteBuf out, int channel, int size) {
        out.writeByte(Frame.BODY);
        out.writeShort(channel);
        out.writeInt(size);
    }
}
