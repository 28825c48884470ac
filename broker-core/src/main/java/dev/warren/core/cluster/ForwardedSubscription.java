package dev.warren.core.cluster;

import dev.warren.core.Consumer;
import dev.warren.core.MessageQueue;

/**
 * What the two kinds of consumers this node serves for clients on other nodes share: the subscription the client's
 * node sent ({@link HomeRequest.Consume}: tag, prefetch, no-ack, exclusive, priority), the queue, and the link
 * deliveries and cancels go back by.
 */
abstract class ForwardedSubscription implements Consumer, ServedConsumer {
    final MessageQueue queue;
    final HomeRequest.Consume subscription;
    final NodeLink link;

    ForwardedSubscription(MessageQueue queue, HomeRequest.Consume subscription, NodeLink link) {
        this.queue = queue;
        this.subscription = subscription;
        this.link = link;
    }

    @Override
    public String node() {
        return subscription.node();
    }

    @Override
    public String tag() {
        return subscription.tag();
    }

    @Override
    public boolean exclusive() {
        return subscription.exclusive();
    }

    @Override
    public boolean ackRequired() {
        return !subscription.noAck();
    }

    @Override
    public int priority() {
        return subscription.priority();
    }

    /** Sends a request about this consumer's queue to the client's node; its answer comes back here. */
    java.util.concurrent.CompletableFuture<byte[]> tellClientNode(HomeRequest request) {
        return link.request(subscription.node(), HomeRequest.encode(request));
    }

    /** Tells the client's node that the queue went away: its consumer is cancelled there (basic.cancel). */
    void tellCancelled() {
        tellClientNode(new HomeRequest.Cancelled(queue.vhost().name(), queue.name(), subscription.consumerId()));
    }
}
