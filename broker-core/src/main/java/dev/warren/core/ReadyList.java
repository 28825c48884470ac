package dev.warren.core;

import java.util.List;

/**
 * The messages of a queue that are ready for delivery, in the order they go out. Dispatch only takes from
 * the head and puts requeued entries back; how the order is kept (one FIFO, one per priority, ...) is the
 * implementation's business. Owner thread only.
 */
public interface ReadyList {
    void addLast(QueueEntry entry);

    /**
     * Puts entries that were delivered back in their original places, ahead of anything newer: the list
     * comes sorted by {@link QueueEntry#sequence()}.
     */
    void putBack(List<QueueEntry> sortedBySequence);

    /** Takes the next entry to deliver, or null. */
    QueueEntry poll();

    int size();

    default boolean isEmpty() {
        return size() == 0;
    }
}
