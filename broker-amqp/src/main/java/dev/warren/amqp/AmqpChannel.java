package dev.warren.amqp;

import dev.warren.amqp.UnackedDeliveries.Unacked;
import dev.warren.amqp.protocol.Frame;
import dev.warren.amqp.protocol.FrameWriter;
import dev.warren.amqp.protocol.Method;
import dev.warren.amqp.protocol.MethodCodec;
import dev.warren.amqp.protocol.MethodSpec;
import dev.warren.amqp.protocol.Methods;
import dev.warren.core.AmqpException;
import dev.warren.core.Exchange;
import dev.warren.core.MessageQueue;
import dev.warren.core.Names;
import dev.warren.core.QueueEntry;
import dev.warren.core.ReplyCode;
import dev.warren.core.VirtualHost;
import dev.warren.core.message.Message;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One AMQP channel: assembles its frames into commands and carries them out through a table of handlers,
 * one per client method. It tracks the channel's consumers and unacked deliveries.
 *
 * <p>Threading: runs on its connection's event loop. A command that needs a queue owned by another loop
 * (consume, cancel, get, purge, delete) is sent there and the channel is <em>suspended</em>: frames that
 * arrive meanwhile are parked and carried out, in order, once the answer is back. So replies keep the
 * order of requests, as clients expect.
 */
final class AmqpChannel {
    private static final Logger LOG = LoggerFactory.getLogger(AmqpChannel.class);
    private static final Map<MethodSpec, BiConsumer<AmqpChannel, Command>> HANDLERS = handlers();

    private enum State { OPEN, CLOSING, CLOSED }

    private final AmqpConnection connection;
    private final int id;
    private final CommandAssembler assembler;
    private final ArrayDeque<Frame> parked = new ArrayDeque<>();
    private final Map<String, ChannelConsumer> consumers = new HashMap<>();
    private final UnackedDeliveries unacked = new UnackedDeliveries();
    private final AtomicInteger globalUnacked = new AtomicInteger();
    private State state = State.OPEN;
    private boolean suspended;
    private Method current;
    private String lastQueueName = "";
    private long nextDeliveryTag = 1;
    private int consumerPrefetch;
    private volatile int globalPrefetch;
    private volatile boolean flowActive = true;
    private ConfirmTracker confirms;
    private Transaction tx;

    AmqpChannel(AmqpConnection connection, int id) {
        this.connection = connection;
        this.id = id;
        this.assembler = new CommandAssembler(connection.ctx().alloc(), connection.settings().maxMessageSize());
    }

    // ---- frames in ----

    void onFrame(Frame frame) {
        if (state != State.OPEN) {
            onFrameWhileClosing(frame);
            return;
        }
        if (suspended) {
            parked.add(frame);
            return;
        }
        Command command;
        try {
            command = assembler.accept(frame);
        } catch (AmqpException e) {
            fail(e);
            return;
        }
        if (command != null) {
            carryOut(command);
        }
    }

    /** After we sent channel.close only close and close-ok matter; everything else is dropped. */
    private void onFrameWhileClosing(Frame frame) {
        try {
            if (frame.type() != Frame.METHOD) {
                return;
            }
            Method method = MethodCodec.decode(frame.payload());
            if (method.is(Methods.CHANNEL_CLOSE_OK)) {
                state = State.CLOSED;
                connection.channelClosed(id);
            } else if (method.is(Methods.CHANNEL_CLOSE)) {
                connection.send(id, Methods.CHANNEL_CLOSE_OK.with());
                state = State.CLOSED;
                connection.channelClosed(id);
            }
        } catch (AmqpException e) {
            connection.closeWithError(e);
        } finally {
            frame.payload().release();
        }
    }

    private void carryOut(Command command) {
        current = command.method();
        BiConsumer<AmqpChannel, Command> handler = HANDLERS.get(command.method().spec());
        try {
            if (handler == null) {
                command.release();
                throw new AmqpException(ReplyCode.COMMAND_INVALID,
                        "method " + command.method().spec().name() + " is not sent by clients");
            }
            handler.accept(this, command);
        } catch (AmqpException e) {
            fail(e);
        } catch (RuntimeException e) {
            LOG.error("Unexpected error carrying out {} on channel {}", command.method().spec().name(), id, e);
            connection.closeWithError(new AmqpException(ReplyCode.INTERNAL_ERROR, "internal error"));
        }
    }

