package dev.warren.core.cluster;

import dev.warren.core.AmqpException;
import dev.warren.core.Broker;
import dev.warren.core.MessageQueue;
import dev.warren.core.NodeName;
import dev.warren.core.ReplyCode;
import dev.warren.core.VirtualHost;
import dev.warren.core.message.Message;
import dev.warren.core.quorum.QuorumMessages;
import dev.warren.core.store.StoreFailedException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's answers to other nodes' {@link HomeRequest}s: about the classic queues that live here (each done on the
 * queue's own thread as a client's would be), about quorum queues this node has a replica of (consumers of nodes
 * without one), and deliveries and cancels for this node's own consumers served elsewhere. Requests from one node
 * start in the order they were sent, so a node's forwarded publishes reach a queue in order. A published persistent
 * message is on disk before the reply (the asking node confirms it then); a delete is answered once the definition
 * change is durable.
 */
public final class HomeQueueService implements Function<byte[], CompletableFuture<byte[]>> {
    private static final Logger LOG = LoggerFactory.getLogger(HomeQueueService.class);
    private final Broker broker;
    private final NodeLink link;
    /** Consumers on other nodes of this node's queues, by their node and id there. */
    private final Map<String, ServedConsumer> consumers = new ConcurrentHashMap<>();

    public HomeQueueService(Broker broker, NodeLink link) {
        this.broker = broker;
        this.link = link;
    }

    /**
     * A node died: its consumers of this node's queues give back what they held, and this node's consumers of its
     * queues are cancelled.
     */
    public void nodeDown(String node) {
        consumers.forEach((key, consumer) -> {
            if (consumer.node().equals(node) && consumers.remove(key, consumer)) {
                consumer.stop(true);
            }
        });
        broker.vhosts().forEach(vhost -> vhost.homeConsumers().homeDown(node));
    }

