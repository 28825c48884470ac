package dev.warren.amqp;

import dev.warren.amqp.protocol.Frame;
import dev.warren.amqp.protocol.Method;
import dev.warren.amqp.protocol.MethodCodec;
import dev.warren.amqp.protocol.MethodSpec;
import dev.warren.amqp.protocol.Methods;
import dev.warren.amqp.protocol.ReplyText;
import dev.warren.core.AmqpException;
import dev.warren.core.ReplyCode;
import dev.warren.core.connection.ChannelInfo;
import dev.warren.core.connection.ConsumerInfo;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One AMQP channel: assembles its frames into commands and carries them out through a table of handlers,
 * one per client method, each in the method group that owns it (definitions, consumers, acks, publishing).
 * Its state is the close handshake's: open, closing (we sent channel.close), closed.
 *
 * <p>Threading: runs on its connection's event loop. A command that needs an answer from a queue's thread
 * suspends the channel ({@link ChannelContext#callQueue}); frames that arrive meanwhile are parked and
 * carried out, in order, once the answer is back.
 */
final class AmqpChannel implements ChannelContext.Resumption {
    private static final Logger LOG = LoggerFactory.getLogger(AmqpChannel.class);
    private static final Map<MethodSpec, BiConsumer<AmqpChannel, Command>> HANDLERS = handlers();

    private enum State { OPEN, CLOSING, CLOSED }

    private final int id;
    private final ConnectionContext connection;
    private final ChannelContext context;
    private final CommandAssembler assembler;
    private final DefinitionMethods definitions;
    private final ConsumerMethods consuming;
    private final AckMethods acks;
    private final PublishMethods publishing;
    private final TransactionMethods transactions;
    private State state = State.OPEN;
    private Method current;

    AmqpChannel(ConnectionContext connection, int id) {
        this.id = id;
        this.connection = connection;
        this.context = new ChannelContext(id, connection, this);
        this.assembler = new CommandAssembler(connection.ctx().alloc(), connection.settings().maxMessageSize());
        this.definitions = new DefinitionMethods(context);
        this.consuming = new ConsumerMethods(context, definitions);
        this.acks = new AckMethods(context);
        this.publishing = new PublishMethods(context);
        this.transactions = new TransactionMethods(context, publishing, acks);
    }

    // ---- frames in ----

    /** A frame for this channel; takes ownership of {@code payload}. */
    void onFrame(int type, ByteBuf payload) {
        if (state != State.OPEN) {
            onFrameWhileClosing(type, payload);
            return;
        }
        if (context.suspension().isSuspended()) {
            context.suspension().park(new Frame(type, id, payload));
            return;
        }
        Command command;
        try {
            command = assembler.accept(type, payload);
        } catch (AmqpException e) {
            fail(e);
            return;
        }
        if (command != null) {
            carryOut(command);
        }
    }

    /**
     * After we sent channel.close only close and close-ok matter; everything else is dropped. A close from the
     * client crossed ours: it gets its close-ok, and the channel still waits for the close-ok to ours, which the
     * client sends too (as RabbitMQ; ending the channel here made that close-ok a frame on a closed channel).
     */
    private void onFrameWhileClosing(int type, ByteBuf payload) {
        try {
            if (type != Frame.METHOD) {
                return;
            }
            Method method = MethodCodec.decode(payload);
            if (method.is(Methods.CHANNEL_CLOSE_OK)) {
                state = State.CLOSED;
                connection.channelClosed(id);
            } else if (method.is(Methods.CHANNEL_CLOSE)) {
                connection.send(id, Methods.CHANNEL_CLOSE_OK.with());
            }
        } catch (AmqpException e) {
            connection.connectionError(e);
        } finally {
            payload.release();
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
            internalError(command.method(), e);
        }
    }

    private void internalError(Method cause, RuntimeException e) {
        LOG.error("Unexpected error carrying out {} on channel {}", cause.spec().name(), id, e);
        connection.connectionError(new AmqpException(ReplyCode.INTERNAL_ERROR, "internal error"));
    }

    /** A soft error closes this channel; a hard one the connection. */
    private void fail(AmqpException error) {
        AmqpException attributed = current == null ? error
                : error.withMethod(current.spec().classId(), current.spec().methodId());
        if (attributed.replyCode().isConnectionError()) {
            connection.connectionError(attributed);
            return;
        }
        close(attributed);
    }

    /** Sends channel.close for the error and lets go of everything; close-ok is awaited in CLOSING. */
    @Override
    public void close(AmqpException error) {
        if (state != State.OPEN) {
            return;
        }
        LOG.info("Channel {} closed by the broker: {}", id, error.replyText());
        connection.send(id, Methods.CHANNEL_CLOSE.with(error.replyCode().code(),
                ReplyText.fit(error.replyText()), error.classId(), error.methodId()));
        release();
        state = State.CLOSING;
    }

    // ---- resuming after a suspension ----

    @Override
    public Method current() {
        return current;
    }

    @Override
    public boolean isOpen() {
        return state == State.OPEN;
    }

    @Override
    public <R> void resume(Method cause, R result, RuntimeException error, Consumer<R> reply, Consumer<R> abandoned) {
        context.suspension().resume();
        current = cause;
        if (state != State.OPEN) {
            if (error == null && abandoned != null) {
                abandoned.accept(result);
            }
        } else {
            try {
                if (error != null) {
                    throw error;
                }
                reply.accept(result);
            } catch (AmqpException e) {
                fail(e);
            } catch (RuntimeException e) {
                internalError(cause, e);
            }
        }
        for (Frame parked; state == State.OPEN && (parked = context.suspension().nextParked()) != null; ) {
            onFrame(parked.type(), parked.payload());
        }
        connection.batcher().flush();
    }

    // ---- channel class ----

    private void channelOpen(Command c) {
        throw new AmqpException(ReplyCode.CHANNEL_ERROR, "second 'channel.open' seen");
    }

    /**
     * channel.flow from the client, as RabbitMQ answers it: being paused is not implemented (540, which
     * closes the connection; clients' own test suites expect exactly that), active=true is acknowledged.
     */
    private void channelFlow(Command c) {
        if (!c.method().flag("active")) {
            throw new AmqpException(ReplyCode.NOT_IMPLEMENTED, "active=false");
        }
        context.send(Methods.CHANNEL_FLOW_OK.with(true));
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
        context.send(Methods.ACCESS_REQUEST_OK.with(1));
    }

    // ---- what the connection asks ----

    /** The socket is writable again: consumers here may take messages again. */
    void wakeAllConsumers() {
        context.wakeAllConsumers();
    }

    /** Sends the confirms that are due, if any. */
    void sendDueConfirms() {
        publishing.sendDueConfirms();
    }

    /** What management shows of this channel (channel thread). */
    ChannelInfo info() {
        List<ConsumerInfo> consumerInfos = new ArrayList<>();
        for (ChannelConsumer consumer : context.consumerList()) {
            consumerInfos.add(new ConsumerInfo(consumer.tag(), consumer.queue().name(), !consumer.noAck(),
                    consumer.exclusive(), consumer.prefetch(), Map.of()));
        }
        PrefetchLimiter prefetch = context.prefetch();
        return new ChannelInfo(id, prefetch.globalLimit() != 0 ? prefetch.globalLimit() : prefetch.consumerLimit(),
                context.unacked().size(), publishing.confirming(), context.transaction() != null, consumerInfos,
                context.counters());
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
        context.suspension().discard();
        consuming.release();
        transactions.abandon();
        acks.release();
        context.releaseQuorumQueues();
        connection.batcher().flush();
        connection.counters().closed(context.counters());
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
        h.put(Methods.BASIC_QOS, (ch, c) -> ch.consuming.basicQos(c));
        h.put(Methods.BASIC_CONSUME, (ch, c) -> ch.consuming.basicConsume(c));
        h.put(Methods.BASIC_CANCEL, (ch, c) -> ch.consuming.basicCancel(c));
        h.put(Methods.BASIC_GET, (ch, c) -> ch.consuming.basicGet(c));
        h.put(Methods.BASIC_PUBLISH, (ch, c) -> ch.publishing.basicPublish(c));
        h.put(Methods.BASIC_ACK, (ch, c) -> ch.acks.basicAck(c));
        h.put(Methods.BASIC_REJECT, (ch, c) -> ch.acks.basicReject(c));
        h.put(Methods.BASIC_NACK, (ch, c) -> ch.acks.basicNack(c));
        h.put(Methods.BASIC_RECOVER, (ch, c) -> ch.acks.basicRecover(c));
        h.put(Methods.BASIC_RECOVER_ASYNC, (ch, c) -> ch.acks.basicRecover(c));
        h.put(Methods.CONFIRM_SELECT, (ch, c) -> ch.publishing.confirmSelect(c));
        h.put(Methods.TX_SELECT, (ch, c) -> ch.transactions.txSelect(c));
        h.put(Methods.TX_COMMIT, (ch, c) -> ch.transactions.txCommit(c));
        h.put(Methods.TX_ROLLBACK, (ch, c) -> ch.transactions.txRollback(c));
        return Map.copyOf(h);
    }
}
