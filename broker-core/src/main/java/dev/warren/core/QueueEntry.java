package dev.warren.core;

import dev.warren.core.message.Message;
import dev.warren.core.store.MemoryBudget;

/**
 * A message's place in one queue: the message, its position (sequence) in that queue, and whether it was
 * delivered before. Requeued entries go back by sequence, ahead of newer messages.
 */
public record QueueEntry(Message message, long sequence, boolean redelivered) {
    QueueEntry asRedelivered() {
        return redelivered ? this : new QueueEntry(message, sequence, true);
    }

    /** What this entry costs the heap, as the memory budget counts it. */
    public long weight() {
        return MemoryBudget.weight(message.properties().readableBytes() + message.bodySize());
    }
}