    /** A soft error closes this channel; a hard one the connection. */
    private void fail(AmqpException error) {
        AmqpException attributed = current == null ? error
                : error.withMethod(current.spec().classId(), current.spec().methodId());
        if (attributed.replyCode().isConnectionError()) {
            connection.closeWithError(attributed);
            return;
        }
        LOG.debug("Closing channel {}: {}", id, attributed.replyText());
        connection.send(id, Methods.CHANNEL_CLOSE.with(attributed.replyCode().code(),
                AmqpConnection.truncate(attributed.replyText()), attributed.classId(), attributed.methodId()));
        release();
        state = State.CLOSING;
    }

    private void send(Method method) {
        if (state == State.OPEN) {
            connection.send(id, method);
        }
    }

    // ---- suspension while a queue on another loop answers ----

    /**
     * Runs {@code operation} on the queue's thread and {@code reply} with its result back here. Until then
     * the channel carries out nothing else.
     */
    private <R> void callQueue(MessageQueue queue, Function<MessageQueue, R> operation, java.util.function.Consumer<R> reply) {
        if (queue.executor().inEventLoop()) {
            reply.accept(operation.apply(queue));
            return;
        }
        suspended = true;
        Method cause = current;
        Outbox outbox = connection.outbox();
        connection.batcher().submit(queue.executor(), () -> {
            R result = null;
            RuntimeException error = null;
            try {
                result = operation.apply(queue);
            } catch (RuntimeException e) {
                error = e;
            }
            R answer = result;
            RuntimeException failure = error;
            outbox.post(() -> resume(cause, answer, failure, reply));
        });
        connection.batcher().flush();
    }

    private <R> void resume(Method cause, R result, RuntimeException error, java.util.function.Consumer<R> reply) {
        suspended = false;
        current = cause;
        if (error == null || state == State.OPEN) {
            try {
                if (error != null) {
                    throw error;
                }
                reply.accept(result);
            } catch (AmqpException e) {
                fail(e);
            } catch (RuntimeException e) {
                LOG.error("Unexpected error carrying out {} on channel {}", cause.spec().name(), id, e);
                connection.closeWithError(new AmqpException(ReplyCode.INTERNAL_ERROR, "internal error"));
            }
        }
        while (!suspended && !parked.isEmpty() && state == State.OPEN) {
            onFrame(parked.poll());
        }
        connection.batcher().flush();
    }

    // ---- channel class ----

    private void channelOpen(Command c) {
        throw new AmqpException(ReplyCode.CHANNEL_ERROR, "second 'channel.open' seen");
    }

    private void channelFlow(Command c) {
        flowActive = c.method().flag("active");
        if (flowActive) {
            wakeAllConsumers();
        }
        send(Methods.CHANNEL_FLOW_OK.with(flowActive));
    }

    private void channelClose(Command c) {
        release();
        connection.send(id, Methods.CHANNEL_CLOSE_OK.with());
        state = State.CLOSED;
        connection.channelClosed(id);
    }

    private void ignore(Command c) {
        // channel.flow-ok and the like: acknowledgements the broker does not wait for
    }

    private void accessRequest(Command c) {
        send(Methods.ACCESS_REQUEST_OK.with(1));
    }

    // ---- exchange class ----

    private void exchangeDeclare(Command c) {
        Method m = c.method();
        String name = m.string("exchange");
        VirtualHost vhost = connection.vhost();
        if (m.flag("passive")) {
            vhost.passiveExchange(name);
        } else {
            vhost.declareExchange(name, m.string("type"), m.flag("durable"), m.flag("auto-delete"),
                    m.flag("internal"), m.table("arguments"));
        }
        if (!m.flag("nowait")) {
            send(Methods.EXCHANGE_DECLARE_OK.with());
        }
    }

    private void exchangeDelete(Command c) {
        Method m = c.method();
        connection.vhost().deleteExchange(m.string("exchange"), m.flag("if-unused"));
        if (!m.flag("nowait")) {
            send(Methods.EXCHANGE_DELETE_OK.with());
        }
    }

