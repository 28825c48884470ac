package dev.warren.store;

import dev.warren.core.message.Message;
import dev.warren.core.store.WriteCallback;

/** The work the journal's writer thread does, in the order it was asked for. */
sealed interface JournalOp {
    /**
     * Writes a message record at its reserved location; {@code queueIds} is null for a spilled copy, else
     * the durable queues that hold it, each getting an index entry.
     */
    record Append(Message message, long location, int[] queueIds, WriteCallback onDurable) implements JournalOp {
    }

    record Ack(int queueId, long location) implements JournalOp {
    }

    record Release(long location) implements JournalOp {
    }

    record DeclareQueue(int queueId, String vhost, String name) implements JournalOp {
    }

    record DeleteQueue(int queueId) implements JournalOp {
    }

    record MarkDelivered(int queueId, long location) implements JournalOp {
    }

    /** Runs once everything before it is on disk. */
    record Barrier(WriteCallback task) implements JournalOp {
    }

    /** Finishes: writes what is pending, marks a clean stop and closes the files. */
    record Stop(Runnable done) implements JournalOp {
    }
}
