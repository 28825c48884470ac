package dev.warren.amqp;

import dev.warren.amqp.protocol.Method;
import dev.warren.amqp.protocol.Methods;
import dev.warren.core.AmqpException;
import dev.warren.core.Exchange;
import dev.warren.core.MessageQueue;
import dev.warren.core.ReplyCode;
import dev.warren.core.message.Message;
import io.netty.util.concurrent.EventExecutor;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The publishing side of a channel: basic.publish (routing, mandatory returns, the user-id check),
 * publisher confirms and transactions. Channel thread only.
 */
final class PublishMethods {
    private final AmqpChannel channel;
    private final AmqpConnection connection;
    /** Scratch set for routing one publish, reused so a publish does not allocate a hash table. */
    private final Set<MessageQueue> routed = new LinkedHashSet<>();
    /** Scratch array of the durable queues' store ids for one persistent publish. */
    private int[] durableIds = new int[4];
    private ConfirmTracker confirms;
    private Transaction tx;

    PublishMethods(AmqpChannel channel, AmqpConnection connection) {
        this.channel = channel;
        this.connection = connection;
    }

    boolean confirming() {
        return confirms != null;
    }

    /** The open transaction in tx mode, else null. */
    Transaction transaction() {
        return tx;
    }

    /** The channel is going away: drop what a transaction held and put its taken acks back. */
    void abandonTransaction(UnackedDeliveries unacked) {
        if (tx != null) {
            tx.publishes().forEach(p -> p.message().release());
            tx.settlements().forEach(settlement -> unacked.restore(settlement.deliveries()));
            tx = null;
        }
    }

