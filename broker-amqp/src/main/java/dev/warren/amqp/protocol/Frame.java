package dev.warren.amqp.protocol;

import io.netty.buffer.ByteBuf;

/**
 * One AMQP frame, kept: as a channel parks the frames that arrive while it waits for an answer. (Frames coming off the
 * wire reach a {@link FrameHandler} as their three parts, with no object of their own.) Whoever holds the frame owns
 * its payload and releases it (or keeps it, as message bodies are kept).
 */
public record Frame(int type, int channel, ByteBuf payload) {
    public static final int METHOD = 1;
    public static final int HEADER = 2;
    public static final int BODY = 3;
    public static final int HEARTBEAT = 8;
    public static final int END = 0xCE;
    /** Type, channel and size before the payload, and the end octet after it. */
    public static final int OVERHEAD = 8;
}
