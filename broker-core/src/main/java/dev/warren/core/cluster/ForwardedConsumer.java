package dev.warren.core.cluster;

import dev.warren.core.MessageQueue;
import dev.warren.core.QueueEntry;
import dev.warren.core.quorum.QuorumMessages;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * On a classic queue's home node, a consumer whose client is on another node: the queue delivers to it as to a local
 * one (prefetch, exclusive, x-priority, single active consumer are the queue's business), and its deliveries go to
 * the consumer's node in {@link HomeRequest.Deliveries} requests, one per round of the queue's dispatch. Unacked
 * deliveries wait here, by id, for the {@link HomeRequest.Settle} that says what became of them. A no-ack delivery
 * is settled as it leaves.
 *
 * <p>Threading: the queue's thread, except the replies to deliveries, which count down {@link #inFlight} and hand
 * the rest to the queue's thread.
 */
final class ForwardedConsumer extends ForwardedSubscription {
    /** Deliveries on their way to the consumer's node and not yet answered: what a no-ack consumer may have out. */
    static final int WINDOW = 512;

    private final Map<Long, QueueEntry> unacked = new HashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Deliveries of this round of dispatch, sent together once it is over (queue thread). */
    private final List<Buffered> buffered = new ArrayList<>();
    private long nextId = 1;
    private volatile boolean active = true;

    ForwardedConsumer(MessageQueue queue, HomeRequest.Consume subscription, NodeLink link) {
        super(queue, subscription, link);
    }

    @Override
    public boolean ready() {
        int prefetch = subscription.prefetch();
        return active && inFlight.get() < WINDOW && (subscription.noAck() || prefetch == 0 || unacked.size() < prefetch);
    }

    @Override
    public void deliver(MessageQueue from, QueueEntry entry) {
        long id = nextId++;
        if (buffered.isEmpty()) {
            queue.executor().execute(this::flush); // after this round of dispatch: its deliveries go as one request
        }
        buffered.add(new Buffered(id, entry.redelivered(), QuorumMessages.encode(entry.message())));
        if (subscription.noAck()) {
            queue.process().deliveredNoAck(entry);
        } else {
            unacked.put(id, entry);
        }
        inFlight.incrementAndGet();
    }

    /** Sends the buffered deliveries to the consumer's node as one request (queue thread). */
    private void flush() {
        int count = buffered.size();
        if (count == 0) {
            return;
        }
        long[] ids = new long[count];
        boolean[] redelivered = new boolean[count];
        byte[][] messages = new byte[count][];
        for (int i = 0; i < count; i++) {
            Buffered b = buffered.get(i);
            ids[i] = b.id();
            redelivered[i] = b.redelivered();
            messages[i] = b.message();
        }
        buffered.clear();
        HomeRequest deliveries = new HomeRequest.Deliveries(queue.vhost().name(), queue.name(), subscription.consumerId(),
                ids, redelivered, messages);
        tellClientNode(deliveries).whenComplete((reply, failure) -> {
            inFlight.addAndGet(-count);
            boolean taken = failure == null && answeredDone(reply);
            queue.executor().execute(() -> {
                if (!taken) {
                    stopHere(true); // the consumer's node or channel is gone: what it held comes back
                } else if (active) {
                    queue.process().resumeDispatch();
                }
            });
        });
    }

    private record Buffered(long id, boolean redelivered, byte[] message) {
    }

    private static boolean answeredDone(byte[] reply) {
        try {
            return HomeReply.decode(reply).status() == HomeReply.Status.DONE;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void cancelledByQueue(MessageQueue from) {
        active = false;
        flush(); // ahead of the cancel
        requeueAll(); // the queue is deleted: it lets go of them
        tellCancelled();
    }

    /**
     * Holds a message a basic.get took for an ack (this consumer then only holds gets: it is never one of the queue's
     * consumers); returns its id (queue thread).
     */
    long hold(QueueEntry entry) {
        long id = nextId++;
        unacked.put(id, entry);
        return id;
    }

    @Override
    public void settle(long[] ids, byte outcome) {
        queue.executor().execute(() -> settleHere(ids, outcome));
    }

    @Override
    public CompletableFuture<Void> stop(boolean requeue) {
        return queue.call(q -> {
            stopHere(requeue);
            return null;
        });
    }

    /** The consumer's node says what became of these deliveries (queue thread). */
    private void settleHere(long[] ids, byte outcome) {
        List<QueueEntry> entries = new ArrayList<>(ids.length);
        for (long id : ids) {
            QueueEntry entry = unacked.remove(id);
            if (entry != null) {
                entries.add(entry);
            }
        }
        if (outcome == HomeRequest.ACK) {
            queue.process().settle(entries);
        } else if (outcome == HomeRequest.REQUEUE) {
            queue.process().requeue(entries);
        } else {
            queue.process().discard(entries);
        }
        if (active) {
            queue.process().resumeDispatch();
        }
    }

    /** No more deliveries; with {@code requeue} what the consumer holds goes back too (queue thread). */
    private void stopHere(boolean requeue) {
        if (active) {
            active = false;
            queue.process().removeConsumer(this);
        }
        if (requeue) {
            requeueAll();
        }
    }

    private void requeueAll() {
        if (!unacked.isEmpty()) {
            List<QueueEntry> held = new ArrayList<>(unacked.values());
            held.sort((a, b) -> Long.compare(a.sequence(), b.sequence()));
            unacked.clear();
            queue.process().requeue(held);
        }
    }
}
