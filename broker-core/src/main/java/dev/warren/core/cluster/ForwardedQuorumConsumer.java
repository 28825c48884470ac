package dev.warren.core.cluster;

import dev.warren.core.MessageQueue;
import dev.warren.core.QueueEntry;
import dev.warren.core.ReplicatedQueue;
import dev.warren.core.quorum.ConsumerKey;
import dev.warren.core.quorum.QuorumMessages;
import java.util.concurrent.CompletableFuture;

/**
 * On a member of a quorum queue, a consumer whose client is on a node without a replica: it checks out of the log
 * under a key of this node (a channel number of its own), and each delivery this replica applies for it goes to the
 * client's node as a {@link HomeRequest.Deliveries} request. Its credit is in the log, as a local consumer's; the
 * client's acks come back as {@link HomeRequest.Settle} and go into the log. If this node dies the others' NodeDown
 * returns what it held; if the client's node or channel goes, its ChannelDown does.
 */
final class ForwardedQuorumConsumer extends ForwardedSubscription {
    private final ReplicatedQueue quorum;
    private final long channel = ReplicatedQueue.newChannel();
    private final ConsumerKey key;
    private volatile boolean active = true;

    ForwardedQuorumConsumer(MessageQueue queue, HomeRequest.Consume subscription, NodeLink link) {
        super(queue, subscription, link);
        this.quorum = queue.replicated();
        this.key = quorum.key(channel, subscription.tag());
    }

    /** Checks the consumer out of the log with the client's prefetch as its credit; completes once committed. */
    CompletableFuture<Void> subscribe() {
        int prefetch = subscription.prefetch();
        int credit = subscription.noAck() ? ReplicatedQueue.NO_ACK_CREDIT : prefetch == 0 ? Integer.MAX_VALUE : prefetch;
        return quorum.consume(key, this, credit, subscription.exclusive(), subscription.priority());
    }

    @Override
    public boolean ready() {
        return active; // the log keeps the credit
    }

    /** A delivery this replica applied for the consumer (the applier thread): on to the client's node. */
    @Override
    public void deliver(MessageQueue from, QueueEntry entry) {
        long id = entry.sequence();
        byte[] message;
        try {
            message = QuorumMessages.encode(entry.message());
        } finally {
            entry.message().release();
        }
        if (subscription.noAck()) {
            quorum.settle(key, new long[] {id});
        }
        HomeRequest deliveries = new HomeRequest.Deliveries(queue.vhost().name(), queue.name(), subscription.consumerId(),
                new long[] {id}, new boolean[] {entry.redelivered()}, new byte[][] {message});
        tellClientNode(deliveries).whenComplete((reply, failure) -> {
            if (failure != null || HomeReply.decode(reply).status() != HomeReply.Status.DONE) {
                stop(true); // the client's node or channel is gone: what it held goes back
            }
        });
    }

    @Override
    public void cancelledByQueue(MessageQueue from) {
        active = false;
        tellCancelled();
    }

    @Override
    public void settle(long[] ids, byte outcome) {
        if (outcome == HomeRequest.ACK) {
            quorum.settle(key, ids);
        } else if (outcome == HomeRequest.REQUEUE) {
            quorum.requeue(key, ids);
        } else {
            quorum.discard(key, ids);
        }
    }

    @Override
    public CompletableFuture<Void> stop(boolean requeue) {
        boolean wasActive = active;
        active = false;
        if (requeue) {
            quorum.channelClosed(channel); // the consumer goes and what it held returns to the queue
            return CompletableFuture.completedFuture(null);
        }
        return wasActive ? quorum.cancel(key).thenApply(reply -> null) : CompletableFuture.completedFuture(null);
    }
}
