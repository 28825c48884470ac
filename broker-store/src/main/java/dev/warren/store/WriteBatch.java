package dev.warren.store;

import dev.warren.core.message.Message;
import dev.warren.core.store.WriteBacklog;
import dev.warren.core.store.WriteCallback;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What one group commit gathers while its operations apply themselves: the files they write to, whether
 * it must be forced, the callbacks to complete once it is, the messages to let go of once written, and a
 * stop. Writer thread only; reused from batch to batch.
 */
final class WriteBatch {
    private final SegmentWriter segments;
    private final SegmentRefs refs;
    private final Set<Integer> queues = new HashSet<>();
    private final List<WriteCallback> onDurable = new ArrayList<>();
    private final List<Message> written = new ArrayList<>();
    private final WriteBacklog backlog;
    /** Bytes of the messages in {@link #written}, off the backlog once they are let go of. */
    private long writtenBytes;
    private IndexLog index;
    private boolean sync;
    private Runnable stop;

    WriteBatch(SegmentWriter segments, IndexLog index, SegmentRefs refs, Set<Integer> knownQueues, WriteBacklog backlog) {
        this.backlog = backlog;
        this.segments = segments;
        this.index = index;
        this.refs = refs;
        this.queues.addAll(knownQueues);
    }

    SegmentWriter segments() {
        return segments;
    }

    IndexLog index() {
        return index;
    }

    /** The index file was swapped for its compacted copy. */
    void index(IndexLog compacted) {
        this.index = compacted;
    }

    SegmentRefs refs() {
        return refs;
    }

    boolean knows(int queueId) {
        return queues.contains(queueId);
    }

    void declare(int queueId) {
        queues.add(queueId);
    }

    /** Returns whether the queue was known. */
    boolean forget(int queueId) {
        return queues.remove(queueId);
    }

    /** The batch holds something a client waits on being durable. */
    void mustSync() {
        sync = true;
    }

    boolean needsSync() {
        return sync;
    }

    void completeOnDurable(WriteCallback callback) {
        onDurable.add(callback);
    }

    /** The message's bytes are in the batch's buffer: its reference goes once the batch is written. */
    void release(Message message) {
        written.add(message);
        writtenBytes += MessageRecord.size(message);
    }

    void stop(Runnable done) {
        stop = done;
    }

    Runnable stopRequested() {
        return stop;
    }

    List<WriteCallback> callbacks() {
        return onDurable;
    }

    /** After the batch is written (or failed): lets go of the messages it wrote and starts afresh. */
    void clear() {
        written.forEach(Message::release);
        written.clear();
        backlog.remove(writtenBytes);
        writtenBytes = 0;
        onDurable.clear();
        sync = false;
    }
}
