package dev.warren.core;

import dev.warren.core.message.Message;
import dev.warren.core.store.Locations;
import dev.warren.core.store.MemoryBudget;
import dev.warren.core.store.MessageStore;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A queue: ready messages in order and the consumers they are dispatched to, round-robin among those
 * ready to take one.
 *
 * <p>Paging: while the broker's {@link MemoryBudget} allows, ready messages live on the heap. Past it, new
 * messages are paged out: the queue keeps only their store locations (one long each, behind the ready
 * ones) and reads them back in batches as the ready list runs low. A persistent message in a durable
 * queue is already in the store; any other message is spilled there first.
 *
 * <p>Threading: a queue has one owner thread, its {@link #executor()} (the event loop of the connection
 * that declared it). Every method below that reads or changes state must run there; other threads hand
 * work over with {@code executor().execute(...)}. Only the definition fields and the count snapshots
 * are read from other threads.
 */
public final class MessageQueue implements BindingDestination {
    private static final Logger LOG = LoggerFactory.getLogger(MessageQueue.class);
    private static final Comparator<QueueEntry> BY_SEQUENCE = Comparator.comparingLong(QueueEntry::sequence);
    /** Paged entries read back at once, and the ready count below which the next batch is read. */
    private static final int LOAD_BATCH = 512;
    private static final int LOAD_BELOW = 256;
    /**
     * Ready messages that are already in the store kept in memory per queue, budget or not: a long durable
     * queue costs a long per message, not the message, and reading ahead keeps consumers fed.
     */
    private static final int STORED_KEPT_IN_MEMORY = 2048;
    private final VirtualHost vhost;
    private final String name;
    private final boolean durable;
    private final boolean exclusive;
    private final boolean autoDelete;
    private final Map<String, Object> arguments;
    private final Object exclusiveOwner;
    private final EventExecutor executor;
    private final MessageStore store;
    private final MemoryBudget memory;
    /** This queue's id in the store when it is durable there, else -1. */
    private final int storeId;

    private final ArrayDeque<QueueEntry> ready = new ArrayDeque<>();
    private final LongQueue paged = new LongQueue();
    /** Paged entries being read back right now, or null. */
    private long[] inFlight;
    private long deliveredThrough = -1;
    private final List<Consumer> consumers = new ArrayList<>();
    private int nextConsumer;
    private long nextSequence;
    private boolean hadConsumers;
    private volatile boolean deleted;
    private volatile int messageCount;
    private volatile int consumerCount;
    /** Deliveries handed out and not yet settled or requeued; changed from several threads. */
    private final LongAdder unacknowledged = new LongAdder();
    /** Bytes (by the memory budget's weight) of the ready messages held on the heap; owner thread writes. */
    private volatile long memoryHeld;

    MessageQueue(VirtualHost vhost, String name, boolean durable, boolean exclusive, boolean autoDelete,
                 Map<String, Object> arguments, Object exclusiveOwner, EventExecutor executor, int storeId) {
        this.vhost = vhost;
        this.name = name;
        this.durable = durable;
        this.exclusive = exclusive;
        this.autoDelete = autoDelete;
        this.arguments = arguments == null ? Map.of() : Map.copyOf(arguments);
        this.exclusiveOwner = exclusiveOwner;
        this.executor = executor;
        this.store = vhost.storage().messages();
        this.memory = vhost.storage().memory();
        this.storeId = storeId;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return "queue";
    }

    public VirtualHost vhost() {
        return vhost;
    }

    public boolean durable() {
        return durable;
    }

    public boolean exclusive() {
        return exclusive;
    }

    public boolean autoDelete() {
        return autoDelete;
    }

    public Map<String, Object> arguments() {
        return arguments;
    }

    /** The connection that owns an exclusive queue, or null. */
    public Object exclusiveOwner() {
        return exclusiveOwner;
    }

    /** The one thread that may touch this queue's state. */
    public EventExecutor executor() {
        return executor;
    }

    public boolean isDeleted() {
        return deleted;
    }

    /** The queue's id in the message store, or -1 when its messages are not stored. */
    public int storeId() {
        return storeId;
    }

    /** The highest store location this queue has delivered, or -1; read once the queue's thread is stopped. */
    public long deliveredThrough() {
        return deliveredThrough;
    }

    /**
     * A delivery from this queue is done with: acked, or rejected without requeue. Forgets the message in
     * the store when it is stored for this queue, and drops this queue's reference. Any thread.
     */
    public void settle(QueueEntry entry) {
        unacknowledged.decrement();
        Message message = entry.message();
        if (isStoredHere(message)) {
            store.ack(storeId, message.location());
        }
        message.release();
    }

    /** Ready messages (in memory or paged out), as last published by the owner thread; any thread. */
    public int messageCount() {
        return messageCount;
    }

