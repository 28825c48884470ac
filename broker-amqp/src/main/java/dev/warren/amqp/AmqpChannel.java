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
import dev.warren.core.connection.ChannelInfo;
import dev.warren.core.connection.ConsumerInfo;
import dev.warren.core.message.Message;
import dev.warren.core.stats.MessageStats;
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
    private final DefinitionMethods definitions;
    private final PublishMethods publishing;
    private final ArrayDeque<Frame> parked = new ArrayDeque<>();
    private final Map<String, ChannelConsumer> consumers = new HashMap<>();
    private final UnackedDeliveries unacked = new UnackedDeliveries();
    private final AtomicInteger globalUnacked = new AtomicInteger();
    private State state = State.OPEN;
    private boolean suspended;
    private Method current;
    private long nextDeliveryTag = 1;
    private int consumerPrefetch;
    private volatile int globalPrefetch;
    private volatile boolean flowActive = true;

    AmqpChannel(AmqpConnection connection, int id) {
        this.connection = connection;
        this.id = id;
        this.assembler = new CommandAssembler(connection.ctx().alloc(), connection.settings().maxMessageSize());
        this.definitions = new DefinitionMethods(this, connection);
        this.publishing = new PublishMethods(this, connection);
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
        LOG.info("Channel {} closed by the broker: {}", id, attributed.replyText());
        connection.send(id, Methods.CHANNEL_CLOSE.with(attributed.replyCode().code(),
                AmqpConnection.truncate(attributed.replyText()), attributed.classId(), attributed.methodId()));
        release();
        state = State.CLOSING;
    }

    void send(Method method) {
        if (state == State.OPEN) {
            connection.send(id, method);
        }
    }

    // ---- suspension while a queue on another loop answers ----

    /**
     * Runs {@code operation} on the queue's thread and {@code reply} with its result back here. Until then
     * the channel carries out nothing else.
     */
    <R> void callQueue(MessageQueue queue, Function<MessageQueue, R> operation, java.util.function.Consumer<R> reply) {
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

    /**
     * Suspends the channel until every given queue thread has run the work handed to it so far, then runs
     * {@code then}: after tx.commit-ok the committed messages are in their queues.
     */
    void afterQueuesCaughtUp(Set<EventExecutor> executors, Runnable then) {
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
        MessageQueue queue = definitions.queueToRead(m);
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

    /** Takes one slot of the channel-wide prefetch (basic.qos global=true); false when none is free. */
    boolean reserveGlobalCredit() {
        while (true) {
            int limit = globalPrefetch;
            int current = globalUnacked.get();
            if (limit != 0 && current >= limit) {
                return false;
            }
            if (globalUnacked.compareAndSet(current, current + 1)) {
                return true;
            }
        }
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
        MessageStats stats = connection.stats();
        if (entry.redelivered()) {
            stats.redeliver.increment();
        }
        if (consumer.noAck()) {
            stats.deliverNoAck.increment();
            consumer.queue().settle(entry);
        } else {
            stats.deliver.increment();
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

    void writeContent(Method method, Message message) {
        ChannelHandlerContext ctx = connection.ctx();
        ByteBuf frames = FrameWriter.content(ctx.alloc(), id, method, message.properties(), message.body(), connection.frameMax());
        ctx.writeAndFlush(frames, ctx.voidPromise());
    }

    private void basicGet(Command c) {
        Method m = c.method();
        MessageQueue queue = definitions.queueToRead(m);
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
            MessageStats stats = connection.stats();
            if (polled.entry().redelivered()) {
                stats.redeliver.increment();
            }
            if (noAck) {
                stats.getNoAck.increment();
                queue.settle(polled.entry());
            } else {
                stats.get.increment();
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
        connection.stats().ack.add(acked.size());
        Transaction tx = publishing.transaction();
        if (tx != null) {
            tx.settle(acked, true, false);
            return;
        }
        for (Unacked done : acked) {
            done.queue().settle(done.entry());
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
        Transaction tx = publishing.transaction();
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
    void settle(List<Unacked> deliveries, boolean requeue) {
        if (requeue) {
            requeueAll(deliveries);
        } else {
            deliveries.forEach(d -> d.queue().settle(d.entry()));
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

    void creditBack(List<Unacked> deliveries) {
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
    void wakeAfterAcks() {
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

    /** Sends the confirm that is due, if any; called once per batch of work by the connection. */
    void sendDueConfirms() {
        publishing.sendDueConfirms();
    }

    boolean isOpen() {
        return state == State.OPEN;
    }

    /** What management shows of this channel (channel thread). */
    ChannelInfo info() {
        List<ConsumerInfo> consumerInfos = new ArrayList<>();
        for (ChannelConsumer consumer : consumers.values()) {
            consumerInfos.add(new ConsumerInfo(consumer.tag(), consumer.queue().name(), !consumer.noAck(),
                    consumer.exclusive(), consumer.prefetch(), Map.of()));
        }
        return new ChannelInfo(id, globalPrefetch != 0 ? globalPrefetch : consumerPrefetch, unacked.size(),
                publishing.confirming(), publishing.transaction() != null, consumerInfos);
    }

    UnackedDeliveries unacked() {
        return unacked;
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
        publishing.abandonTransaction(unacked);
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
        h.put(Methods.EXCHANGE_DECLARE, (ch, c) -> ch.definitions.exchangeDeclare(c));
        h.put(Methods.EXCHANGE_DELETE, (ch, c) -> ch.definitions.exchangeDelete(c));
        h.put(Methods.EXCHANGE_BIND, (ch, c) -> ch.definitions.exchangeBind(c));
        h.put(Methods.EXCHANGE_UNBIND, (ch, c) -> ch.definitions.exchangeUnbind(c));
        h.put(Methods.QUEUE_DECLARE, (ch, c) -> ch.definitions.queueDeclare(c));
        h.put(Methods.QUEUE_BIND, (ch, c) -> ch.definitions.queueBind(c));
        h.put(Methods.QUEUE_UNBIND, (ch, c) -> ch.definitions.queueUnbind(c));
        h.put(Methods.QUEUE_PURGE, (ch, c) -> ch.definitions.queuePurge(c));
        h.put(Methods.QUEUE_DELETE, (ch, c) -> ch.definitions.queueDelete(c));
        h.put(Methods.BASIC_QOS, AmqpChannel::basicQos);
        h.put(Methods.BASIC_CONSUME, AmqpChannel::basicConsume);
        h.put(Methods.BASIC_CANCEL, AmqpChannel::basicCancel);
        h.put(Methods.BASIC_PUBLISH, (ch, c) -> ch.publishing.basicPublish(c));
        h.put(Methods.BASIC_GET, AmqpChannel::basicGet);
        h.put(Methods.BASIC_ACK, AmqpChannel::basicAck);
        h.put(Methods.BASIC_REJECT, AmqpChannel::basicReject);
        h.put(Methods.BASIC_NACK, AmqpChannel::basicNack);
        h.put(Methods.BASIC_RECOVER, AmqpChannel::basicRecover);
        h.put(Methods.BASIC_RECOVER_ASYNC, AmqpChannel::basicRecover);
        h.put(Methods.CONFIRM_SELECT, (ch, c) -> ch.publishing.confirmSelect(c));
        h.put(Methods.TX_SELECT, (ch, c) -> ch.publishing.txSelect(c));
        h.put(Methods.TX_COMMIT, (ch, c) -> ch.publishing.txCommit(c));
        h.put(Methods.TX_ROLLBACK, (ch, c) -> ch.publishing.txRollback(c));
        return Map.copyOf(h);
    }
}