    void basicPublish(Command c) {
        connection.publishing();
        connection.stats().publish.increment();
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
            checkUserId(message);
            if (tx != null) {
                tx.publish(message.retain(), m.flag("mandatory"));
            } else {
                route(exchange, message, m.flag("mandatory"), null);
            }
        } finally {
            message.release();
        }
    }

    /** As RabbitMQ: a user-id property, when set, must name the user who is publishing. */
    private void checkUserId(Message message) {
        String userId = message.userId();
        if (userId != null && !userId.equals(connection.user().name())) {
            throw AmqpException.of(ReplyCode.PRECONDITION_FAILED, "user_id property set to '%s' but authenticated user was '%s'",
                    userId, connection.user().name());
        }
    }

    /**
     * Routes a message and hands it to its queues; an unroutable mandatory message is returned. In
     * confirm mode the publish is confirmed once every queue has taken it (at once when unroutable).
     */
    private boolean route(Exchange exchange, Message message, boolean mandatory, Set<EventExecutor> touched) {
        Set<MessageQueue> queues = routed;
        queues.clear();
        connection.vhost().route(exchange, message, queues);
        if (queues.isEmpty()) {
            if (mandatory) {
                connection.stats().returnUnroutable.increment();
                channel.writeContent(Methods.BASIC_RETURN.with(ReplyCode.NO_ROUTE.code(), "NO_ROUTE", message.exchange(),
                        message.routingKey()), message);
            } else {
                connection.stats().dropUnroutable.increment();
            }
        }
        int durable = message.persistent() ? collectDurableIds(queues) : 0;
        // a stored message is confirmed once its queues took it and the store has it on disk
        long sequence = confirms == null ? 0 : confirms.register(queues.size() + (durable > 0 ? 1 : 0));
        if (sequence != 0 && queues.isEmpty()) {
            connection.confirmsDue(channel);
        }
        Outbox outbox = connection.outbox();
        if (durable > 0) {
            dev.warren.core.store.WriteCallback onDurable = sequence == 0 ? null : failure -> outbox.post(() -> accepted(sequence));
            connection.vhost().storage().messages().append(message, durableIds, durable, onDurable);
        }
        PublisherFlow flow = connection.publisherFlow();
        for (MessageQueue queue : queues) {
            if (touched != null) {
                touched.add(queue.executor());
            }
            boolean elsewhere = !queue.executor().inEventLoop();
            if (elsewhere) {
                flow.sent();
            }
            message.retain();
            connection.batcher().submit(queue.executor(), () -> {
                queue.enqueue(message);
                if (elsewhere) {
                    flow.enqueued();
                }
                if (sequence != 0) {
                    outbox.post(() -> accepted(sequence));
                }
            });
        }
        queues.clear(); // holds no queue past the publish
        return durable > 0;
    }

    /** Puts the store ids of the durable queues among {@code queues} in {@link #durableIds}; returns how many. */
    private int collectDurableIds(Set<MessageQueue> queues) {
        int count = 0;
        for (MessageQueue queue : queues) {
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
        if (tx != null) {
            throw new AmqpException(ReplyCode.PRECONDITION_FAILED, "cannot switch from tx to confirm mode");
        }
        if (confirms == null) {
            confirms = new ConfirmTracker();
        }
        if (!c.method().flag("nowait")) {
            channel.send(Methods.CONFIRM_SELECT_OK.with());
        }
    }

    private void accepted(long sequence) {
        if (channel.isOpen()) {
            confirms.accepted(sequence);
            connection.confirmsDue(channel);
        }
    }

    /** Sends the confirm that is due, if any; called once per batch of work by the connection. */
    void sendDueConfirms() {
        ConfirmTracker.Confirm due = confirms == null ? null : confirms.due(connection.stats().confirmLatency());
        if (due != null) {
            connection.stats().confirm.add(due.count());
            channel.send(Methods.BASIC_ACK.with(due.tag(), due.multiple()));
        }
    }

    // ---- transactions ----

    void txSelect(Command c) {
        if (confirms != null) {
            throw new AmqpException(ReplyCode.PRECONDITION_FAILED, "cannot switch from confirm to tx mode");
        }
        if (tx == null) {
            tx = new Transaction();
        }
        channel.send(Methods.TX_SELECT_OK.with());
    }

    void txCommit(Command c) {
        Transaction done = requireTransaction();
        tx = new Transaction();
        Set<EventExecutor> touched = new LinkedHashSet<>();
        boolean stored = false;
        for (Transaction.Publish publish : done.publishes()) {
            Exchange exchange = connection.vhost().exchange(publish.message().exchange());
            if (exchange != null) {
                stored |= route(exchange, publish.message(), publish.mandatory(), touched);
            }
            publish.message().release();
        }
        for (Transaction.Settlement settlement : done.settlements()) {
            settlement.deliveries().forEach(d -> touched.add(d.queue().executor()));
            if (settlement.ack()) {
                settlement.deliveries().forEach(d -> d.queue().settle(d.entry()));
                channel.creditBack(settlement.deliveries());
            } else {
                channel.settle(settlement.deliveries(), settlement.requeue());
            }
        }
        channel.wakeAfterAcks();
        Runnable commitOk = () -> channel.send(Methods.TX_COMMIT_OK.with());
        if (stored) { // commit-ok only once the transaction's persistent messages are on disk
            Outbox outbox = connection.outbox();
            Runnable afterQueues = commitOk;
            commitOk = () -> connection.vhost().storage().messages().afterDurable(failure -> outbox.post(afterQueues));
        }
        channel.afterQueuesCaughtUp(touched, commitOk);
    }

    void txRollback(Command c) {
        Transaction undone = requireTransaction();
        tx = new Transaction();
        undone.publishes().forEach(p -> p.message().release());
        for (Transaction.Settlement settlement : undone.settlements()) {
            channel.unacked().restore(settlement.deliveries());
        }
        channel.send(Methods.TX_ROLLBACK_OK.with());
    }

    private Transaction requireTransaction() {
        if (tx == null) {
            throw new AmqpException(ReplyCode.PRECONDITION_FAILED, "channel is not transactional");
        }
        return tx;
    }
}