    private void exchangeBind(Command c) {
        Method m = c.method();
        VirtualHost vhost = connection.vhost();
        Exchange destination = vhost.requireExchange(m.string("destination"));
        vhost.bind(vhost.requireExchange(m.string("source")), destination, m.string("routing-key"), m.table("arguments"));
        if (!m.flag("nowait")) {
            send(Methods.EXCHANGE_BIND_OK.with());
        }
    }

    private void exchangeUnbind(Command c) {
        Method m = c.method();
        VirtualHost vhost = connection.vhost();
        Exchange destination = vhost.requireExchange(m.string("destination"));
        vhost.unbind(vhost.requireExchange(m.string("source")), destination, m.string("routing-key"), m.table("arguments"));
        if (!m.flag("nowait")) {
            send(Methods.EXCHANGE_UNBIND_OK.with());
        }
    }

    // ---- queue class ----

    private void queueDeclare(Command c) {
        Method m = c.method();
        VirtualHost vhost = connection.vhost();
        String name = m.string("queue");
        MessageQueue queue;
        if (m.flag("passive")) {
            queue = vhost.requireQueue(name.isEmpty() ? lastQueueName : name, connection);
        } else {
            queue = vhost.declareQueue(name.isEmpty() ? Names.queueName() : name, m.flag("durable"),
                    m.flag("exclusive"), m.flag("auto-delete"), m.table("arguments"), connection, connection.outbox().loop());
            if (queue.exclusive()) {
                connection.exclusiveQueueDeclared(queue);
            }
        }
        lastQueueName = queue.name();
        if (m.flag("nowait")) {
            return;
        }
        // Counted on the queue's thread, after this channel's earlier publishes have reached it.
        callQueue(queue, q -> new long[] {q.messageCount(), q.consumerCount()},
                counts -> send(Methods.QUEUE_DECLARE_OK.with(queue.name(), counts[0], counts[1])));
    }

    private void queueBind(Command c) {
        Method m = c.method();
        VirtualHost vhost = connection.vhost();
        MessageQueue queue = vhost.requireQueue(queueName(m), connection);
        vhost.bind(vhost.requireExchange(m.string("exchange")), queue, m.string("routing-key"), m.table("arguments"));
        if (!m.flag("nowait")) {
            send(Methods.QUEUE_BIND_OK.with());
        }
    }

    private void queueUnbind(Command c) {
        Method m = c.method();
        VirtualHost vhost = connection.vhost();
        MessageQueue queue = vhost.requireQueue(queueName(m), connection);
        vhost.unbind(vhost.requireExchange(m.string("exchange")), queue, m.string("routing-key"), m.table("arguments"));
        send(Methods.QUEUE_UNBIND_OK.with());
    }

    private void queuePurge(Command c) {
        Method m = c.method();
        MessageQueue queue = connection.vhost().requireQueue(queueName(m), connection);
        callQueue(queue, MessageQueue::purge, count -> {
            if (!m.flag("nowait")) {
                send(Methods.QUEUE_PURGE_OK.with((long) count));
            }
        });
    }

    private void queueDelete(Command c) {
        Method m = c.method();
        String name = queueName(m);
        MessageQueue queue = connection.vhost().queue(name);
        boolean nowait = m.flag("nowait");
        if (queue == null) {
            if (!nowait) {
                send(Methods.QUEUE_DELETE_OK.with(0L)); // deleting what is not there succeeds, as in RabbitMQ
            }
            return;
        }
        connection.vhost().requireQueue(name, connection); // exclusive queues of others are locked
        boolean ifUnused = m.flag("if-unused");
        boolean ifEmpty = m.flag("if-empty");
        callQueue(queue, q -> q.delete(ifUnused, ifEmpty), count -> {
            if (!nowait) {
                send(Methods.QUEUE_DELETE_OK.with((long) count));
            }
        });
    }

    /** An empty queue name means the queue this channel declared last, as the spec allows. */
    private String queueName(Method m) {
        String name = m.string("queue");
        if (!name.isEmpty()) {
            return name;
        }
        if (lastQueueName.isEmpty()) {
            throw new AmqpException(ReplyCode.NOT_FOUND, "no previously declared queue");
        }
        return lastQueueName;
    }

    // ---- basic class: consumers ----

