package dev.warren.core;

/**
 * Where a queue is in its life. Only its owner thread moves it on, and only forward: a queue that is not
 * running takes nothing new and lets go of whatever reaches it.
 */
public enum QueueLifecycle {
    /** Takes messages and consumers. */
    RUNNING,
    /** Deleted by a client, its exclusive owner, auto-delete or its virtual host: its stored messages are gone. */
    DELETED,
    /** The broker is stopping: memory is let go of, and what the store holds stays there for the next start. */
    STOPPED;

    boolean running() {
        return this == RUNNING;
    }
}
