package dev.warren.store;

import dev.warren.core.message.Message;
import dev.warren.core.store.Locations;
import dev.warren.core.store.WriteCallback;
import java.io.IOException;

/**
 * The work the journal's writer thread does, in the order it was asked for. Each operation applies itself
 * to the writer's current batch; when the store has failed, each is told so instead ({@link #failed}), and
 * whoever waits on it hears the cause.
 */
sealed interface JournalOp {
    void apply(WriteBatch batch) throws IOException;

    /** The store failed before this could be done: let go of what it holds and complete its callback. */
    default void failed(Throwable cause) {
    }

    /**
     * Writes a message record at its reserved location; {@code queueIds} is null for a spilled copy, else
     * the durable queues that hold it, each getting an index entry. When it replaces a message in a queue
     * ({@code replacedQueue} not -1: a dead-lettered copy), the entries and the original's ack are written
     * as one index record, so a crash keeps one of the two.
     */
    record Append(Message message, long location, int[] queueIds, WriteCallback onDurable, int replacedQueue,
                  long replacedLocation) implements JournalOp {
        @Override
        public void apply(WriteBatch batch) throws IOException {
            batch.segments().write(message, location);
            batch.release(message);
            if (queueIds == null) {
                batch.refs().addSpill(Locations.segment(location));
                return;
            }
            int known = 0;
            int[] targets = new int[queueIds.length];
            for (int queueId : queueIds) {
                if (batch.knows(queueId)) {
                    targets[known++] = queueId;
                    batch.refs().addEntry(queueId, Locations.segment(location));
                }
            }
            if (replacedQueue >= 0 && batch.knows(replacedQueue)) {
                batch.index().move(replacedQueue, replacedLocation, location, targets, known);
                batch.refs().removeEntry(replacedQueue, Locations.segment(replacedLocation));
            } else {
                for (int i = 0; i < known; i++) {
                    batch.index().enqueue(targets[i], location);
                }
            }
            batch.mustSync();
            if (onDurable != null) {
                batch.completeOnDurable(onDurable);
            }
        }

        @Override
        public void failed(Throwable cause) {
            message.release();
            if (onDurable != null) {
                onDurable.completed(cause);
            }
        }
    }

    record Ack(int queueId, long location) implements JournalOp {
        @Override
        public void apply(WriteBatch batch) {
            if (batch.knows(queueId)) {
                batch.index().ack(queueId, location);
                batch.refs().removeEntry(queueId, Locations.segment(location));
            }
        }
    }

    record Release(long location) implements JournalOp {
        @Override
        public void apply(WriteBatch batch) {
            batch.refs().removeSpill(Locations.segment(location));
        }
    }

    record DeclareQueue(int queueId, String vhost, String name) implements JournalOp {
        @Override
        public void apply(WriteBatch batch) {
            batch.declare(queueId);
            batch.index().declare(queueId, vhost, name);
            batch.mustSync();
        }
    }

    record DeleteQueue(int queueId) implements JournalOp {
        @Override
        public void apply(WriteBatch batch) {
            if (batch.forget(queueId)) {
                batch.index().delete(queueId);
                batch.refs().dropQueue(queueId);
            }
        }
    }

    record MarkDelivered(int queueId, long location) implements JournalOp {
        @Override
        public void apply(WriteBatch batch) {
            if (batch.knows(queueId)) {
                batch.index().delivered(queueId, location);
            }
        }
    }

    /** Completes once everything before it is on disk. */
    record Barrier(WriteCallback task) implements JournalOp {
        @Override
        public void apply(WriteBatch batch) {
            batch.mustSync();
            batch.completeOnDurable(task);
        }

        @Override
        public void failed(Throwable cause) {
            task.completed(cause);
        }
    }

    /** Finishes: writes what is pending, marks a clean stop and closes the files. */
    record Stop(Runnable done) implements JournalOp {
        @Override
        public void apply(WriteBatch batch) {
            batch.stop(done);
        }

        @Override
        public void failed(Throwable cause) {
            done.run();
        }
    }
}
