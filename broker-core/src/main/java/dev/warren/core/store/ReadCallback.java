package dev.warren.core.store;

import dev.warren.core.message.Message;

/**
 * Receives messages read back from the store, on the store's reader thread; an implementation only hands
 * them over to the reading queue's owner thread.
 */
@FunctionalInterface
public interface ReadCallback {
    /**
     * @param messages one per location asked for, null where a record is unreadable (corrupt or missing, and
     *                 logged); null altogether when {@code failure} is set
     * @param failure  null when the read happened; else why nothing could be read (the records may be intact)
     */
    void completed(Message[] messages, Throwable failure);
}
