package dev.warren.core;

import dev.warren.core.message.Message;
import dev.warren.core.store.MemoryBudget;
import dev.warren.core.store.MessageStore;
import dev.warren.core.store.StoreFailedException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A queue's state and dispatch, changed only on the queue's owner thread ({@link MessageQueue#executor()}):
 * the ready list, the paged backlog behind it, the consumers, and the count of deliveries awaiting ack.
 *
 * <p>Dispatch: ready messages go round-robin to the consumers that can take one now ({@link Consumer#ready()}).
 * It runs after every change that can let a message go out: an enqueue, a requeue, a new consumer, a batch
 * read back from the store, or a consumer's credit coming back ({@link #resumeDispatch()}).
 *
 * <p>Memory: while the broker's {@link MemoryBudget} allows, ready messages live on the heap. Past it, new
 * messages are paged out ({@link PagedBacklog}) and read back in batches as the ready list runs low. A
 * durable queue also pages out stored messages beyond {@link #STORED_KEPT_IN_MEMORY}, budget or not.
 *
 * <p>Everything arrives here as tasks on the owner thread — publishes, acks, requeues and consumer changes
 * — batched by the connections that send them; the counts the rest of the broker reads are published in
 * volatile fields after each change.
 */
public final class QueueProcess {
    private static final Comparator<QueueEntry> BY_SEQUENCE = Comparator.comparingLong(QueueEntry::sequence);
    /**
     * Ready messages that are already in the store kept in memory per queue, budget or not: a long durable
     * queue costs a long per message, not the message, and reading ahead keeps consumers fed.
     */
    static final int STORED_KEPT_IN_MEMORY = 2048;

    /** The answer to a basic.get, on the owner thread: the entry (null when the queue is empty) and what is left. */
    @FunctionalInterface
    public interface GetCallback {
        void got(QueueEntry entry, int remaining);
    }

    private final MessageQueue queue;
    private final MessageStore store;
    private final MemoryBudget memory;
    private final int storeId;
    private final ReadyList ready;
    private final PagedBacklog backlog;
    private final List<Consumer> consumers = new ArrayList<>();
    private final ArrayDeque<GetCallback> waitingGets = new ArrayDeque<>();
    private int nextConsumer;
    private long nextSequence;
    private boolean hadConsumers;
    private long deliveredThrough = -1;
    private int unacknowledged;

    // published for other threads after each change
    private volatile QueueLifecycle lifecycle = QueueLifecycle.RUNNING;
    private volatile int messageCount;
    private volatile int consumerCount;
    private volatile int unacknowledgedCount;
    /** Bytes (by the memory budget's weight) of the ready messages held on the heap. */
    private volatile long memoryHeld;

    QueueProcess(MessageQueue queue, MessageStore store, MemoryBudget memory, ReadyList ready) {
        this.queue = queue;
        this.store = store;
        this.memory = memory;
        this.storeId = queue.storeId();
        this.ready = ready;
        this.backlog = new PagedBacklog(store, storeId, queue.executor(), queue.describe(), new PagedBacklog.Listener() {
            @Override
            public void loaded(Message message, boolean redelivered) {
                addReady(new QueueEntry(message, nextSequence++, redelivered));
            }

            @Override
            public void batchLoaded() {
                answerWaitingGets();
                dispatch();
            }

            @Override
            public void loadFailed() {
                answerWaitingGets();
            }
        });
    }

    // ---- read from any thread ----

    QueueLifecycle lifecycle() {
        return lifecycle;
    }

    int messageCount() {
        return messageCount;
    }

    int consumerCount() {
        return consumerCount;
    }

    int unacknowledgedCount() {
        return unacknowledgedCount;
    }

    long memoryHeld() {
        return memoryHeld;
    }

    /** The highest store location this queue has delivered, or -1; read once the owner thread is stopped. */
    long deliveredThrough() {
        return deliveredThrough;
    }

    // ---- messages in ----

    /** Takes over one reference to the message. */
    public void enqueue(Message message) {
        if (!lifecycle.running()) {
            message.release();
            return;
        }
        if (backlog.isEmpty() && !shouldPageOut(message)) {
            addReady(new QueueEntry(message, nextSequence++, false));
            dispatch();
            return;
        }
        try {
            backlog.pageOut(message, isStoredHere(message));
        } catch (StoreFailedException e) {
            // cannot spill: keep it on the heap rather than lose it (the disk alarm is up meanwhile)
            addReady(new QueueEntry(message, nextSequence++, false));
        }
        backlog.loadIfLow(ready.size(), false);
        dispatch();
    }

    /** Puts back the messages the store recovered for this queue, behind anything already there. */
    public void restore(long[] entries) {
        backlog.restore(entries);
        backlog.loadIfLow(ready.size(), false);
        updateCounts();
    }

    /** Puts delivered entries back, in their original order, ahead of newer messages, flagged redelivered. */
    public void requeue(List<QueueEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        unacknowledged -= entries.size();
        if (!lifecycle.running()) {
            entries.forEach(e -> e.message().release());
            updateCounts();
            return;
        }
        List<QueueEntry> back = new ArrayList<>(entries.size());
        for (QueueEntry e : entries) {
            QueueEntry again = e.asRedelivered();
            hold(again);
            back.add(again);
        }
        back.sort(BY_SEQUENCE);
        ready.putBack(back);
        dispatch();
    }

    /** Deliveries done with: acked, or rejected without requeue. Forgets them in the store and lets go. */
    public void settle(List<QueueEntry> entries) {
        for (int i = 0; i < entries.size(); i++) {
            forget(entries.get(i));
        }
        unacknowledgedCount = Math.max(0, unacknowledged);
    }

    /** One delivery done with (a no-ack delivery written, or a single ack). */
    public void settle(QueueEntry entry) {
        forget(entry);
        unacknowledgedCount = Math.max(0, unacknowledged);
    }

    private void forget(QueueEntry entry) {
        unacknowledged--;
        Message message = entry.message();
        if (lifecycle.running() && isStoredHere(message)) {
            store.ack(storeId, message.location());
        }
        message.release();
    }

    // ---- consumers and dispatch ----

    public void addConsumer(Consumer consumer) {
        if (!lifecycle.running()) {
            throw AmqpException.of(ReplyCode.NOT_FOUND, "no queue '%s' in vhost '%s'", queue.name(), queue.vhost().name());
        }
        if (!consumers.isEmpty() && (consumer.exclusive() || consumers.get(0).exclusive())) {
            throw AmqpException.of(ReplyCode.ACCESS_REFUSED, "%s in exclusive use", queue.describe());
        }
        consumers.add(consumer);
        hadConsumers = true;
        backlog.loadIfLow(ready.size(), ready.isEmpty()); // a new consumer retries a read that failed
        dispatch();
    }

    /** Removes a consumer; an auto-delete queue goes away with its last consumer. */
    public void removeConsumer(Consumer consumer) {
        int index = consumers.indexOf(consumer);
        if (index < 0) {
            return;
        }
        consumers.remove(index);
        if (index < nextConsumer) {
            nextConsumer--;
        }
        if (nextConsumer >= consumers.size()) {
            nextConsumer = 0; // the round-robin pointer was on the last consumer, which just left
        }
        if (queue.autoDelete() && hadConsumers && consumers.isEmpty() && lifecycle.running()) {
            delete();
        }
        updateCounts();
    }

    /** Runs dispatch again: a consumer may take messages again (credit back, socket writable again). */
    public void resumeDispatch() {
        dispatch();
    }

    /** Gives ready messages to consumers that can take them, round-robin. */
    private void dispatch() {
        int size = consumers.size();
        while (size > 0 && !ready.isEmpty()) {
            Consumer consumer = null;
            for (int tried = 0; tried < size; tried++) {
                Consumer candidate = consumers.get(nextConsumer);
                nextConsumer = (nextConsumer + 1) % size;
                if (candidate.ready()) {
                    consumer = candidate;
                    break;
                }
            }
            if (consumer == null) {
                break;
            }
            consumer.deliver(queue, delivering(ready.poll()));
        }
        backlog.loadIfLow(ready.size(), false);
        updateCounts();
    }

    // ---- basic.get, purge, delete, stop ----

    /**
     * Takes the next ready message for basic.get. When the next messages are paged out, they are read back
     * first and the answer comes once they are here; it always comes, on this thread.
     */
    public void get(GetCallback answer) {
        if (!lifecycle.running()) {
            answer.got(null, 0);
            return;
        }
        if (ready.isEmpty() && !backlog.isEmpty()) {
            waitingGets.add(answer);
            backlog.loadIfLow(0, true);
            return;
        }
        answerGet(answer);
    }

    private void answerGet(GetCallback answer) {
        QueueEntry entry = ready.poll();
        if (entry != null) {
            delivering(entry);
        }
        backlog.loadIfLow(ready.size(), false);
        updateCounts();
        answer.got(entry, messageCount);
    }

    private void answerWaitingGets() {
        for (GetCallback waiting; (waiting = waitingGets.poll()) != null; ) {
            answerGet(waiting);
        }
    }

    /** Drops every ready message, in memory or paged out; returns how many. */
    public int purge() {
        int count = messageCount;
        dropAll(true);
        return count;
    }

    /**
     * Deletes the queue: checks the conditions, cancels its consumers, drops its messages and removes it
     * from its virtual host. Returns how many messages it held.
     */
    public int delete(boolean ifUnused, boolean ifEmpty) {
        if (!lifecycle.running()) {
            return 0;
        }
        if (ifUnused && !consumers.isEmpty()) {
            throw AmqpException.of(ReplyCode.PRECONDITION_FAILED, "%s in use", queue.describe());
        }
        if (ifEmpty && messageCount > 0) {
            throw AmqpException.of(ReplyCode.PRECONDITION_FAILED, "%s not empty", queue.describe());
        }
        return delete();
    }

    private int delete() {
        int count = messageCount;
        lifecycle = QueueLifecycle.DELETED;
        if (storeId >= 0) {
            store.deleteQueue(storeId); // forgets every stored entry at once; nothing to ack one by one
        }
        dropAll(false);
        List<Consumer> cancelled = new ArrayList<>(consumers);
        consumers.clear();
        updateCounts();
        cancelled.forEach(c -> c.cancelledByQueue(queue));
        queue.vhost().queueDeleted(queue);
        return count;
    }

    /**
     * The broker is stopping: lets go of the messages held in memory. What the store holds stays there for
     * the next start; nothing is acked.
     */
    public void stop() {
        if (lifecycle.running()) {
            lifecycle = QueueLifecycle.STOPPED;
        }
        dropAll(false);
    }

    private void dropAll(boolean ackStored) {
        for (QueueEntry entry; (entry = ready.poll()) != null; ) {
            unhold(entry);
            Message message = entry.message();
            if (ackStored && isStoredHere(message)) {
                store.ack(storeId, message.location());
            }
            message.release();
        }
        backlog.dropAll(ackStored);
        answerWaitingGets();
        updateCounts();
    }

    // ---- memory and paging ----

    /** Whether the message is in the store as an entry of this (durable) queue. */
    private boolean isStoredHere(Message message) {
        return storeId >= 0 && message.location() >= 0;
    }

    private void addReady(QueueEntry entry) {
        hold(entry);
        ready.addLast(entry);
    }

    /** The entry goes out to a client; remembered so a clean stop can say what was delivered. */
    private QueueEntry delivering(QueueEntry entry) {
        unacknowledged++;
        unhold(entry);
        if (isStoredHere(entry.message()) && entry.message().location() > deliveredThrough) {
            deliveredThrough = entry.message().location();
        }
        return entry;
    }

    private void hold(QueueEntry entry) {
        long weight = entry.weight();
        memory.take(weight);
        memoryHeld += weight;
    }

    private void unhold(QueueEntry entry) {
        long weight = entry.weight();
        memory.give(weight);
        memoryHeld -= weight;
    }

    private boolean shouldPageOut(Message message) {
        if (!store.enabled()) {
            return false;
        }
        return memory.exhausted() || (isStoredHere(message) && ready.size() >= STORED_KEPT_IN_MEMORY);
    }

    private void updateCounts() {
        long count = ready.size() + backlog.size();
        messageCount = (int) Math.min(count, Integer.MAX_VALUE);
        consumerCount = consumers.size();
        unacknowledgedCount = Math.max(0, unacknowledged);
    }
}