    /** Deliveries out with consumers (or basic.get) and not yet acked; any thread. */
    public int unacknowledgedCount() {
        return Math.max(0, unacknowledged.intValue());
    }

    /** Heap bytes held by this queue's ready messages (payload plus a fixed overhead each); any thread. */
    public long memoryBytes() {
        return memoryHeld;
    }

    /** Consumers, as last published by the owner thread; safe to read from any thread. */
    public int consumerCount() {
        return consumerCount;
    }

    /** "queue 'name' in vhost '/'", as reply texts name a queue. */
    public String describe() {
        return "queue '" + name + "' in vhost '" + vhost.name() + "'";
    }

    // ---- owner thread only below ----

    /** Takes over one reference to the message. */
    public void enqueue(Message message) {
        if (deleted) {
            message.release();
            return;
        }
        if (paged.isEmpty() && !shouldPageOut(message)) {
            addReady(new QueueEntry(message, nextSequence++, false));
            dispatch();
        } else {
            pageOut(message);
            loadIfLow();
            updateCount();
        }
    }

    /** Puts back the messages the store recovered for this queue, behind anything already there. */
    public void restore(long[] entries) {
        for (long entry : entries) {
            paged.addLast(entry);
        }
        loadIfLow();
        updateCount();
    }

    /** Puts previously delivered entries back, in their original order, ahead of newer messages. */
    public void requeue(List<QueueEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        unacknowledged.add(-entries.size());
        if (deleted) {
            entries.forEach(e -> e.message().release());
            return;
        }
        List<QueueEntry> back = new ArrayList<>(entries.size());
        entries.forEach(e -> back.add(e.asRedelivered()));
        back.sort(BY_SEQUENCE);
        for (QueueEntry entry : back) {
            hold(entry);
        }
        QueueEntry head = ready.peekFirst();
        if (head == null || back.get(back.size() - 1).sequence() < head.sequence()) {
            // the usual case: everything coming back is older than what is ready
            for (int i = back.size() - 1; i >= 0; i--) {
                ready.addFirst(back.get(i));
            }
        } else {
            back.addAll(ready);
            back.sort(BY_SEQUENCE);
            ready.clear();
            ready.addAll(back);
        }
        dispatch();
    }

    public void addConsumer(Consumer consumer) {
        if (!consumers.isEmpty() && (consumer.exclusive() || consumers.get(0).exclusive())) {
            throw AmqpException.of(ReplyCode.ACCESS_REFUSED, "%s in exclusive use", describe());
        }
        consumers.add(consumer);
        hadConsumers = true;
        consumerCount = consumers.size();
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
        consumerCount = consumers.size();
        if (autoDelete && hadConsumers && consumers.isEmpty()) {
            delete();
        }
    }

    /**
     * Takes the next ready message for basic.get, or null when there is none. When the next messages are
     * paged out they are read back here and now: basic.get answers synchronously.
     */
    public QueueEntry poll() {
        if (ready.isEmpty() && (inFlight != null || !paged.isEmpty())) {
            loadNow();
        }
        QueueEntry entry = ready.pollFirst();
        if (entry != null) {
            delivering(entry);
        }
        loadIfLow();
        updateCount();
        return entry;
    }

    /** Drops every ready message, in memory or paged out; returns how many. */
    public int purge() {
        int count = messageCount();
        dropReady();
        return count;
    }

    /**
     * Deletes the queue: checks the conditions, cancels its consumers, drops its messages and removes it
     * from its virtual host. Returns how many messages it held.
     */
    public int delete(boolean ifUnused, boolean ifEmpty) {
        if (deleted) {
            return 0;
        }
        if (ifUnused && !consumers.isEmpty()) {
            throw AmqpException.of(ReplyCode.PRECONDITION_FAILED, "%s in use", describe());
        }
        if (ifEmpty && messageCount() > 0) {
            throw AmqpException.of(ReplyCode.PRECONDITION_FAILED, "%s not empty", describe());
        }
        return delete();
    }

    private int delete() {
        deleted = true;
        int count = messageCount();
        if (storeId >= 0) {
            store.deleteQueue(storeId); // forgets every stored entry at once; nothing to ack one by one
        }
        dropReady();
        List<Consumer> cancelled = new ArrayList<>(consumers);
        consumers.clear();
        consumerCount = 0;
        cancelled.forEach(c -> c.cancelledByQueue(this));
        vhost.queueDeleted(this);
        return count;
    }

    /**
     * The broker is stopping: lets go of the messages held in memory. What the store holds stays there for
     * the next start; nothing is acked.
     */
    public void close() {
        deleted = true;
        dropReady();
    }

