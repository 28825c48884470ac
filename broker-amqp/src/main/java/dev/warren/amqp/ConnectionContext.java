package dev.warren.amqp;

import dev.warren.amqp.protocol.FrameWriter;
import dev.warren.amqp.protocol.Method;
import dev.warren.core.AmqpException;
import dev.warren.core.Firehose;
import dev.warren.core.MessageQueue;
import dev.warren.core.VirtualHost;
import dev.warren.core.auth.ResourceAccess;
import dev.warren.core.auth.User;
import dev.warren.core.connection.ConnectionInfo;
import dev.warren.core.message.Message;
import dev.warren.core.stats.ConnectionCounters;
import dev.warren.core.stats.MessageStats;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * What an open connection gives its channels: its terms, its user and virtual host, the way to its
 * socket, and the hand-offs to queues (batcher) and back (outbox). Built once the handshake is done, so
 * channels depend on this and never on the connection's state machine.
 *
 * <p>Connection thread only, but for what the hand-off classes say of themselves.
 */
final class ConnectionContext {
    private final ChannelHandlerContext ctx;
    private final NegotiatedTerms terms;
    private final ResourceAccess access;
    private final MessageStats stats;
    private final AmqpSettings settings;
    private final TaskBatcher batcher;
    private final Outbox outbox;
    private final PublisherGate publisherGate;
    private final DeliveryWindow deliveryWindow;
    private final DirectReplyTo replies;
    private final ConsumerTimeouts consumerTimeouts;
    private final Consumer<AmqpException> connectionError;
    private final IntConsumer channelClosed;
    private final List<PublishMethods> confirmsDue = new ArrayList<>();
    private final List<MessageQueue> exclusiveQueues = new ArrayList<>();
    /** The message counters of this connection's channels, for management's rates. */
    private final ConnectionCounters counters = new ConnectionCounters();
    private String connectionName;

    ConnectionContext(ChannelHandlerContext ctx, NegotiatedTerms terms, ResourceAccess access,
                      MessageStats stats, AmqpSettings settings, TaskBatcher batcher, Outbox outbox,
                      PublisherGate publisherGate, DeliveryWindow deliveryWindow, DirectReplyTo replies,
                      ConsumerTimeouts consumerTimeouts, Consumer<AmqpException> connectionError,
                      IntConsumer channelClosed) {
        this.replies = replies;
        this.consumerTimeouts = consumerTimeouts;
        this.ctx = ctx;
        this.terms = terms;
        this.access = access;
        this.stats = stats;
        this.settings = settings;
        this.batcher = batcher;
        this.outbox = outbox;
        this.publisherGate = publisherGate;
        this.deliveryWindow = deliveryWindow;
        this.connectionError = connectionError;
        this.channelClosed = channelClosed;
    }

    /** The server's direct reply-to consumers. */
    DirectReplyTo replies() {
        return replies;
    }

    /** Watches the channels' unacked deliveries for the consumer timeout. */
    ConsumerTimeouts consumerTimeouts() {
        return consumerTimeouts;
    }

    ChannelHandlerContext ctx() {
        return ctx;
    }

    /** Where a traced message came from or went to (the firehose's connection, channel and user headers). */
    Firehose.Origin traceOrigin(int channel) {
        if (connectionName == null) {
            connectionName = ConnectionInfo.nameOf((InetSocketAddress) ctx.channel().remoteAddress(),
                    (InetSocketAddress) ctx.channel().localAddress());
        }
        return new Firehose.Origin(connectionName, channel, terms.user().name());
    }

    NegotiatedTerms terms() {
        return terms;
    }

    User user() {
        return terms.user();
    }

    VirtualHost vhost() {
        return terms.vhost();
    }

    /** The access checks for this connection's user in its virtual host. */
    ResourceAccess access() {
        return access;
    }

    MessageStats stats() {
        return stats;
    }

    /** The counters of this connection's channels (open ones, and the sum of closed ones). */
    ConnectionCounters counters() {
        return counters;
    }

    AmqpSettings settings() {
        return settings;
    }

    TaskBatcher batcher() {
        return batcher;
    }

    Outbox outbox() {
        return outbox;
    }

    PublisherGate publisherGate() {
        return publisherGate;
    }

    DeliveryWindow deliveryWindow() {
        return deliveryWindow;
    }

    /** The socket takes more now (read by queue threads: while it does not, consumers here take nothing). */
    boolean isWritable() {
        return ctx.channel().isWritable();
    }

    void send(int channel, Method method) {
        ctx.writeAndFlush(FrameWriter.method(ctx.alloc(), channel, method), ctx.voidPromise());
    }

    /** Writes a method with content (deliver, get-ok, return) as its frames. */
    void writeContent(int channel, Method method, Message message) {
        ByteBuf frames = FrameWriter.content(ctx.alloc(), channel, method, message.properties(), message.body(), terms.frameMax());
        ctx.writeAndFlush(frames, ctx.voidPromise());
    }

    /** Writes a basic.deliver and its content (see {@link FrameWriter#deliver}). */
    void writeDeliver(int channel, String consumerTag, long deliveryTag, boolean redelivered, Message message) {
        ByteBuf frames = FrameWriter.deliver(ctx.alloc(), channel, consumerTag, deliveryTag, redelivered, message.exchange(),
                message.routingKey(), message.properties(), message.body(), terms.frameMax());
        ctx.writeAndFlush(frames, ctx.voidPromise());
    }

    /** Closes the whole connection for a hard error. */
    void connectionError(AmqpException error) {
        connectionError.accept(error);
    }

    /** A channel's close handshake is done. */
    void channelClosed(int channel) {
        channelClosed.accept(channel);
    }

    /** A channel has confirms to send; they go out once per batch of work, see {@link #sendDueConfirms()}. */
    void confirmsDue(PublishMethods channel) {
        confirmsDue.add(channel);
    }

    void sendDueConfirms() {
        for (int i = 0; i < confirmsDue.size(); i++) {
            confirmsDue.get(i).sendDueConfirms();
        }
        confirmsDue.clear();
    }

    void exclusiveQueueDeclared(MessageQueue queue) {
        if (!exclusiveQueues.contains(queue)) {
            exclusiveQueues.add(queue);
        }
    }

    /** The exclusive queues this connection declared, handed over once to be deleted with it. */
    List<MessageQueue> takeExclusiveQueues() {
        List<MessageQueue> taken = List.copyOf(exclusiveQueues);
        exclusiveQueues.clear();
        return taken;
    }
}
