package dev.warren.core;

/**
 * A consumer attached to a queue. The queue calls these methods on its own thread; an implementation
 * hands the work to its connection's thread.
 */
public interface Consumer {
    String tag();

    boolean exclusive();

    /** Whether the consumer acks its deliveries (false in auto-ack mode); the queue counts them apart. */
    default boolean ackRequired() {
        return true;
    }

    /** The consumer's x-priority: higher ones get messages first while they have credit. */
    default int priority() {
        return 0;
    }

    /**
     * True when the consumer can take another delivery now; the queue then delivers to it at once, so an
     * implementation may reserve credit here. Called on the queue's thread.
     */
    boolean ready();

    /**
     * True when the consumer wants more but its connection is still sending earlier deliveries (the client reads
     * more slowly than messages arrive): the queue then holds publishers back ({@link QueueFlow}). Queue's thread.
     */
    default boolean backedUp() {
        return false;
    }

    /** Delivers an entry; the consumer takes over the queue's reference to the message. */
    void deliver(MessageQueue queue, QueueEntry entry);

    /** The queue went away (deleted); the consumer should tell its client (basic.cancel). */
    void cancelledByQueue(MessageQueue queue);
}