    private void basicQos(Command c) {
        Method m = c.method();
        if (m.longValue("prefetch-size") != 0) {
            throw AmqpException.of(ReplyCode.NOT_IMPLEMENTED, "prefetch_size!=0 (%d)", m.longValue("prefetch-size"));
        }
        int count = m.intValue("prefetch-count");
        if (m.flag("global")) {
            globalPrefetch = count;
            wakeAllConsumers();
        } else {
            consumerPrefetch = count;
        }
        send(Methods.BASIC_QOS_OK.with());
    }

    private void basicConsume(Command c) {
        Method m = c.method();
        MessageQueue queue = connection.vhost().requireQueue(queueName(m), connection);
        String tag = m.string("consumer-tag");
        if (tag.isEmpty()) {
            tag = Names.consumerTag();
        } else if (consumers.containsKey(tag)) {
            throw AmqpException.of(ReplyCode.NOT_ALLOWED, "attempt to reuse consumer tag '%s'", tag);
        }
        ChannelConsumer consumer = new ChannelConsumer(this, tag, queue, m.flag("no-ack"), m.flag("exclusive"), consumerPrefetch);
        consumers.put(tag, consumer);
        boolean nowait = m.flag("nowait");
        try {
            callQueue(queue, q -> {
                q.addConsumer(consumer);
                return null;
            }, ignored -> {
                if (!nowait) {
                    send(Methods.BASIC_CONSUME_OK.with(consumer.tag()));
                }
                for (QueueEntry early : consumer.announce()) {
                    deliver(consumer, early);
                }
            });
        } catch (AmqpException e) {
            consumers.remove(tag);
            throw e;
        }
    }

    private void basicCancel(Command c) {
        Method m = c.method();
        String tag = m.string("consumer-tag");
        boolean nowait = m.flag("nowait");
        ChannelConsumer consumer = consumers.remove(tag);
        if (consumer == null) {
            if (!nowait) {
                send(Methods.BASIC_CANCEL_OK.with(tag));
            }
            return;
        }
        consumer.deactivate();
        callQueue(consumer.queue(), q -> {
            q.removeConsumer(consumer);
            return null;
        }, ignored -> {
            if (!nowait) {
                send(Methods.BASIC_CANCEL_OK.with(tag));
            }
        });
    }

    /** The queue of this consumer was deleted: tell the client, if it understands server-sent cancels. */
    void cancelledByQueue(ChannelConsumer consumer) {
        if (consumers.remove(consumer.tag(), consumer) && state == State.OPEN && connection.consumerCancelNotify()) {
            send(Methods.BASIC_CANCEL.with(consumer.tag(), true));
        }
    }

    Outbox connectionOutbox() {
        return connection.outbox();
    }

    /** Read on queue threads: false while the client paused us (channel.flow) or the socket is backed up. */
    boolean canDeliver() {
        return flowActive && connection.isWritable();
    }

    boolean hasGlobalCredit() {
        int limit = globalPrefetch;
        return limit == 0 || globalUnacked.get() < limit;
    }

    void countGlobalDelivery() {
        globalUnacked.incrementAndGet();
    }

    // ---- basic class: deliveries ----

    /** Writes one delivery to the client (channel thread). */
    void deliver(ChannelConsumer consumer, QueueEntry entry) {
        if (state != State.OPEN || !consumer.isActive()) {
            giveBack(consumer, entry);
            return;
        }
        if (!consumer.announced()) {
            consumer.holdUntilAnnounced(entry);
            return;
        }
        long tag = nextDeliveryTag++;
        Message message = entry.message();
        Method deliver = Methods.BASIC_DELIVER.with(consumer.tag(), tag, entry.redelivered(), message.exchange(), message.routingKey());
        writeContent(deliver, message);
        if (consumer.noAck()) {
            message.release();
        } else {
            unacked.add(new Unacked(tag, consumer.queue(), entry, consumer));
        }
    }

    /** A delivery that can no longer go out goes back to its queue. */
    private void giveBack(ChannelConsumer consumer, QueueEntry entry) {
        if (!consumer.noAck()) {
            consumer.released(1);
            globalUnacked.decrementAndGet();
        }
        MessageQueue queue = consumer.queue();
        queue.executor().execute(() -> queue.requeue(List.of(entry)));
    }

