package dev.warren.amqp;

import dev.warren.amqp.protocol.Method;
import dev.warren.amqp.protocol.Methods;
import dev.warren.core.AmqpException;
import dev.warren.core.DelayedMessages;
import dev.warren.core.Destinations;
import dev.warren.core.Exchange;
import dev.warren.core.ExchangeType;
import dev.warren.core.Firehose;
import dev.warren.core.MessageQueue;
import dev.warren.core.QueueProcess;
import dev.warren.core.ReplyCode;
import dev.warren.core.auth.User;
import dev.warren.core.cluster.HomeQueues;
import dev.warren.core.message.Delay;
import dev.warren.core.message.Message;
import dev.warren.core.message.SenderSelected;
import dev.warren.core.stats.Counter;
import dev.warren.core.store.MessageStore;
import dev.warren.core.store.StoreFailedException;
import dev.warren.core.store.WriteCallback;
import io.netty.util.concurrent.EventExecutor;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publishing side of a channel: basic.publish (routing, mandatory returns, the user-id check) and
 * publisher confirms; {@link TransactionMethods} routes a transaction's publishes through it at commit.
 * Channel thread only.
 *
 * <p>A publish is confirmed once every queue it was routed to has taken it and, when it is persistent and
 * reached a durable queue, once the store has it on disk; it is nacked when one of them failed. Whether
 * the queue lives on this event loop or another, a failure reaches the publisher the same way: a nack when
 * confirming, else the connection is closed (a failing enqueue is a broker bug, 541; a failed store is 506).
 */
final class PublishMethods {
    private static final Logger LOG = LoggerFactory.getLogger(PublishMethods.class);
    private final ChannelContext channel;
    /** Where the message being published goes; reused, so routing a publish allocates nothing. */
    private final Destinations routed = new Destinations();
    /** Scratch array of the durable queues' store ids for one persistent publish. */
    private int[] durableIds = new int[4];
    private ConfirmTracker confirms;
    /** While a tx.commit routes its publishes: their hand-overs to quorum queues and other nodes, for commit-ok. */
    private java.util.List<CompletableFuture<Boolean>> committing;

    PublishMethods(ChannelContext channel) {
        this.channel = channel;
    }

    boolean confirming() {
        return confirms != null;
    }

    private ConnectionContext connection() {
        return channel.connection();
    }

    void basicPublish(Command c) {
        ConnectionContext connection = connection();
        connection.publisherGate().publishing();
        channel.count(Counter.PUBLISH);
        Method m = c.method();
        Message message = new Message(m.string("exchange"), m.string("routing-key"), c.properties(), c.body());
        try {
            connection.access().writeExchange(message.exchange());
            if (m.flag("immediate")) {
                throw new AmqpException(ReplyCode.NOT_IMPLEMENTED, "immediate=true");
            }
            Exchange exchange = connection.vhost().requireExchange(message.exchange());
            if (exchange.internal()) {
                throw AmqpException.of(ReplyCode.ACCESS_REFUSED, "cannot publish to internal exchange '%s' in vhost '%s'",
                        exchange.name(), connection.vhost().name());
            }
            if (exchange.type() == ExchangeType.TOPIC) {
                connection.access().writeTopic(exchange.name(), message.routingKey());
            }
            checkUserId(message);
            if (connection.vhost().tracing()) {
                Firehose.published(connection.vhost(), message, connection.traceOrigin(channel.id()));
            }
            message.expiration(); // a malformed expiration is refused here, as RabbitMQ does, not at a queue
            if (DirectReplyTo.PSEUDO_QUEUE.equals(message.replyTo())) {
                Message request = withReplyToken(message);
                message.release();
                message = request;
            }
            Transaction tx = channel.transaction();
            if (tx != null) {
                tx.publish(message.retain(), m.flag("mandatory"));
            } else {
                route(exchange, message, m.flag("mandatory"), null);
            }
        } finally {
            message.release();
        }
    }

    /** A request whose replies go to this channel's direct reply-to consumer: reply_to becomes its name. */
    private Message withReplyToken(Message request) {
        DirectReplyTo.ReplyConsumer consumer = channel.replyConsumer();
        if (consumer == null) {
            throw new AmqpException(ReplyCode.PRECONDITION_FAILED, "fast reply consumer does not exist");
        }
        return request.withReplyTo(consumer.replyTo());
    }

