package dev.warren.core.cluster;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This node's consumers of other nodes' classic queues, by the id their home nodes know them by: where the
 * {@link HomeRequest.Deliveries} those nodes send are handed, and who hears that a queue went away or its node died.
 * Any thread.
 */
public final class HomeConsumers {
    /** The channel's side of a consumer of another node's queue. */
    public interface Receiver {
        /** The node the queue lives on. */
        String home();

        /**
         * Messages for the consumer (a transport thread): the receiver writes them, or gives them back; completes once
         * it has (the home node's reply then lets it send more).
         */
        CompletableFuture<Void> receive(long[] ids, boolean[] redelivered, byte[][] messages);

        /** The queue was deleted, or its node is down: the consumer is cancelled. */
        void cancelled();
    }

    /** Ids unique in this process: a home node tells a consumer by this node and this id. */
    private static final AtomicLong IDS = new AtomicLong();
    private final Map<Long, Receiver> receivers = new ConcurrentHashMap<>();

    /** An id no other consumer or holder of this process has (a channel's holder of basic.gets uses one too). */
    public static long newId() {
        return IDS.incrementAndGet();
    }

    public long register(Receiver receiver) {
        long id = newId();
        receivers.put(id, receiver);
        return id;
    }

    public void unregister(long id) {
        receivers.remove(id);
    }

    /**
     * Hands deliveries to their consumer; completes once they are written (or given back), or is null when there is
     * no such consumer (its channel closed): then they go back.
     */
    CompletableFuture<Void> deliver(HomeRequest.Deliveries deliveries) {
        Receiver receiver = receivers.get(deliveries.consumerId());
        return receiver == null ? null : receiver.receive(deliveries.ids(), deliveries.redelivered(), deliveries.messages());
    }

    void cancelled(long consumerId) {
        Receiver receiver = receivers.remove(consumerId);
        if (receiver != null) {
            receiver.cancelled();
        }
    }

    /** A node died: the consumers of its queues are cancelled, as RabbitMQ cancels them when a queue's node goes. */
    void homeDown(String node) {
        receivers.forEach((id, receiver) -> {
            if (receiver.home().equals(node) && receivers.remove(id, receiver)) {
                receiver.cancelled();
            }
        });
    }
}