    private void writeContent(Method method, Message message) {
        ChannelHandlerContext ctx = connection.ctx();
        ByteBuf frames = FrameWriter.content(ctx.alloc(), id, method, message.properties(), message.body(), connection.frameMax());
        ctx.writeAndFlush(frames, ctx.voidPromise());
    }

    private void basicGet(Command c) {
        Method m = c.method();
        MessageQueue queue = connection.vhost().requireQueue(queueName(m), connection);
        boolean noAck = m.flag("no-ack");
        callQueue(queue, q -> {
            QueueEntry entry = q.poll();
            return entry == null ? null : new Polled(entry, q.messageCount());
        }, polled -> {
            if (polled == null) {
                send(Methods.BASIC_GET_EMPTY.with(""));
                return;
            }
            if (state != State.OPEN) {
                queue.executor().execute(() -> queue.requeue(List.of(polled.entry())));
                return;
            }
            long tag = nextDeliveryTag++;
            Message message = polled.entry().message();
            writeContent(Methods.BASIC_GET_OK.with(tag, polled.entry().redelivered(), message.exchange(),
                    message.routingKey(), (long) polled.remaining()), message);
            if (noAck) {
                message.release();
            } else {
                unacked.add(new Unacked(tag, queue, polled.entry(), null));
            }
        });
    }

    private record Polled(QueueEntry entry, int remaining) {
    }

    // ---- basic class: acks ----

    private void basicAck(Command c) {
        Method m = c.method();
        List<Unacked> acked = unacked.take(m.longValue("delivery-tag"), m.flag("multiple"));
        if (tx != null) {
            tx.settle(acked, true, false);
            return;
        }
        for (Unacked done : acked) {
            done.entry().message().release();
        }
        creditBack(acked);
        wakeAfterAcks();
    }

    private void basicReject(Command c) {
        Method m = c.method();
        reject(unacked.take(m.longValue("delivery-tag"), false), m.flag("requeue"));
    }

    private void basicNack(Command c) {
        Method m = c.method();
        reject(unacked.take(m.longValue("delivery-tag"), m.flag("multiple")), m.flag("requeue"));
    }

    private void reject(List<Unacked> deliveries, boolean requeue) {
        if (tx != null) {
            tx.settle(deliveries, false, requeue);
        } else {
            settle(deliveries, requeue);
        }
    }

    private void basicRecover(Command c) {
        if (!c.method().flag("requeue")) {
            throw new AmqpException(ReplyCode.NOT_IMPLEMENTED, "requeue=false");
        }
        settle(unacked.takeAll(), true);
        if (c.method().is(Methods.BASIC_RECOVER)) {
            send(Methods.BASIC_RECOVER_OK.with());
        }
    }

    /** Rejected deliveries: requeued in their original order, or dropped. */
    private void settle(List<Unacked> deliveries, boolean requeue) {
        if (requeue) {
            requeueAll(deliveries);
        } else {
            deliveries.forEach(d -> d.entry().message().release());
            creditBack(deliveries);
        }
        wakeAfterAcks();
    }

    private void requeueAll(List<Unacked> deliveries) {
        Map<MessageQueue, List<QueueEntry>> byQueue = new LinkedHashMap<>();
        for (Unacked d : deliveries) {
            byQueue.computeIfAbsent(d.queue(), q -> new ArrayList<>()).add(d.entry());
        }
        creditBack(deliveries);
        byQueue.forEach((queue, entries) -> connection.batcher().submit(queue.executor(), () -> queue.requeue(entries)));
    }

    private final Set<ChannelConsumer> starved = new LinkedHashSet<>();
    private boolean globalStarved;

    private void creditBack(List<Unacked> deliveries) {
        for (Unacked d : deliveries) {
            if (d.consumer() == null) {
                continue;
            }
            if (d.consumer().released(1)) {
                starved.add(d.consumer());
            }
            int limit = globalPrefetch;
            if (globalUnacked.getAndDecrement() >= limit && limit > 0) {
                globalStarved = true;
            }
        }
    }

    /** Consumers that were out of credit and got some back: ask their queues to dispatch again. */
    private void wakeAfterAcks() {
        if (globalStarved) {
            globalStarved = false;
            starved.clear();
            wakeAllConsumers();
            return;
        }
        for (ChannelConsumer consumer : starved) {
            MessageQueue queue = consumer.queue();
            connection.batcher().submit(queue.executor(), queue::resumeDispatch);
        }
        starved.clear();
    }