    /**
     * As RabbitMQ: a user-id property, when set, must name the user who is publishing, unless that user has
     * the {@code impersonator} tag.
     */
    private void checkUserId(Message message) {
        String userId = message.userId();
        String user = connection().user().name();
        if (userId != null && !userId.equals(user) && !connection().user().hasTag(User.IMPERSONATOR)) {
            throw AmqpException.of(ReplyCode.PRECONDITION_FAILED, "user_id property set to '%s' but authenticated user was '%s'",
                    userId, user);
        }
    }

    /**
     * Routes a message and hands it to its queues; an unroutable mandatory message is returned. In
     * confirm mode the publish is confirmed once every queue has taken it (at once when unroutable).
     * Returns whether the store took it.
     */
    boolean route(Exchange exchange, Message published, boolean mandatory, Set<EventExecutor> touched) {
        ConnectionContext connection = connection();
        if (exchange.isDefault() && DirectReplyTo.isReplyName(published.routingKey())) {
            exchange.counters().published(0);
            reply(published, mandatory);
            return false;
        }
        DelayedMessages delayed = exchange.delayed();
        if (delayed != null && published.hasHeaders()) {
            long delay = Delay.of(published.headers());
            if (delay > 0) {
                exchange.counters().published(0); // routed to queues later, when due
                return holdDelayed(delayed, published, delay);
            }
        }
        Destinations queues = routed;
        connection.vhost().route(exchange, published, queues);
        exchange.counters().published(queues.size());
        if (!SenderSelected.hasBcc(published)) {
            return deliverRouted(published, mandatory, touched);
        }
        Message message = SenderSelected.withoutBcc(published); // routed with its BCC keys; no queue sees them
        try {
            return deliverRouted(message, mandatory, touched);
        } finally {
            message.release();
        }
    }

    /**
     * A reply to a direct reply-to name goes straight to the requesting channel's consumer, on its
     * connection's thread; a reply nobody waits for any more is dropped (returned when mandatory).
     * Confirmed at once, as it needs no queue and no store.
     */
    private void reply(Message message, boolean mandatory) {
        ConnectionContext connection = connection();
        DirectReplyTo.ReplyConsumer consumer = connection.replies().find(message.routingKey());
        if (consumer != null) {
            Message copy = message.retain();
            consumer.channel().connection().outbox().post(() -> consumer.methods().deliverReply(consumer, copy));
        } else if (mandatory) {
            channel.count(Counter.RETURN_UNROUTABLE);
            channel.writeContent(Methods.BASIC_RETURN.with(ReplyCode.NO_ROUTE.code(), "NO_ROUTE", message.exchange(),
                    message.routingKey()), message);
        } else {
            channel.count(Counter.DROP_UNROUTABLE);
        }
        ackAlone();
    }

    /**
     * Confirms a publish that is complete as it is handled (unroutable, or a direct reply) with its own
     * basic.ack, after its basic.return, as RabbitMQ does: clients that count ack callbacks rely on it.
     * Confirms already due go first, so acks leave in order.
     */
    private void ackAlone() {
        if (confirms != null) {
            sendDueConfirms();
            long tag = confirms.registerAckedAlone(connection().stats().confirmLatency());
            channel.count(Counter.CONFIRM);
            channel.send(Methods.BASIC_ACK.with(tag, false));
        }
    }

    /**
     * Hands a message with an {@code x-delay} to its x-delayed-message exchange, which routes it when the
     * delay is over. Confirmed once the exchange holds it safely (on disk for a durable exchange); never
     * returned as unroutable — RabbitMQ's plugin returns every delayed mandatory message, which clients have
     * to ignore. Returns whether the store took it.
     */
    private boolean holdDelayed(DelayedMessages delayed, Message message, long delay) {
        if (!delayed.storesDurably()) {
            delayed.hold(message, delay, failure -> { });
            ackAlone();
            return false;
        }
        long sequence = confirms == null ? 0 : confirms.register(1);
        return journaled(message, sequence, onDurable -> delayed.hold(message, delay, onDurable));
    }

    /** Hands a routed message ({@link #routed}) to its queues, or returns it when unroutable and mandatory. */
    /**
     * From now on (until called with null) the hand-overs of routed publishes to quorum queues and other nodes' queues
     * go to {@code into} too: a tx.commit's commit-ok waits for them.
     */
    void collectHandOvers(java.util.List<CompletableFuture<Boolean>> into) {
        committing = into;
    }

