package dev.warren.core.store;

import dev.warren.core.message.Message;

/**
 * Where message bodies go when they must outlive the process (persistent messages in durable queues) or
 * leave the heap (paging). A stored message is known by its location, a long from {@link Locations}.
 *
 * <p>Every method may be called from any thread. Writes are applied in the order they were called, so an
 * ack always lands after the append it refers to. Callbacks run on the store's own threads and must only
 * hand work over (e.g. post to an event loop).
 */
public interface MessageStore {
    /** False for a broker without a disk: nothing is written, nothing is paged. */
    boolean enabled();

    /** The bytes waiting to be written, which slow publishers down when the store falls behind. */
    default WriteBacklog writeBacklog() {
        return WriteBacklog.NONE;
    }

    /** A durable queue's id in the store, created on first use of (vhost, name). */
    int registerQueue(String vhost, String queue);

    /** Forgets a durable queue and every message it held. */
    void deleteQueue(int queueId);

    /**
     * Appends a persistent message routed to durable queues (their ids in {@code queueIds[0..count)}),
     * records its location on the message and returns it. {@code onDurable} (may be null) runs once the
     * record and its queue entries are on disk as the fsync policy promises, or with the failure.
     *
     * @throws StoreFailedException when the store has failed; nothing is written
     */
    long append(Message message, int[] queueIds, int count, WriteCallback onDurable);

    /**
     * Appends a message that replaces another in a queue — a dead-lettered copy — and acks the original
     * ({@code replacedLocation} in {@code replacedQueueId}) as one change: after a crash the store holds
     * the copy or the original, never both and never neither. This default is at-least-once (append, then
     * ack); a store that can make it atomic does.
     *
     * @throws StoreFailedException when the store has failed; nothing is written
     */
    default long appendReplacing(Message message, int[] queueIds, int count, int replacedQueueId, long replacedLocation,
                                 WriteCallback onDurable) {
        long location = append(message, queueIds, count, onDurable);
        ack(replacedQueueId, replacedLocation);
        return location;
    }

    /**
     * Writes a message only so a queue can drop it from memory; {@link #release} frees the copy.
     *
     * @throws StoreFailedException when the store has failed; nothing is written
     */
    long spill(Message message);

    /** A durable queue is done with the message at this location (acked, dropped or purged). */
    void ack(int queueId, long location);

    /** A spilled copy is no longer needed. */
    void release(long location);

    /**
     * Reads messages back, in the given order, off the caller's thread; {@code done} always runs once, with
     * one message per location or with the failure. Never blocks the caller.
     */
    void read(long[] locations, int count, ReadCallback done);

    /** Completes {@code done} once everything submitted before it is on disk, or with the store's failure. */
    void afterDurable(WriteCallback done);

    /** Why the store can no longer write, or null while it can. */
    Throwable failure();

    /** Remembers, for a clean shutdown, that a queue delivered messages up to this location. */
    void markDelivered(int queueId, long location);
}
