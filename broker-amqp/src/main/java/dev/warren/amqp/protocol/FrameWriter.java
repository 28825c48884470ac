package dev.warren.amqp.protocol;

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
        int bodySize = body.readableBytes();
        int maxChunk = frameMax - Frame.OVERHEAD;
        ByteBuf head = alloc.buffer(64 + properties.readableBytes() + Math.min(bodySize, COPY_BODY_BELOW) + 24);
        try {
            writeMethod(head, channel, method);
        } catch (RuntimeException e) {
            head.release(); // as for method(): a method that cannot be encoded leaves nothing allocated
            throw e;
        }
        writeContentHeader(head, channel, properties, bodySize);
        if (bodySize == 0) {
            return head;
        }
        if (bodySize < COPY_BODY_BELOW && bodySize <= maxChunk) {
            writeBodyFrameHeader(head, channel, bodySize);
            head.writeBytes(body, body.readerIndex(), bodySize);
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

    private static void writeContentHeader(ByteBuf out, int channel, ByteBuf properties, long bodySize) {
        out.writeByte(Frame.HEADER);
        out.writeShort(channel);
        out.writeInt(12 + properties.readableBytes());
        out.writeShort(BASIC_CLASS_ID);
        out.writeShort(0); // weight, always 0
        out.writeLong(bodySize);
        out.writeBytes(properties, properties.readerIndex(), properties.readableBytes());
        out.writeByte(Frame.END);
    }

    private static void writeBodyFrameHeader(ByteBuf out, int channel, int size) {
        out.writeByte(Frame.BODY);
        out.writeShort(channel);
        out.writeInt(size);
    }
}
