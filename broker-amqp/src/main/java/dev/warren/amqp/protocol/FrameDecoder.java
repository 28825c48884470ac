package dev.warren.amqp.protocol;

import dev.warren.core.AmqpException;
import dev.warren.core.ReplyCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits the byte stream into frames. It first expects the 8-octet protocol header; a wrong header gets
 * the header Warren speaks written back and the socket closed, as the spec asks. Then it reads frames,
 * enforcing the frame-max in force and the end octet. Like RabbitMQ it lets a payload reach frame-max
 * itself rather than frame-max minus the 8 octets of overhead, because many clients get that wrong.
 *
 * <p>Frames go straight to the {@link FrameHandler}, in order, as they are read; the two events around them travel
 * down the pipeline: {@link #PROTOCOL_HEADER_ACCEPTED} (before any frame) and a broken frame, reported once as a
 * {@link FrameError} after the frames before it, with everything after it discarded.
 *
 * <p>A frame's payload is a retained slice of the read buffer, so large message bodies travel without a copy. A
 * payload of at most {@link #COPY_LIMIT} bytes is copied into a buffer of its own instead: a slice is a new object
 * every time, while the allocator recycles its buffers — three slices per small publish were a quarter of the
 * garbage per message (deploy/bench/RESULTS.md) — and a small message kept in a queue then holds a few bytes, not
 * the read buffer it arrived in.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    /** Fired once the protocol header has been accepted. */
    public static final Object PROTOCOL_HEADER_ACCEPTED = new Object();
    private static final byte[] PROTOCOL_HEADER = {'A', 'M', 'Q', 'P', 0, 0, 9, 1};
    private static final int FRAME_HEADER_SIZE = 7;

    private enum State { PROTOCOL_HEADER, FRAMES, DISCARDING }

    /** The spec's minimum frame-max: the largest frame a peer may send before tune-ok settles the real one. */
    public static final int MIN_FRAME_SIZE = 4096;
    /** Payloads up to this size are copied, larger ones sliced (see above). */
    static final int COPY_LIMIT = 512;

    private final FrameHandler handler;
    private State state = State.PROTOCOL_HEADER;
    private int maxPayload;

    /**
     * @param frameMax the largest frame accepted, overhead included, until {@link #frameMax(int)} changes it
     * @param handler  where the frames go
     */
    public FrameDecoder(int frameMax, FrameHandler handler) {
        this.maxPayload = frameMax;
        this.handler = handler;
    }

    /** Sets the negotiated frame-max (overhead included). Called on the event loop. */
    public void frameMax(int frameMax) {
        this.maxPayload = frameMax;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (state) {
            case PROTOCOL_HEADER -> readProtocolHeader(ctx, in, out);
            case FRAMES -> readFrames(ctx.alloc(), in, out);
            case DISCARDING -> in.skipBytes(in.readableBytes());
        }
    }

    /**
     * ByteToMessageDecoder asks for one more read when a read produced no message down the pipeline while auto-read is
     * off, assuming nobody downstream could have asked for one. Frames go to the handler, not down the pipeline, so
     * here that read would be one the connection did not want: it turns auto-read off to stop reading a publisher.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        discardSomeReadBytes();
        ctx.fireChannelReadComplete();
    }

    private void readProtocolHeader(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < PROTOCOL_HEADER.length) {
            return;
        }
        boolean matches = true;
        for (int i = 0; i < PROTOCOL_HEADER.length; i++) {
            matches &= in.getByte(in.readerIndex() + i) == PROTOCOL_HEADER[i];
        }
        if (!matches) {
            state = State.DISCARDING;
            in.skipBytes(in.readableBytes());
            ctx.writeAndFlush(Unpooled.wrappedBuffer(PROTOCOL_HEADER)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        in.skipBytes(PROTOCOL_HEADER.length);
        state = State.FRAMES;
        // any frames behind the header wait for the next call, so that the event reaches the pipeline before them
        out.add(PROTOCOL_HEADER_ACCEPTED);
    }

    private void readFrames(ByteBufAllocator alloc, ByteBuf in, List<Object> out) {
        while (state == State.FRAMES && in.readableBytes() >= FRAME_HEADER_SIZE) {
            int start = in.readerIndex();
            int type = in.getUnsignedByte(start);
            int channel = in.getUnsignedShort(start + 1);
            long size = in.getUnsignedInt(start + 3);
            if (type != Frame.METHOD && type != Frame.HEADER && type != Frame.BODY && type != Frame.HEARTBEAT) {
                fail(in, out, "unknown frame type " + type);
                return;
            }
            if (size > maxPayload) {
                fail(in, out, "frame of type " + type + " with a payload of " + size
                        + " bytes is larger than the negotiated frame-max (" + maxPayload + ")");
                return;
            }
            if (in.readableBytes() < FRAME_HEADER_SIZE + size + 1) {
                return;
            }
            int end = in.getUnsignedByte(start + FRAME_HEADER_SIZE + (int) size);
            if (end != Frame.END) {
                fail(in, out, "frame of type " + type + " on channel " + channel
                        + " does not end with the frame-end octet (got " + end + ")");
                return;
            }
            in.skipBytes(FRAME_HEADER_SIZE);
            ByteBuf payload = size > 0 && size <= COPY_LIMIT
                    ? alloc.buffer((int) size, (int) size).writeBytes(in, (int) size)
                    : in.readRetainedSlice((int) size);
            in.skipBytes(1);
            handler.onFrame(type, channel, payload);
        }
    }

    private void fail(ByteBuf in, List<Object> out, String detail) {
        state = State.DISCARDING;
        in.skipBytes(in.readableBytes());
        out.add(new FrameError(new AmqpException(ReplyCode.FRAME_ERROR, detail)));
    }
}
