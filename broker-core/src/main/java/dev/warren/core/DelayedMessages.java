package dev.warren.core;

import dev.warren.core.message.BasicProperties;
import dev.warren.core.message.Delay;
import dev.warren.core.message.Message;
import dev.warren.core.message.SenderSelected;
import dev.warren.core.store.Locations;
import dev.warren.core.store.MessageStore;
import dev.warren.core.store.StoreFailedException;
import dev.warren.core.store.WriteCallback;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The messages an {@code x-delayed-message} exchange holds until their {@code x-delay} is over, then routes
 * as its {@code x-delayed-type} (RabbitMQ's delayed-message plugin). The bodies live in the store — for a
 * durable exchange as entries of a store queue of its own, so they survive a restart; otherwise spilled —
 * and memory holds three longs per message ({@link DelayHeap}); without a store they stay in memory. One
 * timer for the earliest due time, no thread or timer per message; due messages are read back in batches,
 * one read at a time, and routed in due order (publish order for equal times).
 *
 * <p>A routed message that is persistent and reaches durable queues is stored for them and taken off the
 * exchange's store queue as one change ({@link MessageStore#appendReplacing}); queues take it on their own
 * threads. Publishing threads call {@link #hold}; everything else runs on the owner loop, picked on first use.
 */
public final class DelayedMessages {
    private static final Logger LOG = LoggerFactory.getLogger(DelayedMessages.class);
    /** The store-queue name of a durable delayed exchange; "amq." names cannot be declared by clients. */
    static final String STORE_QUEUE_PREFIX = "amq.delayed:";
    private static final int BATCH = 1024;

    private final VirtualHost vhost;
    private final Exchange exchange;
    private final MessageStore store;
    private final Supplier<EventExecutor> executors;
    private volatile EventExecutor owner;
    private volatile int storeId = -1;
    private volatile int pending;

    // owner thread
    private final DelayHeap heap = new DelayHeap();
    private ScheduledFuture<?> timer;
    private long timerDue = Long.MAX_VALUE;
    private boolean reading;
    private boolean discarded;
    private final Destinations routed = new Destinations();
    private final List<MessageQueue> targets = new ArrayList<>();
    private final DurableIds durableIds = new DurableIds();

    DelayedMessages(VirtualHost vhost, Exchange exchange, Supplier<EventExecutor> executors) {
        this.vhost = vhost;
        this.exchange = exchange;
        this.store = vhost.storage().messages();
        this.executors = executors;
    }

    /** How many messages wait for their delay to end. */
    public int pending() {
        return pending;
    }

    /** Whether the exchange keeps its delayed messages through a restart (durable, with a store). */
    public boolean storesDurably() {
        return exchange.durable() && store.enabled();
    }

    /**
     * Takes a message to route once {@code delay} ms have passed since it arrived; the caller keeps its
     * reference. {@code onHeld} runs once the message is as safe as the exchange keeps it (on disk for a
     * durable exchange; at once otherwise), or with the store's failure.
     *
     * @throws StoreFailedException when the store has failed; nothing is held
     */
    public void hold(Message message, long delay, WriteCallback onHeld) {
        long due = saturatedAdd(message.arrivedAt(), delay);
        Message served = served(message, delay);
        try {
            long location = -1;
            if (storesDurably()) {
                location = store.append(served, new int[] {storeQueue()}, 1, onHeld);
            } else if (store.enabled() && store.failure() == null) {
                location = spill(served);
                onHeld.completed(null);
            } else {
                onHeld.completed(null);
            }
            Message inMemory = location < 0 ? served.retain() : null;
            long heldAt = location;
            ownerLoop().execute(() -> add(due, heldAt, inMemory));
        } finally {
            served.release();
        }
    }

    /** Writes the message out of memory; -1 (it stays in memory) when the store has just failed. */
    private long spill(Message message) {
        try {
            return store.spill(message);
        } catch (StoreFailedException e) {
            return -1;
        }
    }

    /** The message as it will be routed: {@code x-delay} set to minus the delay, BCC kept for routing. */
    private static Message served(Message message, long delay) {
        BasicProperties properties = BasicProperties.decode(message.properties().duplicate());
        ByteBuf encoded = properties.withHeadersAndExpiration(Delay.served(properties.headers(), delay),
                properties.expiration()).encoded();
        return message.withProperties(message.exchange(), message.routingKey(), encoded, message.arrivedAt());
    }

    /** Brings back the messages a durable delayed exchange held when the broker stopped (on start). */
    void restore(int recoveredStoreId, long[] entries) {
        storeId = recoveredStoreId;
        ownerLoop().execute(() -> restoreFrom(entries, 0));
    }

    private void restoreFrom(long[] entries, int from) {
        if (discarded || from >= entries.length) {
            if (from >= entries.length && entries.length > 0) {
                LOG.info("Delayed exchange '{}' in vhost '{}': {} delayed messages restored", LogSafe.escape(exchange.name()),
                        LogSafe.escape(vhost.name()), entries.length);
            }
            return;
        }
        int count = Math.min(BATCH, entries.length - from);
        long[] locations = new long[count];
        for (int i = 0; i < count; i++) {
            locations[i] = Locations.plain(entries[from + i]);
        }
        store.read(locations, count, (messages, failure) -> ownerLoop().execute(() -> {
            if (failure != null) {
                LOG.error("Delayed exchange '{}': could not read back {} delayed messages ({}); they stay stored until "
                        + "the next start", LogSafe.escape(exchange.name()), entries.length - from, failure.toString());
                return;
            }
            for (int i = 0; i < count; i++) {
                Message m = messages[i];
                add(saturatedAdd(m.arrivedAt(), Delay.served(m.headers())), locations[i], null);
                m.release();
            }
            restoreFrom(entries, from + count);
        }));
    }

    /** The exchange is gone: its delayed messages are dropped (and the store forgets them). */
    void discard() {
        EventExecutor loop = owner;
        if (loop == null) {
            return;
        }
        loop.execute(() -> {
            discarded = true;
            if (timer != null) {
                timer.cancel(false);
            }
            while (!heap.isEmpty()) {
                Message inMemory = heap.earliestMessage();
                if (inMemory != null) {
                    inMemory.release();
                } else if (!storesDurably()) {
                    store.release(heap.earliestLocation());
                }
                heap.removeEarliest();
            }
            pending = 0;
            if (storeId >= 0) {
                store.deleteQueue(storeId);
            }
        });
    }

    // ---- owner thread ----

    private void add(long due, long location, Message inMemory) {
        if (discarded) {
            if (inMemory != null) {
                inMemory.release();
            }
            return;
        }
        heap.add(due, location, inMemory);
        pending = heap.size();
        arm();
    }

    /** Sets the one timer for the earliest due time, unless a read is under way (it re-arms when done). */
    private void arm() {
        if (reading || heap.isEmpty()) {
            return;
        }
        long due = heap.earliestDue();
        if (timer != null && timerDue <= due) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        timerDue = due;
        long wait = Math.max(0, due - System.currentTimeMillis());
        timer = ownerLoop().schedule(this::fire, wait, TimeUnit.MILLISECONDS);
    }

    /** Routes what is due: messages in memory at once, stored ones after one batched read. */
    private void fire() {
        timer = null;
        timerDue = Long.MAX_VALUE;
        if (discarded) {
            return;
        }
        long now = System.currentTimeMillis();
        long[] locations = null;
        int count = 0;
        while (!heap.isEmpty() && heap.earliestDue() <= now && count < BATCH) {
            Message inMemory = heap.earliestMessage();
            if (inMemory != null) {
                route(inMemory, -1);
                inMemory.release();
            } else {
                if (locations == null) {
                    locations = new long[Math.min(BATCH, heap.size())];
                }
                locations[count++] = heap.earliestLocation();
            }
            heap.removeEarliest();
        }
        pending = heap.size() + count;
        if (count == 0) {
            arm();
            return;
        }
        reading = true;
        long[] due = locations;
        int n = count;
        // read in file order (the disk reads ahead, records near each other share a read), route in due order
        long[] inFileOrder = Arrays.copyOf(due, n);
        Arrays.sort(inFileOrder);
        store.read(inFileOrder, n, (messages, failure) -> ownerLoop().execute(() -> routeRead(due, n, messages == null ? null
                : inDueOrder(due, inFileOrder, messages, n), failure)));
    }

    /** The messages read in file order, rearranged to the due order of {@code due} (locations are unique). */
    private static Message[] inDueOrder(long[] due, long[] inFileOrder, Message[] read, int count) {
        Message[] ordered = new Message[count];
        for (int i = 0; i < count; i++) {
            ordered[i] = read[Arrays.binarySearch(inFileOrder, 0, count, due[i])];
        }
        return ordered;
    }

    private void routeRead(long[] locations, int count, Message[] messages, Throwable failure) {
        reading = false;
        if (failure != null) {
            // keep them: back into the heap, due now, and try again after a pause
            LOG.error("Delayed exchange '{}': could not read back {} due messages ({}); retrying", LogSafe.escape(exchange.name()),
                    count, failure.toString());
            long retryAt = System.currentTimeMillis() + 1_000;
            for (int i = 0; i < count; i++) {
                heap.add(retryAt, locations[i], null);
            }
        } else {
            for (int i = 0; i < count; i++) {
                if (!discarded) {
                    route(messages[i], locations[i]);
                }
                messages[i].release();
            }
            pending = heap.size();
        }
        if (!discarded) {
            arm();
        }
    }

    /**
     * Routes one due message as the exchange's x-delayed-type and hands it to its queues; settles its
     * place in the store ({@code location}, -1 when it was in memory).
     */
    private void route(Message held, long location) {
        try {
            routeOrThrow(held, location);
        } catch (RuntimeException e) { // one bad message must not strand the rest of a batch
            LOG.error("Delayed exchange '{}': could not route a due message", LogSafe.escape(exchange.name()), e);
        }
    }

    private void routeOrThrow(Message held, long location) {
        // copies: a message read back shares the store's read window, which a queue must not keep alive;
        // it arrives now, as the plugin publishes it now, so a queue's TTL counts from here
        Message message = new Message(held.exchange(), held.routingKey(), held.properties().copy(), held.body().copy());
        try {
            vhost.route(exchange, message, routed);
            for (int i = 0; i < routed.size(); i++) {
                targets.add(routed.queue(i));
            }
            routed.clear();
            Message delivered = SenderSelected.hasBcc(message) ? SenderSelected.withoutBcc(message) : message.retain();
            try {
                boolean moved = message.persistent() && storeFor(delivered, location);
                if (!moved && location >= 0) {
                    settle(location);
                }
                for (MessageQueue target : targets) {
                    target.enqueueRouted(delivered.retain());
                }
            } finally {
                delivered.release();
            }
        } finally {
            targets.clear();
            message.release();
        }
    }

    /**
     * Stores a persistent message for its durable targets; when it was an entry of this exchange's store
     * queue, the store moves it there in one change. Returns whether that move settled {@code location}.
     */
    private boolean storeFor(Message message, long location) {
        int count = durableIds.collect(targets);
        if (count == 0) {
            return false;
        }
        try {
            if (location >= 0 && storesDurably()) {
                store.appendReplacing(message, durableIds.ids(), count, storeId, location, null);
                return true;
            }
            store.append(message, durableIds.ids(), count, null);
            return false;
        } catch (StoreFailedException e) {
            LOG.error("Delayed exchange '{}': could not store a due message for its queues: {}", LogSafe.escape(exchange.name()),
                    e.getMessage());
            return false;
        }
    }

    /** The exchange no longer holds the message at {@code location}. */
    private void settle(long location) {
        if (storesDurably()) {
            store.ack(storeId, location);
        } else {
            store.release(location);
        }
    }

    private int storeQueue() {
        int id = storeId;
        if (id < 0) {
            synchronized (this) {
                if (storeId < 0) {
                    storeId = store.registerQueue(vhost.name(), STORE_QUEUE_PREFIX + exchange.name());
                }
                id = storeId;
            }
        }
        return id;
    }

    private EventExecutor ownerLoop() {
        EventExecutor loop = owner;
        if (loop == null) {
            synchronized (this) {
                if (owner == null) {
                    owner = executors.get();
                }
                loop = owner;
            }
        }
        return loop;
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