    void wakeAllConsumers() {
        Set<MessageQueue> queues = new LinkedHashSet<>();
        consumers.values().forEach(consumer -> queues.add(consumer.queue()));
        queues.forEach(queue -> connection.batcher().submit(queue.executor(), queue::resumeDispatch));
    }

    // ---- basic class: publish ----

    private void basicPublish(Command c) {
        Method m = c.method();
        Message message = new Message(m.string("exchange"), m.string("routing-key"), c.properties(), c.body());
        try {
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
    private void route(Exchange exchange, Message message, boolean mandatory, Set<EventExecutor> touched) {
        Set<MessageQueue> queues = new LinkedHashSet<>();
        connection.vhost().route(exchange, message, queues);
        if (queues.isEmpty() && mandatory) {
            writeContent(Methods.BASIC_RETURN.with(ReplyCode.NO_ROUTE.code(), "NO_ROUTE", message.exchange(),
                    message.routingKey()), message);
        }
        long sequence = confirms == null ? 0 : confirms.register(queues.size());
        if (sequence != 0 && queues.isEmpty()) {
            connection.confirmsDue(this);
        }
        Outbox outbox = connection.outbox();
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
    }

    // ---- confirms ----

    private void confirmSelect(Command c) {
        if (tx != null) {
            throw new AmqpException(ReplyCode.PRECONDITION_FAILED, "cannot switch from tx to confirm mode");
        }
        if (confirms == null) {
            confirms = new ConfirmTracker();
        }
        if (!c.method().flag("nowait")) {
            send(Methods.CONFIRM_SELECT_OK.with());
        }
    }

    private void accepted(long sequence) {
        if (state == State.OPEN) {
            confirms.accepted(sequence);
            connection.confirmsDue(this);
        }
    }

    /** Sends the confirm that is due, if any; called once per batch of work by the connection. */
    void sendDueConfirms() {
        ConfirmTracker.Confirm due = confirms == null ? null : confirms.due();
        if (due != null) {
            send(Methods.BASIC_ACK.with(due.tag(), due.multiple()));
        }
    }

    // ---- transactions ----

    private void txSelect(Command c) {
        if (confirms != null) {
            throw new AmqpException(ReplyCode.PRECONDITION_FAILED, "cannot switch from confirm to tx mode");
        }
        if (tx == null) {
            tx = new Transaction();
        }
        send(Methods.TX_SELECT_OK.with());
    }

    private void txCommit(Command c) {
        Transaction done = requireTransaction();
        tx = new Transaction();
        Set<EventExecutor> touched = new LinkedHashSet<>();
        for (Transaction.Publish publish : done.publishes()) {
            Exchange exchange = connection.vhost().exchange(publish.message().exchange());
            if (exchange != null) {
                route(exchange, publish.message(), publish.mandatory(), touched);
            }
            publish.message().release();
        }
        for (Transaction.Settlement settlement : done.settlements()) {
            settlement.deliveries().forEach(d -> touched.add(d.queue().executor()));
            if (settlement.ack()) {
                settlement.deliveries().forEach(d -> d.entry().message().release());
                creditBack(settlement.deliveries());
            } else {
                settle(settlement.deliveries(), settlement.requeue());
            }
        }
        wakeAfterAcks();
        afterQueuesCaughtUp(touched, () -> send(Methods.TX_COMMIT_OK.with()));
    }

    private void txRollback(Command c) {
        Transaction undone = requireTransaction();
        tx = new Transaction();
        undone.publishes().forEach(p -> p.message().release());
        for (Transaction.Settlement settlement : undone.settlements()) {
            unacked.restore(settlement.deliveries());
        }
        send(Methods.TX_ROLLBACK_OK.with());
    }

    private Transaction requireTransaction() {
        if (tx == null) {
            throw new AmqpException(ReplyCode.PRECONDITION_FAILED, "channel is not transactional");
        }
        return tx;
    }

    /**
     * Suspends the channel until every given queue thread has run the work handed to it so far, then runs
     * {@code then}: after tx.commit-ok the committed messages are in their queues.
     */
    private void afterQueuesCaughtUp(Set<EventExecutor> executors, Runnable then) {
        executors.removeIf(EventExecutor::inEventLoop);
        if (executors.isEmpty()) {
            then.run();
            return;
        }
        suspended = true;
        Method cause = current;
        Outbox outbox = connection.outbox();
        int[] remaining = {executors.size()};
        for (EventExecutor executor : executors) {
            connection.batcher().submit(executor, () -> outbox.post(() -> {
                if (--remaining[0] == 0) {
                    resume(cause, null, null, ignored -> then.run());
                }
            }));
        }
        connection.batcher().flush();
    }

    // ---- closing ----

    /**
     * Lets go of everything the channel holds: parked frames, a half-assembled message, its consumers, and
     * its unacked deliveries, which go back to their queues in order.
     */
    void release() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        assembler.reset();
        for (Frame frame; (frame = parked.poll()) != null; ) {
            frame.payload().release();
        }
        for (ChannelConsumer consumer : consumers.values()) {
            consumer.deactivate();
            MessageQueue queue = consumer.queue();
            connection.batcher().submit(queue.executor(), () -> queue.removeConsumer(consumer));
        }
        consumers.clear();
        if (tx != null) {
            tx.publishes().forEach(p -> p.message().release());
            tx.settlements().forEach(settlement -> unacked.restore(settlement.deliveries()));
            tx = null;
        }
        requeueAll(unacked.takeAll());
        connection.batcher().flush();
    }

    private static Map<MethodSpec, BiConsumer<AmqpChannel, Command>> handlers() {
        Map<MethodSpec, BiConsumer<AmqpChannel, Command>> h = new HashMap<>();
        h.put(Methods.CHANNEL_OPEN, AmqpChannel::channelOpen);
        h.put(Methods.CHANNEL_FLOW, AmqpChannel::channelFlow);
        h.put(Methods.CHANNEL_FLOW_OK, AmqpChannel::ignore);
        h.put(Methods.CHANNEL_CLOSE, AmqpChannel::channelClose);
        h.put(Methods.ACCESS_REQUEST, AmqpChannel::accessRequest);
        h.put(Methods.EXCHANGE_DECLARE, AmqpChannel::exchangeDeclare);
        h.put(Methods.EXCHANGE_DELETE, AmqpChannel::exchangeDelete);
        h.put(Methods.EXCHANGE_BIND, AmqpChannel::exchangeBind);
        h.put(Methods.EXCHANGE_UNBIND, AmqpChannel::exchangeUnbind);
        h.put(Methods.QUEUE_DECLARE, AmqpChannel::queueDeclare);
        h.put(Methods.QUEUE_BIND, AmqpChannel::queueBind);
        h.put(Methods.QUEUE_UNBIND, AmqpChannel::queueUnbind);
        h.put(Methods.QUEUE_PURGE, AmqpChannel::queuePurge);
        h.put(Methods.QUEUE_DELETE, AmqpChannel::queueDelete);
        h.put(Methods.BASIC_QOS, AmqpChannel::basicQos);
        h.put(Methods.BASIC_CONSUME, AmqpChannel::basicConsume);
        h.put(Methods.BASIC_CANCEL, AmqpChannel::basicCancel);
        h.put(Methods.BASIC_PUBLISH, AmqpChannel::basicPublish);
        h.put(Methods.BASIC_GET, AmqpChannel::basicGet);
        h.put(Methods.BASIC_ACK, AmqpChannel::basicAck);
        h.put(Methods.BASIC_REJECT, AmqpChannel::basicReject);
        h.put(Methods.BASIC_NACK, AmqpChannel::basicNack);
        h.put(Methods.BASIC_RECOVER, AmqpChannel::basicRecover);
        h.put(Methods.BASIC_RECOVER_ASYNC, AmqpChannel::basicRecover);
        h.put(Methods.CONFIRM_SELECT, AmqpChannel::confirmSelect);
        h.put(Methods.TX_SELECT, AmqpChannel::txSelect);
        h.put(Methods.TX_COMMIT, AmqpChannel::txCommit);
        h.put(Methods.TX_ROLLBACK, AmqpChannel::txRollback);
        return Map.copyOf(h);
    }
}
