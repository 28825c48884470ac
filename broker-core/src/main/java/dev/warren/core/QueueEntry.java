package dev.warren.core;

import dev.warren.core.message.Message;
import dev.warren.core.store.MemoryBudget;

/**
 * A message's place in one queue: the message, its position (sequence) in that queue, whether it was
 * delivered before, when it expires there ({@link #NEVER} when it does not) and how many times it came back
 * from a consumer. Requeued entries go back by sequence, ahead of newer messages, keeping their expiry.
 */
public record QueueEntry(Message message, long sequence, boolean redelivered, long expiresAt, int returns) {
    public static final long NEVER = Long.MAX_VALUE;

    QueueEntry(Message message, long sequence, boolean redelivered) {
        this(message, sequence, redelivered, NEVER, 0);
    }

    /** The entry back from a consumer: redelivered, one more return, possibly with its message re-encoded. */
    QueueEntry returned(Message withMessage) {
        return new QueueEntry(withMessage, sequence, true, expiresAt, returns + 1);
    }

    boolean expires() {
        return expiresAt != NEVER;
    }

    /** What this entry costs the heap, as the memory budget counts it. */
    public long weight() {
        return MemoryBudget.weight(message.properties().readableBytes() + message.bodySize());
    }
}
