package dev.warren.amqp;

import dev.warren.amqp.protocol.Frame;
import java.util.ArrayDeque;

/**
 * While a channel waits for an answer from elsewhere (a queue on another loop, the store), it is
 * suspended: frames that arrive meanwhile are parked here and carried out, in order, once the answer is
 * back. So replies keep the order of requests, as clients expect. Channel thread only.
 */
final class ChannelSuspension {
    private final ArrayDeque<Frame> parked = new ArrayDeque<>();
    private boolean suspended;

    boolean isSuspended() {
        return suspended;
    }

    void suspend() {
        suspended = true;
    }

    void resume() {
        suspended = false;
    }

    void park(Frame frame) {
        parked.add(frame);
    }

    /** The next parked frame to carry out, or null. */
    Frame nextParked() {
        return suspended ? null : parked.poll();
    }

    /** The channel is going away: lets go of every parked frame. */
    void discard() {
        for (Frame frame; (frame = parked.poll()) != null; ) {
            frame.payload().release();
        }
        suspended = false;
    }
}
