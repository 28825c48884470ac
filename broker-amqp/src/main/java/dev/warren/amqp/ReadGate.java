package dev.warren.amqp;

import io.netty.channel.Channel;

/**
 * Whether the broker reads a connection's socket. Reading stops while any reason holds and resumes only
 * when none does. Connection thread only, but for {@link #isPausedFor}.
 */
final class ReadGate {
    /** Why reading is paused. */
    enum Reason {
        /** Too many published messages are still on their way to queues on other event loops. */
        PUBLISHER_FLOW,
        /** Too many published bytes are still waiting for the journal to write them. */
        JOURNAL_BACKLOG,
        /** A resource alarm (disk, memory) blocks publishers. */
        RESOURCE_ALARM,
        /** A queue this connection publishes to holds many messages its consumers' connections cannot take yet. */
        QUEUE_BEHIND,
        /** The store as a whole is behind: too many message bytes of all connections wait to be written. */
        STORE_BACKLOG
    }

    private final Channel socket;
    /** Written on the connection's thread only; volatile so that management can read it. */
    private volatile int reasons;

    ReadGate(Channel socket) {
        this.socket = socket;
    }

    void pause(Reason reason) {
        reasons |= 1 << reason.ordinal();
        socket.config().setAutoRead(false);
    }

    void resume(Reason reason) {
        reasons &= ~(1 << reason.ordinal());
        if (reasons == 0) {
            socket.config().setAutoRead(true);
        }
    }

    boolean isPaused() {
        return reasons != 0;
    }

    /** Any thread: whether reading is paused for this reason now. */
    boolean isPausedFor(Reason reason) {
        return (reasons & (1 << reason.ordinal())) != 0;
    }
}
