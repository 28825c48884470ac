package dev.warren.amqp;

import dev.warren.amqp.protocol.Frame;
import dev.warren.amqp.protocol.Method;
import dev.warren.amqp.protocol.MethodCodec;
import dev.warren.core.AmqpException;
import dev.warren.core.ReplyCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

/**
 * Assembles one channel's frames into commands: a method frame, and for content-bearing methods a
 * content header and body frames. Frames out of that order are UNEXPECTED_FRAME (505). Body frames are
 * kept as received slices; a body of several frames becomes a composite of them, not a copy.
 */
final class CommandAssembler {
    private enum State { EXPECTING_METHOD, EXPECTING_HEADER, EXPECTING_BODY }

    private final ByteBufAllocator alloc;
    private final long maxMessageSize;
    private State state = State.EXPECTING_METHOD;
    private Method method;
    private ByteBuf properties;
    private long bodySize;
    private ByteBuf body;

    CommandAssembler(ByteBufAllocator alloc, long maxMessageSize) {
        this.alloc = alloc;
        this.maxMessageSize = maxMessageSize;
    }

    /**
     * Takes a frame of the given type (and its payload's ownership); returns a complete command, or null while one is
     * under way.
     */
    Command accept(int type, ByteBuf payload) {
        try {
            return switch (state) {
                case EXPECTING_METHOD -> onMethodExpected(type, payload);
                case EXPECTING_HEADER -> onHeaderExpected(type, payload);
                case EXPECTING_BODY -> onBodyExpected(type, payload);
            };
        } finally {
            payload.release();
        }
    }

    private Command onMethodExpected(int type, ByteBuf payload) {
        if (type != Frame.METHOD) {
            throw new AmqpException(ReplyCode.UNEXPECTED_FRAME, "expected method frame, got non method frame instead");
        }
        Method decoded = MethodCodec.decode(payload);
        if (!decoded.spec().hasContent()) {
            return new Command(decoded, null, null);
        }
        method = decoded;
        state = State.EXPECTING_HEADER;
        return null;
    }

    private Command onHeaderExpected(int type, ByteBuf payload) {
        if (type != Frame.HEADER) {
            throw unexpected("content header");
        }
        if (payload.readableBytes() < 14) {
            throw new AmqpException(ReplyCode.FRAME_ERROR, "content header of " + payload.readableBytes() + " bytes is too short");
        }
        int classId = payload.readUnsignedShort();
        payload.skipBytes(2); // weight
        long size = payload.readLong();
        if (classId != method.spec().classId()) {
            throw unexpected("content header for class " + method.spec().classId());
        }
        if (size < 0 || size > maxMessageSize) {
            Method failed = method;
            reset();
            throw new AmqpException(ReplyCode.PRECONDITION_FAILED,
                    "message size " + size + " is larger than configured max size " + maxMessageSize,
                    failed.spec().classId(), failed.spec().methodId());
        }
        properties = payload.retain(); // the frame's own slice, read past the header fields: no new buffer
        bodySize = size;
        if (size == 0) {
            return complete(alloc.buffer(0, 0));
        }
        state = State.EXPECTING_BODY;
        return null;
    }

    private Command onBodyExpected(int type, ByteBuf payload) {
        if (type != Frame.BODY) {
            throw unexpected("content body");
        }
        ByteBuf chunk = payload.retain();
        if (body == null) {
            body = chunk;
        } else {
            if (!(body instanceof CompositeByteBuf)) {
                CompositeByteBuf composite = alloc.compositeBuffer(Integer.MAX_VALUE);
                composite.addComponent(true, body);
                body = composite;
            }
            ((CompositeByteBuf) body).addComponent(true, chunk);
        }
        if (body.readableBytes() > bodySize) {
            throw new AmqpException(ReplyCode.FRAME_ERROR,
                    "content body of " + body.readableBytes() + " bytes exceeds the declared body size " + bodySize);
        }
        return body.readableBytes() == bodySize ? complete(body) : null;
    }

    private Command complete(ByteBuf fullBody) {
        Command command = new Command(method, properties, fullBody);
        method = null;
        properties = null;
        body = null;
        state = State.EXPECTING_METHOD;
        return command;
    }

    private AmqpException unexpected(String expected) {
        return new AmqpException(ReplyCode.UNEXPECTED_FRAME,
                "expected " + expected + ", got " + (expected.startsWith("content header") ? "non content header" : "non body")
                        + " frame instead");
    }

    /** Drops a half-assembled command, releasing its buffers. */
    void reset() {
        if (properties != null) {
            properties.release();
        }
        if (body != null) {
            body.release();
        }
        method = null;
        properties = null;
        body = null;
        state = State.EXPECTING_METHOD;
    }
}