    private boolean deliverRouted(Message message, boolean mandatory, Set<EventExecutor> touched) {
        ConnectionContext connection = connection();
        Destinations queues = routed;
        if (queues.isEmpty()) {
            if (mandatory) {
                channel.count(Counter.RETURN_UNROUTABLE);
                channel.writeContent(Methods.BASIC_RETURN.with(ReplyCode.NO_ROUTE.code(), "NO_ROUTE", message.exchange(),
                        message.routingKey()), message);
            } else {
                channel.count(Counter.DROP_UNROUTABLE);
            }
            ackAlone();
            return false;
        }
        int durable = message.persistent() ? collectDurableIds(queues) : 0;
        // a stored message is confirmed once its queues took it and the store has it on disk
        long sequence = confirms == null ? 0 : confirms.register(queues.size() + (durable > 0 ? 1 : 0));
        if (durable > 0 && !store(message, durable, sequence)) {
            queues.clear();
            return false;
        }
        PublisherFlow flow = connection.publisherGate().toQueues();
        for (int i = 0; i < queues.size(); i++) {
            MessageQueue queue = queues.queue(i);
            if (queue.replicated() != null) {
                appendToLog(queue, message, sequence);
                continue;
            }
            if (queue.home() != null) {
                forwardHome(queue, message, sequence);
                continue;
            }
            if (touched != null) {
                touched.add(queue.executor());
            }
            boolean elsewhere = !queue.executor().inEventLoop();
            if (elsewhere) {
                flow.add(1);
            }
            if (queue.flow().behind()) {
                connection.publisherGate().publishedToBehind(queue.flow());
            }
            connection.batcher().submit(queue, new Enqueue(message.retain(), sequence, elsewhere ? flow : null));
        }
        queues.clear(); // holds no queue past the publish
        return durable > 0;
    }

    /**
     * Hands a message to a quorum queue's replicated log: taken once a majority of its members has it on disk, which
     * is when it counts toward the publish's confirm (refused when full with reject-publish: a nack). Without confirms a failure (no majority) is only logged: there
     * is nobody to nack, and the publisher's other queues are not at fault.
     */
    private void appendToLog(MessageQueue queue, Message message, long sequence) {
        handOver(queue, message, sequence, "was not committed", queue.replicated().publish(message));
    }

    /**
     * Forwards a message to another node's classic queue: taken once its home node has it (on disk there when
     * persistent), which is when it counts toward the publish's confirm; nacked when the node is down or the queue
     * refused it.
     */
    private void forwardHome(MessageQueue queue, Message message, long sequence) {
        handOver(queue, message, sequence, "did not reach its home node", HomeQueues.publish(queue, message.retain()));
    }

    /**
     * Completes publish {@code sequence} (0 without confirms) for a queue that takes messages elsewhere, once
     * {@code taken} says it did (false: refused, a nack). The bytes count against the journal backlog meanwhile, so a
     * publisher faster than the log or the other node is read more slowly.
     */
    private void handOver(MessageQueue queue, Message message, long sequence, String lost, CompletableFuture<Boolean> taken) {
        if (committing != null) {
            committing.add(taken);
        }
        ConnectionContext connection = connection();
        Outbox outbox = connection.outbox();
        long bytes = message.bodySize() + message.properties().readableBytes();
        PublisherFlow journal = connection.publisherGate().toJournal();
        journal.add(bytes);
        taken.whenComplete((took, failure) -> {
            journal.remove(bytes);
            if (sequence != 0) {
                outbox.post(() -> completed(sequence, failure != null ? failure : took ? null : REFUSED));
            } else if (failure != null) {
                LOG.warn("A publish to {} {} and is lost (no publisher confirms to nack it): {}", queue.describe(), lost,
                        failure.toString());
            }
        });
    }

    /** Appends a persistent message for its durable queues (see {@link #journaled}). */
    private boolean store(Message message, int durable, long sequence) {
        MessageStore store = connection().vhost().storage().messages();
        return journaled(message, sequence, onDurable -> store.append(message, durableIds, durable, onDurable));
    }

    /** A write of a publish's message to the store, handing it the callback for when it is on disk. */
    private interface StoreWrite {
        void write(WriteCallback onDurable);
    }

