package dev.warren.amqp.protocol;

import io.netty.buffer.ByteBuf;

/**
 * Receives frames from a {@link FrameDecoder} as it reads them, on the connection's event loop. A frame is passed as
 * its three parts rather than as a {@link Frame}: three frames make every small publish, and an object for each was a
 * fifth of the broker's garbage per message.
 */
@FunctionalInterface
public interface FrameHandler {
    /** One frame; the handler owns {@code payload} from here and releases it (or keeps it, as message bodies are kept). */
    void onFrame(int type, int channel, ByteBuf payload);
}