    private void dropReady() {
        for (QueueEntry entry; (entry = ready.pollFirst()) != null; ) {
            leftReady(entry);
            drop(entry.message());
        }
        if (inFlight != null) {
            for (long entry : inFlight) {
                dropPaged(entry);
            }
            inFlight = null; // the read in progress is now stale and its messages are just released
        }
        while (!paged.isEmpty()) {
            dropPaged(paged.pollFirst());
        }
        updateCount();
    }

    /** A message leaves the queue without being delivered. */
    private void drop(Message message) {
        if (isStoredHere(message) && !deleted) {
            store.ack(storeId, message.location());
        }
        message.release();
    }

    private void dropPaged(long entry) {
        if (Locations.spilled(entry)) {
            store.release(Locations.plain(entry));
        } else if (!deleted) {
            store.ack(storeId, Locations.plain(entry));
        }
    }

    /** Gives ready messages to consumers that can take them, round-robin. */
    private void dispatch() {
        int size = consumers.size();
        while (!ready.isEmpty() && size > 0) {
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
            consumer.deliver(this, delivering(ready.pollFirst()));
        }
        loadIfLow();
        updateCount();
    }

    /** Runs dispatch again, e.g. when a consumer becomes ready. */
    public void resumeDispatch() {
        dispatch();
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

    private void leftReady(QueueEntry entry) {
        unhold(entry);
    }

    /** The entry goes out to a client; remembered so a clean stop can say what was delivered. */
    private QueueEntry delivering(QueueEntry entry) {
        unacknowledged.increment();
        leftReady(entry);
        if (isStoredHere(entry.message()) && entry.message().location() > deliveredThrough) {
            deliveredThrough = entry.message().location();
        }
        return entry;
    }

    private void hold(QueueEntry entry) {
        long weight = weight(entry);
        memory.take(weight);
        memoryHeld += weight;
    }

    private void unhold(QueueEntry entry) {
        long weight = weight(entry);
        memory.give(weight);
        memoryHeld -= weight;
    }

    private static long weight(QueueEntry entry) {
        Message m = entry.message();
        return MemoryBudget.weight(m.properties().readableBytes() + m.bodySize());
    }

    private boolean shouldPageOut(Message message) {
        if (!store.enabled()) {
            return false;
        }
        return memory.exhausted() || (isStoredHere(message) && ready.size() >= STORED_KEPT_IN_MEMORY);
    }

    /** Keeps only the message's location: it is in the store already, or is spilled there now. */
    private void pageOut(Message message) {
        long entry = isStoredHere(message) ? message.location() : store.spill(message) | Locations.SPILLED;
        paged.addLast(entry);
        message.release();
    }

    /** Starts reading the next paged entries back when the ready list runs low. */
    private void loadIfLow() {
        if (inFlight != null || paged.isEmpty() || ready.size() >= LOAD_BELOW || deleted) {
            return;
        }
        long[] batch = takePaged();
        inFlight = batch;
        store.read(batch, batch.length, (messages, failure) -> executor.execute(() -> loaded(batch, messages)));
    }

    private long[] takePaged() {
        long[] batch = new long[(int) Math.min(paged.size(), LOAD_BATCH)];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = paged.pollFirst();
        }
        return batch;
    }

    private void loaded(long[] batch, Message[] messages) {
        if (batch != inFlight) { // purged, deleted or taken synchronously meanwhile
            for (Message m : messages) {
                if (m != null) {
                    m.release();
                }
            }
            return;
        }
        inFlight = null;
        addLoaded(batch, messages);
        dispatch();
    }

    /** Reads the next paged entries synchronously (basic.get on an empty ready list). */
    private void loadNow() {
        long[] batch = inFlight != null ? inFlight : takePaged();
        inFlight = null;
        CompletableFuture<Message[]> read = new CompletableFuture<>();
        store.read(batch, batch.length, (messages, failure) -> read.complete(messages));
        addLoaded(batch, read.join());
    }

    private void addLoaded(long[] batch, Message[] messages) {
        for (int i = 0; i < batch.length; i++) {
            long entry = batch[i];
            Message message = messages[i];
            if (Locations.spilled(entry)) {
                store.release(Locations.plain(entry));
            }
            if (message == null) {
                LOG.error("Dropped an unreadable message from {} (store location {})", describe(), Locations.plain(entry));
                if (!Locations.spilled(entry)) {
                    store.ack(storeId, Locations.plain(entry));
                }
                continue;
            }
            if (!Locations.spilled(entry)) {
                message.storedAt(Locations.plain(entry));
            }
            addReady(new QueueEntry(message, nextSequence++, Locations.redelivered(entry)));
        }
    }

    private void updateCount() {
        long count = ready.size() + paged.size() + (inFlight == null ? 0 : inFlight.length);
        messageCount = (int) Math.min(count, Integer.MAX_VALUE);
    }
}