    /**
     * Writes a publish's message to the store; its bytes count against the journal backlog until written,
     * and publish {@code sequence} (0 without confirms) completes when it is on disk. Returns false when the
     * store has failed: the publish is nacked, or without confirms the connection closes.
     */
    private boolean journaled(Message message, long sequence, StoreWrite write) {
        ConnectionContext connection = connection();
        Outbox outbox = connection.outbox();
        long bytes = message.bodySize() + message.properties().readableBytes();
        PublisherFlow journal = connection.publisherGate().toJournal();
        try {
            journal.add(bytes);
            write.write(failure -> {
                journal.remove(bytes);
                if (sequence != 0) {
                    outbox.post(() -> completed(sequence, failure));
                }
            });
            return true;
        } catch (StoreFailedException e) {
            journal.remove(bytes);
            if (sequence != 0) {
                completed(sequence, e);
                return false;
            }
            throw storeFailed(e);
        }
    }

    static AmqpException storeFailed(Throwable cause) {
        return AmqpException.of(ReplyCode.RESOURCE_ERROR, "the message store failed (%s); persistent messages are refused",
                cause.getCause() != null ? cause.getCause().toString() : cause.getMessage());
    }

    /** A queue refused the message (full, reject-publish): not a failure of the broker, only a nack. */
    private static final RuntimeException REFUSED = new RuntimeException("refused by a full queue", null, false, false) {
    };

    /** Hands one message to one queue on the queue's thread and reports back, success or not. */
    private final class Enqueue implements QueueTask {
        private final Message message;
        private final long sequence;
        private final PublisherFlow flow;
        private boolean taken;

        Enqueue(Message message, long sequence, PublisherFlow flow) {
            this.message = message;
            this.sequence = sequence;
            this.flow = flow;
        }

        @Override
        public void run(QueueProcess queue) {
            taken = true; // the queue owns the reference from here, whatever happens next
            if (queue.enqueue(message)) {
                finished(null);
            } else {
                finished(REFUSED); // a full queue with x-overflow reject-publish: nacked when confirming
            }
        }

        @Override
        public void failed(RuntimeException error) {
            if (!taken) {
                message.release();
            }
            finished(error);
        }

        private void finished(RuntimeException error) {
            if (flow != null) {
                flow.remove(1);
            }
            if (error == REFUSED && sequence == 0) {
                return; // refused without confirms: dropped, as RabbitMQ drops it
            }
            if (sequence != 0 || error != null) {
                connection().outbox().post(() -> completed(sequence, error));
            }
        }
    }

    /** A queue or the store is done with a publish (channel thread). */
    private void completed(long sequence, Throwable failure) {
        if (!channel.isOpen()) {
            return;
        }
        if (sequence == 0) { // not confirming: nobody to nack, so the publisher hears of it this way
            LOG.error("A publish on channel {} could not be enqueued; closing the connection", channel.id(), failure);
            connection().connectionError(new AmqpException(ReplyCode.INTERNAL_ERROR, "internal error"));
            return;
        }
        if (failure == null) {
            confirms.accepted(sequence);
        } else {
            confirms.failed(sequence);
        }
        connection().confirmsDue(this);
    }

    /** Puts the store ids of the durable queues among {@code queues} in {@link #durableIds}; returns how many. */
    private int collectDurableIds(Destinations queues) {
        int count = 0;
        for (int i = 0; i < queues.size(); i++) {
            MessageQueue queue = queues.queue(i);
            if (queue.storeId() >= 0) {
                if (count == durableIds.length) {
                    durableIds = Arrays.copyOf(durableIds, count * 2);
                }
                durableIds[count++] = queue.storeId();
            }
        }
        return count;
    }

    // ---- confirms ----

    void confirmSelect(Command c) {
        if (channel.transaction() != null) {
            throw new AmqpException(ReplyCode.PRECONDITION_FAILED, "cannot switch from tx to confirm mode");
        }
        if (confirms == null) {
            confirms = new ConfirmTracker();
        }
        if (!c.method().flag("nowait")) {
            channel.send(Methods.CONFIRM_SELECT_OK.with());
        }
    }

    /** Sends the confirms that are due, if any; called once per batch of work by the connection. */
    void sendDueConfirms() {
        if (confirms == null || !channel.isOpen()) {
            return;
        }
        for (ConfirmTracker.Confirm due; (due = confirms.due(connection().stats().confirmLatency())) != null; ) {
            if (due.ack()) {
                channel.count(Counter.CONFIRM, due.count());
                channel.send(Methods.BASIC_ACK.with(due.tag(), due.multiple()));
            } else {
                channel.send(Methods.BASIC_NACK.with(due.tag(), due.multiple(), false));
            }
        }
    }
}