    @Override
    public CompletableFuture<byte[]> apply(byte[] bytes) {
        CompletableFuture<HomeReply> reply;
        try {
            reply = handle(HomeRequest.decode(bytes));
        } catch (IOException | RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        return reply.handle((done, failure) -> (failure == null ? done : HomeReply.failed(asAmqp(failure))).encode());
    }

    private CompletableFuture<HomeReply> handle(HomeRequest request) {
        VirtualHost vhost = broker.vhost(request.vhost());
        if (request instanceof HomeRequest.Deliveries d) { // to a consumer here, of another node's queue
            CompletableFuture<Void> written = vhost == null ? null : vhost.homeConsumers().deliver(d);
            if (written == null) {
                throw AmqpException.of(ReplyCode.NOT_FOUND, "no consumer %d on node '%s'", d.consumerId(), NodeName.get());
            }
            return written.thenApply(done -> HomeReply.done(0, 0));
        }
        if (request instanceof HomeRequest.Cancelled c) {
            if (vhost != null) {
                vhost.homeConsumers().cancelled(c.consumerId());
            }
            return CompletableFuture.completedFuture(HomeReply.done(0, 0));
        }
        if (request instanceof HomeRequest.Settle st) {
            ServedConsumer consumer = consumers.get(st.node() + "/" + st.consumerId());
            if (consumer != null) {
                consumer.settle(st.ids(), st.outcome());
            }
            return CompletableFuture.completedFuture(HomeReply.done(0, 0));
        }
        if (request instanceof HomeRequest.Cancel c) {
            ServedConsumer consumer = c.requeue() ? consumers.remove(c.node() + "/" + c.consumerId())
                    : consumers.get(c.node() + "/" + c.consumerId());
            return consumer == null ? CompletableFuture.completedFuture(HomeReply.done(0, 0))
                    : consumer.stop(c.requeue()).thenApply(stopped -> HomeReply.done(0, 0));
        }
        MessageQueue queue = vhost == null ? null : vhost.queue(request.queue());
        if (queue != null && queue.replicated() != null && request instanceof HomeRequest.Consume c) {
            return consumeQuorum(queue, c); // for a node without a replica of it
        }
        if (queue == null || queue.isDeleted() || queue.replicated() != null) {
            throw AmqpException.of(ReplyCode.NOT_FOUND, "no queue '%s' in vhost '%s'", request.queue(), request.vhost());
        }
        if (request instanceof HomeRequest.Publish p) {
            return publish(queue, QuorumMessages.decode(p.message()));
        }
        if (request instanceof HomeRequest.Stats) {
            return queue.call(q -> HomeReply.stats(queue.messageCount(), queue.unacknowledgedCount(), queue.consumerCount()));
        }
        if (request instanceof HomeRequest.Counts) {
            queue.redeclared();
            return queue.call(q -> HomeReply.done(queue.messageCount(), queue.consumerCount()));
        }
        if (request instanceof HomeRequest.Consume c) {
            return consume(queue, c);
        }
        if (request instanceof HomeRequest.Get g) {
            return getForAck(queue, g);
        }
        if (request instanceof HomeRequest.Purge) {
            return queue.call(q -> HomeReply.done(q.purge(), 0));
        }
        if (request instanceof HomeRequest.Delete d) {
            return queue.call(q -> HomeReply.done(q.delete(d.ifUnused(), d.ifEmpty()), 0))
                    .thenCompose(done -> vhost.definitionsDurable().thenApply(durable -> done));
        }
        return get(queue, null); // GetNoAck
    }

    /** Stores a persistent message for a durable queue first (as a publisher's channel does), then enqueues it. */
    private static CompletableFuture<HomeReply> publish(MessageQueue queue, Message message) {
        CompletableFuture<Void> stored = new CompletableFuture<>();
        if (message.persistent() && queue.storeId() >= 0) {
            try {
                queue.vhost().storage().messages().append(message, new int[] {queue.storeId()}, 1, failure -> {
                    if (failure == null) {
                        stored.complete(null);
                    } else {
                        stored.completeExceptionally(failure);
                    }
                });
            } catch (StoreFailedException e) {
                message.release();
                throw AmqpException.of(ReplyCode.RESOURCE_ERROR, "the message store of node '%s' failed (%s); persistent "
                        + "messages are refused", NodeName.get(), e.getMessage());
            }
        } else {
            stored.complete(null);
        }
        CompletableFuture<Boolean> taken = queue.call(q -> q.enqueue(message));
        return taken.thenCombine(stored, (enqueued, durable) -> enqueued ? HomeReply.done(0, 0) : HomeReply.refused());
    }

    /** A consumer on a node without a replica of this quorum queue checks out of its log through this replica. */
    private CompletableFuture<HomeReply> consumeQuorum(MessageQueue queue, HomeRequest.Consume subscription) {
        String key = subscription.node() + "/" + subscription.consumerId();
        ForwardedQuorumConsumer consumer = new ForwardedQuorumConsumer(queue, subscription, link);
        consumers.put(key, consumer);
        return consumer.subscribe().handle((subscribed, failure) -> {
            if (failure != null) {
                consumers.remove(key, consumer);
                throw failure instanceof RuntimeException e ? e : new java.util.concurrent.CompletionException(failure);
            }
            return HomeReply.done(0, 0);
        });
    }

    /** A consumer on another node joins the queue (refused as a local one would be: exclusive use). */
    private CompletableFuture<HomeReply> consume(MessageQueue queue, HomeRequest.Consume subscription) {
        String key = subscription.node() + "/" + subscription.consumerId();
        ForwardedConsumer consumer = new ForwardedConsumer(queue, subscription, link);
        consumers.put(key, consumer);
        return queue.call(q -> {
            try {
                q.addConsumer(consumer);
            } catch (RuntimeException e) {
                consumers.remove(key, consumer);
                throw e;
            }
            return HomeReply.done(0, 0);
        });
    }

    /** The next message, held for an ack by the asking channel's holder here; get-empty is a reply without one. */
    private CompletableFuture<HomeReply> getForAck(MessageQueue queue, HomeRequest.Get get) {
        ForwardedConsumer holder = (ForwardedConsumer) consumers.computeIfAbsent(get.node() + "/" + get.holderId(), key ->
                new ForwardedConsumer(queue, new HomeRequest.Consume(get.vhost(), get.queue(), get.node(), get.holderId(),
                        "", 0, false, false, 0), link));
        return get(queue, holder);
    }

    /**
     * The next message, held for an ack by {@code holder} (null: no-ack, settled here at once); get-empty is a reply
     * without one.
     */
    private static CompletableFuture<HomeReply> get(MessageQueue queue, ForwardedConsumer holder) {
        CompletableFuture<HomeReply> answer = new CompletableFuture<>();
        queue.executor().execute(() -> queue.process().get(holder != null, (entry, remaining) -> {
            if (entry == null) {
                answer.complete(HomeReply.done(remaining, 0));
                return;
            }
            byte[] message = QuorumMessages.encode(entry.message());
            long id = 0;
            if (holder != null) {
                id = holder.hold(entry);
            } else {
                queue.process().deliveredNoAck(entry);
            }
            answer.complete(HomeReply.got(message, entry.redelivered(), remaining, id));
        }));
        return answer;
    }

    private static AmqpException asAmqp(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof AmqpException amqp) {
            return amqp;
        }
        LOG.warn("A request from another node failed here: {}", cause.toString());
        return new AmqpException(ReplyCode.INTERNAL_ERROR, "internal error on the queue's home node");
    }
}
