package dev.warren.amqp;

import dev.warren.amqp.UnackedDeliveries.Unacked;
import dev.warren.amqp.protocol.Method;
import dev.warren.amqp.protocol.Methods;
import dev.warren.core.AmqpException;
import dev.warren.core.Firehose;
import dev.warren.core.MessageQueue;
import dev.warren.core.Names;
import dev.warren.core.NodeName;
import dev.warren.core.QueueEntry;
import dev.warren.core.ReplicatedQueue;
import dev.warren.core.ReplyCode;
import dev.warren.core.cluster.HomeConsumers;
import dev.warren.core.cluster.HomeQueues;
import dev.warren.core.cluster.HomeReply;
import dev.warren.core.cluster.HomeRequest;
import dev.warren.core.message.Message;
import dev.warren.core.quorum.ConsumerKey;
import dev.warren.core.quorum.QuorumEffect;
import dev.warren.core.quorum.QuorumMessages;
import dev.warren.core.stats.Counter;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consuming side of a channel: basic.qos, consume, cancel and get, and writing deliveries to the
 * client. Channel thread only; queues reach it through {@link ChannelConsumer}.
 */
final class ConsumerMethods {
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerMethods.class);
    private final ChannelContext channel;
    private final DefinitionMethods definitions;
    private long nextDeliveryTag = 1;

    ConsumerMethods(ChannelContext channel, DefinitionMethods definitions) {
        this.channel = channel;
        this.definitions = definitions;
    }

    void basicQos(Command c) {
        Method m = c.method();
        if (m.longValue("prefetch-size") != 0) {
            throw AmqpException.of(ReplyCode.NOT_IMPLEMENTED, "prefetch_size!=0 (%d)", m.longValue("prefetch-size"));
        }
        boolean global = m.flag("global");
        channel.prefetch().qos(m.intValue("prefetch-count"), global);
        if (global) {
            channel.wakeAllConsumers();
        }
        channel.send(Methods.BASIC_QOS_OK.with());
    }

    void basicConsume(Command c) {
        Method m = c.method();
        String tag = m.string("consumer-tag");
        if (tag.isEmpty()) {
            tag = Names.consumerTag();
        } else if (channel.consumers().containsKey(tag)) {
            throw AmqpException.of(ReplyCode.NOT_ALLOWED, "attempt to reuse consumer tag '%s'", tag);
        }
        if (m.string("queue").equals(DirectReplyTo.PSEUDO_QUEUE)) {
            consumeReplies(tag, m);
            return;
        }
        MessageQueue queue = definitions.queueToReadAnywhere(m);
        ChannelConsumer consumer = new ChannelConsumer(this, channel, tag, queue, m.flag("no-ack"), m.flag("exclusive"),
                channel.prefetch().consumerLimit(), consumerPriority(m, queue));
        boolean nowait = m.flag("nowait");
        if (queue.home() != null) {
            consumeAtHome(queue, consumer, nowait, queue.home());
            return;
        }
        if (queue.replicated() != null && !queue.replicated().hasReplicaHere()) {
            consumeAtHome(queue, consumer, nowait, queue.replicated().servingMember()); // its members serve it
            return;
        }
        if (queue.replicated() != null) {
            consumeQuorum(queue.replicated(), consumer, nowait);
            return;
        }
        channel.consumers().put(tag, consumer);
        channel.callQueue(queue, (q, answer) -> {
            q.addConsumer(consumer); // a refusal fails the command, which closes the channel and its consumers
            answer.accept(null);
        }, ignored -> {
            if (!nowait) {
                channel.send(Methods.BASIC_CONSUME_OK.with(consumer.tag()));
            }
            for (QueueEntry early : consumer.announce()) {
                deliver(consumer, early);
            }
        });
    }

    /**
     * basic.consume from a quorum queue: the consumer goes into the queue's log with its prefetch as credit (a
     * no-ack consumer with {@link #NO_ACK_CREDIT}, settled as each delivery is written); consume-ok once committed.
     */
    private void consumeQuorum(ReplicatedQueue queue, ChannelConsumer consumer, boolean nowait) {
        ConsumerKey key = channel.quorumKey(queue, consumer.tag());
        int credit = consumer.noAck() ? ReplicatedQueue.NO_ACK_CREDIT : consumer.prefetch() == 0 ? Integer.MAX_VALUE : consumer.prefetch();
        CompletableFuture<Void> subscribed = queue.consume(key, consumer, credit, consumer.exclusive(), consumer.priority());
        channel.consumers().put(consumer.tag(), consumer);
        channel.suspendUntil(subscribed, () -> {
            if (!nowait) {
                channel.send(Methods.BASIC_CONSUME_OK.with(consumer.tag()));
            }
            for (QueueEntry early : consumer.announce()) {
                deliver(consumer, early);
            }
        });
    }

    /**
     * basic.consume served by another node (the home node of a classic queue, a member of a quorum queue this node
     * has no replica of): that node's queue gets a consumer with this one's prefetch, exclusive flag and priority,
     * and sends its deliveries here, where they are written as the queue's own would be; consume-ok once that node
     * took it (its refusals, e.g. exclusive use, close the channel as here).
     */
    private void consumeAtHome(MessageQueue queue, ChannelConsumer consumer, boolean nowait, String node) {
        long id = queue.vhost().homeConsumers().register(new HomeReceiver(consumer));
        consumer.servedBy(node, id);
        channel.holdsAtHome(id, queue, node);
        channel.consumers().put(consumer.tag(), consumer);
        CompletableFuture<HomeReply> subscribed = HomeQueues.ask(queue, node, new HomeRequest.Consume(queue.vhost().name(),
                queue.name(), NodeName.get(), id, consumer.tag(), consumer.prefetch(), consumer.noAck(), consumer.exclusive(),
                consumer.priority()));
        channel.suspendUntil(subscribed, () -> {
            if (!nowait) {
                channel.send(Methods.BASIC_CONSUME_OK.with(consumer.tag()));
            }
            for (QueueEntry early : consumer.announce()) {
                deliver(consumer, early);
            }
        });
    }

    /** Where a home node's deliveries to one consumer arrive (a transport thread): onto the channel's thread. */
    private record HomeReceiver(ChannelConsumer consumer) implements HomeConsumers.Receiver {
        @Override
        public String home() {
            return consumer.homeNode();
        }

        @Override
        public CompletableFuture<Void> receive(long[] ids, boolean[] redelivered, byte[][] messages) {
            for (int i = 0; i < ids.length; i++) {
                consumer.deliver(consumer.queue(), new QueueEntry(QuorumMessages.decode(messages[i]), ids[i], redelivered[i],
                        QueueEntry.NEVER, 0));
            }
            return consumer.afterDelivered();
        }

        @Override
        public void cancelled() {
            consumer.cancelledByQueue(consumer.queue());
        }
    }

    /**
     * Tells a queue's home node what became of deliveries it holds under {@code holder} (a consumer's id, or a
     * channel's holder of gets); outcome: HomeRequest.ACK, REQUEUE, DISCARD.
     */
    static void settleAtHome(MessageQueue queue, String node, long holder, long[] ids, byte outcome) {
        HomeQueues.ask(queue, node, new HomeRequest.Settle(queue.vhost().name(), queue.name(), NodeName.get(), holder,
                ids, outcome)).whenComplete((reply, failure) -> {
                    if (failure != null) {
                        LOG.debug("Settling deliveries of {} at its home node failed: {}", queue.describe(), failure.toString());
                    }
                });
    }

    /**
     * Stops what {@code node} holds under {@code holder} for this channel: no more deliveries; with {@code requeue}
     * (the channel closes) what it holds goes back too, else its unacked deliveries stay out, to be acked
     * (basic.cancel).
     */
    private static CompletableFuture<HomeReply> cancelAtHome(MessageQueue queue, String node, long holder, boolean requeue) {
        return HomeQueues.ask(queue, node, new HomeRequest.Cancel(queue.vhost().name(), queue.name(), NodeName.get(),
                holder, requeue));
    }

    /** The consume argument x-priority (RabbitMQ's consumer priorities), 0 when absent. */
    private static int consumerPriority(Method m, MessageQueue queue) {
        Object priority = m.table("arguments").get("x-priority");
        if (priority == null) {
            return 0;
        }
        if (!(priority instanceof Byte || priority instanceof Short || priority instanceof Integer || priority instanceof Long)) {
            throw AmqpException.of(ReplyCode.PRECONDITION_FAILED, "invalid arg 'x-priority' for %s: \"expected integer, got %s\"",
                    queue.describe(), dev.warren.core.message.FieldValues.typeName(priority));
        }
        long value = ((Number) priority).longValue();
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, value));
    }

    /** basic.consume from the direct reply-to pseudo-queue: no queue, just this channel's token. */
    private void consumeReplies(String tag, Method m) {
        if (!m.flag("no-ack")) {
            throw new AmqpException(ReplyCode.PRECONDITION_FAILED, "reply consumer cannot acknowledge");
        }
        if (channel.replyConsumer() != null) {
            throw new AmqpException(ReplyCode.PRECONDITION_FAILED, "reply consumer already set");
        }
        channel.replyConsumer(channel.connection().replies().register(tag, channel, this));
        if (!m.flag("nowait")) {
            channel.send(Methods.BASIC_CONSUME_OK.with(tag));
        }
    }

    /** A reply for this channel's reply consumer (channel thread): delivered no-ack, as RabbitMQ does. */
    void deliverReply(DirectReplyTo.ReplyConsumer consumer, Message message) {
        try {
            if (!channel.isOpen() || channel.replyConsumer() != consumer) {
                return; // the requester went away: the reply is dropped
            }
            channel.writeDeliver(consumer.tag(), nextDeliveryTag++, false, message);
            channel.count(Counter.DELIVER_NO_ACK);
        } finally {
            message.release();
        }
    }

    private void stopReplies() {
        DirectReplyTo.ReplyConsumer consumer = channel.replyConsumer();
        if (consumer != null) {
            channel.connection().replies().unregister(consumer);
            channel.replyConsumer(null);
        }
    }

    void basicCancel(Command c) {
        Method m = c.method();
        String tag = m.string("consumer-tag");
        boolean nowait = m.flag("nowait");
        if (channel.replyConsumer() != null && channel.replyConsumer().tag().equals(tag)) {
            stopReplies();
            if (!nowait) {
                channel.send(Methods.BASIC_CANCEL_OK.with(tag));
            }
            return;
        }
        ChannelConsumer consumer = channel.consumers().remove(tag);
        if (consumer == null) {
            if (!nowait) {
                channel.send(Methods.BASIC_CANCEL_OK.with(tag));
            }
            return;
        }
        consumer.deactivate();
        if (consumer.homeNode() != null) {
            // its unacked deliveries stay out, to be acked; what arrives meanwhile goes back (deliver, giveBack)
            channel.suspendUntil(cancelAtHome(consumer.queue(), consumer.homeNode(), consumer.homeId(), false)
                    .exceptionally(unreachable -> null), () -> {
                if (!nowait) {
                    channel.send(Methods.BASIC_CANCEL_OK.with(tag));
                }
            });
            return;
        }
        ReplicatedQueue quorum = consumer.queue().replicated();
        if (quorum != null) {
            channel.suspendUntil(quorum.cancel(channel.quorumKey(quorum, tag)), () -> {
                if (!nowait) {
                    channel.send(Methods.BASIC_CANCEL_OK.with(tag));
                }
            });
            return;
        }
        channel.callQueueNow(consumer.queue(), q -> {
            q.removeConsumer(consumer);
            return null;
        }, ignored -> {
            if (!nowait) {
                channel.send(Methods.BASIC_CANCEL_OK.with(tag));
            }
        });
    }

    /** The queue of this consumer was deleted: tell the client, if it understands server-sent cancels. */
    void cancelledByQueue(ChannelConsumer consumer) {
        if (consumer.homeNode() != null) {
            consumer.queue().vhost().homeConsumers().unregister(consumer.homeId());
        }
        giveBackHeld(consumer); // the queue is gone: it drops them
        channel.connection().batcher().flush();
        if (channel.consumers().remove(consumer.tag(), consumer) && channel.isOpen()
                && channel.connection().terms().consumerCancelNotify()) {
            channel.send(Methods.BASIC_CANCEL.with(consumer.tag(), true));
        }
    }

    /** Writes one delivery to the client (channel thread). */
    private void traceDelivery(MessageQueue queue, Message message, boolean redelivered) {
        ConnectionContext connection = channel.connection();
        if (connection.vhost().tracing()) {
            Firehose.delivered(connection.vhost(), queue.name(), message, redelivered, connection.traceOrigin(channel.id()));
        }
    }

    void deliver(ChannelConsumer consumer, QueueEntry entry) {
        if (!channel.isOpen() || !consumer.isActive()) {
            giveBack(consumer, entry);
            return;
        }
        if (!consumer.announced()) {
            consumer.holdUntilAnnounced(entry);
            return;
        }
        long tag = nextDeliveryTag++;
        Message message = entry.message();
        channel.writeDeliver(consumer.tag(), tag, entry.redelivered(), message);
        traceDelivery(consumer.queue(), message, entry.redelivered());
        if (entry.redelivered()) {
            channel.count(Counter.REDELIVER);
        }
        if (consumer.noAck()) {
            channel.count(Counter.DELIVER_NO_ACK);
            ReplicatedQueue quorum = consumer.queue().replicated();
            if (consumer.homeNode() != null) {
                message.release(); // settled on its home node as it left
            } else if (quorum != null) {
                quorum.settle(channel.quorumKey(quorum, consumer.tag()), new long[] {entry.sequence()});
            } else {
                settleNow(consumer.queue(), entry);
            }
        } else {
            channel.count(Counter.DELIVER);
            channel.awaitAck(new Unacked(tag, consumer.queue(), entry, consumer, System.nanoTime()));
        }
    }

    /**
     * A delivery that can no longer go out goes back to its queue, through the same batch as the channel's
     * other requeues so that it cannot overtake one still waiting there.
     */
    private void giveBack(ChannelConsumer consumer, QueueEntry entry) {
        if (!consumer.noAck()) {
            QuorumSettlements.releaseCredit(channel, consumer);
        }
        if (consumer.homeNode() != null) {
            entry.message().release();
            if (channel.isOpen() && !consumer.noAck()) { // else the channel's close takes back everything it held
                settleAtHome(consumer.queue(), consumer.homeNode(), consumer.homeId(), new long[] {entry.sequence()},
                        HomeRequest.REQUEUE);
            }
            return;
        }
        ReplicatedQueue quorum = consumer.queue().replicated();
        if (quorum != null) {
            entry.message().release();
            if (channel.isOpen()) { // else the channel's close takes back everything it held
                quorum.requeue(channel.quorumKey(quorum, consumer.tag()), new long[] {entry.sequence()});
            }
            return;
        }
        requeueNow(consumer.queue(), entry);
    }

    private void requeueNow(MessageQueue queue, QueueEntry entry) {
        channel.connection().batcher().submit(queue, q -> q.requeue(List.of(entry)));
        channel.connection().batcher().flush();
    }

    private void settleNow(MessageQueue queue, QueueEntry entry) {
        if (queue.executor().inEventLoop()) {
            queue.process().deliveredNoAck(entry); // the common case on the message path: no task, no allocation
        } else {
            channel.connection().batcher().submit(queue, q -> q.deliveredNoAck(entry));
        }
    }

    void basicGet(Command c) {
        Method m = c.method();
        boolean noAck = m.flag("no-ack");
        MessageQueue queue = definitions.queueToReadAnywhere(m);
        if (queue.home() != null) {
            getAtHome(queue, noAck);
            return;
        }
        if (queue.replicated() != null) {
            getQuorum(queue, noAck);
            return;
        }
        channel.<Polled>callQueue(queue, (q, answer) -> q.get(!noAck, (entry, remaining) ->
                answer.accept(entry == null ? null : new Polled(entry, remaining))), polled -> {
            if (polled == null) {
                channel.count(Counter.GET_EMPTY);
                channel.send(Methods.BASIC_GET_EMPTY.with(""));
                return;
            }
            sendGetOk(queue, polled.entry(), polled.remaining(), noAck);
            if (noAck) {
                settleNow(queue, polled.entry());
            }
        }, polled -> {
            if (polled != null) {
                requeueNow(queue, polled.entry()); // the channel closed before get-ok: the message was never sent
            }
        });
    }

    private record Polled(QueueEntry entry, int remaining) {
    }

    /**
     * basic.get from another node's classic queue: its home node takes the next message and settles it there (no-ack)
     * or holds it for this channel until its ack, and the answer is sent from here. A message got for a channel that
     * closed meanwhile goes back with the channel's other holdings (release).
     */
    private void getAtHome(MessageQueue queue, boolean noAck) {
        CompletableFuture<HomeReply> answer = HomeQueues.ask(queue, noAck
                ? new HomeRequest.GetNoAck(queue.vhost().name(), queue.name())
                : new HomeRequest.Get(queue.vhost().name(), queue.name(), NodeName.get(), channel.homeGetter(queue)));
        channel.suspendUntil(answer, () -> {
            HomeReply got = answer.join();
            if (got.message() == null) {
                channel.count(Counter.GET_EMPTY);
                channel.send(Methods.BASIC_GET_EMPTY.with(""));
                return;
            }
            QueueEntry entry = new QueueEntry(QuorumMessages.decode(got.message()), got.secondCount(), got.redelivered(),
                    QueueEntry.NEVER, 0);
            sendGetOk(queue, entry, got.count(), noAck);
        });
    }

    /** Writes basic.get-ok with the entry and counts it; unless no-ack, the channel then holds it for the ack. */
    private void sendGetOk(MessageQueue queue, QueueEntry entry, long remaining, boolean noAck) {
        long tag = nextDeliveryTag++;
        Message message = entry.message();
        channel.writeContent(Methods.BASIC_GET_OK.with(tag, entry.redelivered(), message.exchange(), message.routingKey(),
                remaining), message);
        traceDelivery(queue, message, entry.redelivered());
        if (entry.redelivered()) {
            channel.count(Counter.REDELIVER);
        }
        if (noAck) {
            channel.count(Counter.GET_NO_ACK);
        } else {
            channel.count(Counter.GET);
            channel.awaitAck(new Unacked(tag, queue, entry, null, System.nanoTime()));
        }
    }

    /**
     * basic.get from a quorum queue: the log decides which message (held for an ack under the channel's key for
     * gets, unless no-ack) and the answer comes back in the leader's reply. A message that comes after the channel
     * closed goes back.
     */
    private void getQuorum(MessageQueue queue, boolean noAck) {
        ReplicatedQueue quorum = queue.replicated();
        ConsumerKey holder = channel.quorumKey(quorum, "");
        CompletableFuture<QuorumEffect.GetResult> answer = quorum.get(holder, noAck);
        answer.thenAccept(result -> {
            if (result.message() != null && !noAck && !channel.isOpen()) {
                quorum.requeue(holder, new long[] {result.id()}); // its channel's ChannelDown may have gone first
            }
        });
        channel.suspendUntil(answer, () -> {
            QuorumEffect.GetResult result = answer.join();
            if (result.message() == null) {
                channel.count(Counter.GET_EMPTY);
                channel.send(Methods.BASIC_GET_EMPTY.with(""));
                return;
            }
            sendGetOk(queue, ReplicatedQueue.entryOf(result), result.remaining(), noAck);
        });
    }

    /**
     * The channel closes: its consumers leave their queues, in the same batch as its requeues. A consumer
     * whose consume-ok never went out (the channel closed while basic.consume waited for its queue) gives
     * back the deliveries it was holding until then; the answer that would have sent them is dropped.
     */
    void release() {
        stopReplies();
        // what the channel's consumers (cancelled ones too) and gets hold on other nodes goes back there
        channel.heldAtHome().forEach((holder, held) -> {
            held.queue().vhost().homeConsumers().unregister(holder);
            cancelAtHome(held.queue(), held.node(), holder, true);
        });
        for (ChannelConsumer consumer : channel.consumers().values()) {
            consumer.deactivate();
            if (consumer.queue().replicated() != null || consumer.homeNode() != null) {
                // a quorum queue takes back what the channel's consumers held when it closes, a home node what its
                // consumer holds (above), early deliveries too: only their share of the delivery window is left
                consumer.announce();
                continue;
            }
            channel.connection().batcher().submit(consumer.queue(), q -> q.removeConsumer(consumer));
            giveBackHeld(consumer);
        }
        channel.consumers().clear();
    }

    /**
     * Requeues the deliveries a consumer holds because its consume-ok has not gone out (see {@link #deliver}),
     * when it never will: the channel closed, or the queue went away, before basic.consume was answered.
     * Submitted, not flushed: the caller flushes.
     */
    private void giveBackHeld(ChannelConsumer consumer) {
        if (consumer.announced() || consumer.queue().replicated() != null || consumer.homeNode() != null) {
            return; // a quorum queue that went away holds nothing; one that stays takes it back with the channel
        }
        List<QueueEntry> held = consumer.announce();
        if (held.isEmpty()) {
            return;
        }
        if (!consumer.noAck()) {
            held.forEach(entry -> channel.prefetch().released(consumer));
        }
        channel.connection().batcher().submit(consumer.queue(), q -> q.requeue(held));
    }
}
