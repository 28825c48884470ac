package dev.warren.amqp;

import dev.warren.amqp.protocol.Frame;
import dev.warren.amqp.protocol.FrameDecoder;
import dev.warren.amqp.tls.TlsFailures;
import dev.warren.amqp.tls.TlsPeer;
import dev.warren.amqp.protocol.FrameError;
import dev.warren.amqp.protocol.FrameWriter;
import dev.warren.amqp.protocol.Method;
import dev.warren.amqp.protocol.MethodCodec;
import dev.warren.amqp.protocol.MethodSpec;
import dev.warren.amqp.protocol.Methods;
import dev.warren.amqp.protocol.ReplyText;
import dev.warren.core.AmqpException;
import dev.warren.core.Broker;
import dev.warren.core.LogSafe;
import dev.warren.core.MessageQueue;
import dev.warren.core.ReplyCode;
import dev.warren.core.auth.ResourceAccess;
import dev.warren.core.auth.User;
import dev.warren.core.connection.ChannelInfo;
import dev.warren.core.connection.ClientConnection;
import dev.warren.core.connection.ConnectionInfo;
import dev.warren.core.limits.Limits;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: the state machine on channel 0 (handshake, open, closing), the table of open
 * channels, and the closing sequence for connection errors. The handshake's checks are {@link Handshake}'s;
 * once it is done, channels get a {@link ConnectionContext} built from the negotiated terms.
 *
 * <p>Threading: everything here runs on the connection's event loop. Queues owned by other loops are
 * reached through the {@link TaskBatcher}; deliveries and answers from them arrive through the {@link Outbox}.
 */
final class AmqpConnection extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(AmqpConnection.class);

    private enum State { AWAITING_PROTOCOL_HEADER, AWAITING_START_OK, AWAITING_TUNE_OK, AWAITING_OPEN, OPEN, CLOSING, CLOSED }

    private final Broker broker;
    private final AmqpSettings settings;
    private final FrameDecoder decoder;
    private final DirectReplyTo replies;
    private final TaskBatcher batcher = new TaskBatcher();
    private static final int INITIAL_CHANNEL_SLOTS = 4;
    /**
     * Open channels by number. It starts small and grows to the highest number used, not to channel-max (2047
     * slots would be 8 KiB per connection, most of which has one or two channels).
     */
    private AmqpChannel[] channels;
    private ChannelHandlerContext ctx;
    private State state = State.AWAITING_PROTOCOL_HEADER;
    private ScheduledFuture<?> handshakeTimeout;
    private Handshake handshake;
    /** The connection's TLS once its protocol header arrived, or null for plain AMQP. */
    private TlsPeer tls;
    private Outbox outbox;
    private PublisherGate publisherGate;
    /** Set once the connection is open. */
    private ConnectionContext context;
    /** Registered with the broker while open; null before connection.open and after closing. */
    private AmqpClientConnection registered;
    /** Read by management threads. */
    private volatile int openChannels;
    private String peer = "?";

    AmqpConnection(Broker broker, AmqpSettings settings, DirectReplyTo replies) {
        this.replies = replies;
        this.broker = broker;
        this.settings = settings;
        this.decoder = new FrameDecoder(FrameDecoder.MIN_FRAME_SIZE, this::onFrame); // frame-max until tune-ok
    }

    /** The decoder that reads this connection's frames; it goes in the pipeline just before this handler. */
    FrameDecoder decoder() {
        return decoder;
    }

    ChannelHandlerContext ctx() {
        return ctx;
    }

    int openChannels() {
        return openChannels;
    }

    /** A snapshot of the open channels (event loop only). */
    List<ChannelInfo> channelInfos() {
        List<ChannelInfo> infos = new ArrayList<>();
        if (channels != null && state == State.OPEN) {
            for (AmqpChannel channel : channels) {
                if (channel != null && channel.isOpen()) {
                    infos.add(channel.info());
                }
            }
        }
        return infos;
    }

    private void send(int channel, Method method) {
        ctx.writeAndFlush(FrameWriter.method(ctx.alloc(), channel, method), ctx.voidPromise());
    }

    private void channelClosed(int channelId) {
        channels[channelId] = null;
        openChannels--;
    }

    /** Sends the confirms the last batch of work completed. */
    private void sendDueConfirms() {
        if (context != null) {
            context.sendDueConfirms();
        }
    }

    // ---- Netty events ----

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.outbox = new Outbox(ctx.channel().eventLoop(), this::sendDueConfirms);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress address) {
            peer = address.getAddress().getHostAddress() + ":" + address.getPort();
        }
        handshake = new Handshake(broker, settings, peer, remoteAddress());
        publisherGate = new PublisherGate(ctx.channel(), outbox, broker.storage().alarms(),
                broker.storage().messages().writeBacklog(), m -> send(0, m), peer);
        handshakeTimeout = ctx.executor().schedule(() -> {
            if (state.ordinal() < State.OPEN.ordinal()) {
                LOG.warn("Closing connection from {}: handshake not completed within {} ms", peer, settings.handshakeTimeoutMillis());
                ctx.close();
            }
        }, settings.handshakeTimeoutMillis(), TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg == FrameDecoder.PROTOCOL_HEADER_ACCEPTED) {
            state = State.AWAITING_START_OK;
            tls = TlsPeer.of(ctx.channel()); // data arrives only once a TLS handshake is done
            send(0, handshake.start(tls));
        } else if (msg instanceof FrameError error) {
            if (state == State.AWAITING_START_OK || state == State.AWAITING_TUNE_OK) {
                // before tune-ok, as RabbitMQ: a bad or oversized frame (over 4096 bytes) closes the socket
                LOG.warn("Closing connection from {} during the handshake: {}", peer, error.error().replyText());
                closeSocketNow();
                return;
            }
            closeWithError(error.error());
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        sendDueConfirms();
        batcher.flush();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            wakeAllConsumers();
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void wakeAllConsumers() {
        if (channels == null) {
            return;
        }
        for (AmqpChannel channel : channels) {
            if (channel != null) {
                channel.wakeAllConsumers();
            }
        }
        batcher.flush();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        State was = state;
        state = State.CLOSED;
        if (handshakeTimeout != null) {
            handshakeTimeout.cancel(false);
        }
        releaseChannels();
        unregister();
        if (publisherGate != null) {
            publisherGate.closed();
        }
        if (was == State.OPEN) {
            LOG.info("Connection from {} closed abruptly (user '{}')", peer, userName());
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A socket error (reset by peer) is not ours to report to the client; anything else is a bug.
        if (cause instanceof java.io.IOException) {
            LOG.debug("I/O error on connection from {}: {}", peer, cause.toString());
            ctx.close();
            return;
        }
        if (cause instanceof io.netty.handler.codec.DecoderException && cause.getCause() instanceof javax.net.ssl.SSLException tls) {
            // a client that cannot or may not talk TLS with us: its problem, said once, no stack trace
            LOG.warn("TLS handshake with {} failed: {}", peer, TlsFailures.reason(tls));
            ctx.close();
            return;
        }
        LOG.error("Unexpected error on connection from {}", peer, cause);
        closeWithError(new AmqpException(ReplyCode.INTERNAL_ERROR, "internal error"));
    }

    // ---- frames ----

    private void onFrame(int type, int channel, ByteBuf payload) {
        if (state == State.CLOSED) {
            payload.release();
            return;
        }
        try {
            if (type == Frame.HEARTBEAT) {
                payload.release();
                if (channel != 0) {
                    throw new AmqpException(ReplyCode.UNEXPECTED_FRAME, "heartbeat frame on channel " + channel);
                }
            } else if (channel == 0) {
                onChannelZeroFrame(type, payload);
            } else {
                onChannelFrame(type, channel, payload);
            }
        } catch (AmqpException e) {
            closeWithError(e);
        } catch (RuntimeException e) {
            LOG.error("Unexpected error handling a frame from {}", peer, e);
            closeWithError(new AmqpException(ReplyCode.INTERNAL_ERROR, "internal error"));
        }
    }

    private void onChannelZeroFrame(int type, ByteBuf payload) {
        if (type != Frame.METHOD) {
            payload.release();
            throw new AmqpException(ReplyCode.UNEXPECTED_FRAME, "content frame on channel 0");
        }
        Method method;
        try {
            method = MethodCodec.decode(payload);
        } finally {
            payload.release();
        }
        if (state == State.CLOSING) {
            if (method.is(Methods.CONNECTION_CLOSE_OK)) {
                ctx.close();
            } else if (method.is(Methods.CONNECTION_CLOSE)) {
                send(0, Methods.CONNECTION_CLOSE_OK.with());
            }
            return;
        }
        try {
            onConnectionMethod(method);
        } catch (AmqpException e) {
            throw e.withMethod(method.spec().classId(), method.spec().methodId());
        }
    }

    private void onConnectionMethod(Method method) {
        switch (state) {
            case AWAITING_START_OK -> {
                Method tune;
                try {
                    tune = handshake.startOk(expect(method, Methods.CONNECTION_START_OK));
                } catch (AmqpException e) {
                    if (e.replyCode() == ReplyCode.ACCESS_REFUSED && !handshake.authenticationFailureClose()) {
                        closeSocketNow(); // a client without the capability expects the socket closed, as RabbitMQ does
                        return;
                    }
                    throw e;
                }
                state = State.AWAITING_TUNE_OK;
                send(0, tune);
            }
            case AWAITING_TUNE_OK -> {
                handshake.tuneOk(expect(method, Methods.CONNECTION_TUNE_OK));
                tuned();
                state = State.AWAITING_OPEN;
            }
            case AWAITING_OPEN -> opened(handshake.open(expect(method, Methods.CONNECTION_OPEN)));
            case OPEN -> onOpenConnectionMethod(method);
            default -> throw new AmqpException(ReplyCode.COMMAND_INVALID, "unexpected " + method.spec().name());
        }
    }

    private static Method expect(Method method, MethodSpec expected) {
        if (!method.is(expected)) {
            throw new AmqpException(ReplyCode.COMMAND_INVALID,
                    "expected '" + expected.name() + "', got '" + method.spec().name() + "'");
        }
        return method;
    }

    /** The limits are settled: frames may be as large as agreed, and heartbeats start. */
    private void tuned() {
        decoder.frameMax(handshake.frameMax());
        int heartbeat = handshake.heartbeat();
        if (heartbeat > 0) {
            ctx.pipeline().addBefore(ctx.name(), "heartbeat", new Heartbeats(heartbeat, publisherGate::isPaused, () -> {
                LOG.warn("Closing connection from {}: missed heartbeats from client", peer);
                ctx.close();
            }));
        }
    }

    private void opened(NegotiatedTerms terms) {
        channels = new AmqpChannel[Math.min(terms.channelMax() + 1, INITIAL_CHANNEL_SLOTS)];
        publisherGate.blockedNotifications(terms.blockedNotifications());
        DeliveryWindow window = new DeliveryWindow(DeliveryWindow.DEFAULT_LIMIT, terms.vhost().storage().memory(),
                () -> outbox.post(this::wakeAllConsumers));
        context = new ConnectionContext(ctx, terms, new ResourceAccess(broker.users(), terms.user().name(), terms.vhost().name()),
                broker.stats(), settings, batcher, outbox, publisherGate, window, replies, new ConsumerTimeouts(ctx.executor()),
                this::closeWithError, this::channelClosed);
        state = State.OPEN;
        handshakeTimeout.cancel(false);
        register(terms);
        LOG.info("Connection from {} opened (user '{}', vhost '{}')", peer, terms.user().name(), terms.vhost().name());
        send(0, Methods.CONNECTION_OPEN_OK.with(""));
    }

    private void onOpenConnectionMethod(Method method) {
        if (method.is(Methods.CONNECTION_CLOSE)) {
            LOG.info("Connection from {} closed by client (user '{}')", peer, userName());
            releaseChannels();
            unregister();
            state = State.CLOSING;
            send(0, Methods.CONNECTION_CLOSE_OK.with());
            // As RabbitMQ: the client closes the socket once it reads close-ok; closing first could reset
            // a socket the client is still writing to (acks sent before it saw close-ok).
            closeSocketLater();
        } else if (method.is(Methods.CONNECTION_UPDATE_SECRET)) {
            updateSecret(method);
        } else {
            throw new AmqpException(ReplyCode.COMMAND_INVALID, "unexpected " + method.spec().name() + " on an open connection");
        }
    }

    /**
     * A client replacing its credentials on a live connection (OAuth-style token refresh). Unlike RabbitMQ's
     * internal user store, which accepts any new secret, Warren checks it as a login; a refusal is RabbitMQ's
     * 530 with its text, so clients that match it keep working.
     */
    private void updateSecret(Method method) {
        String userName = context.user().name();
        if (broker.users().authenticate(userName, method.string("new-secret"), remoteAddress()).isEmpty()) {
            LOG.warn("Connection from {}: new secret refused for user '{}'", peer, userName);
            throw new AmqpException(ReplyCode.NOT_ALLOWED,
                    "New secret was refused by one of the backends: it does not authenticate user '" + userName + "'");
        }
        LOG.info("Connection from {}: user '{}' updated its secret (reason: {})", peer, userName,
                LogSafe.escape(method.string("reason")));
        send(0, Methods.CONNECTION_UPDATE_SECRET_OK.with());
    }

    private void onChannelFrame(int type, int id, ByteBuf payload) {
        if (state != State.OPEN) {
            payload.release();
            if (state == State.CLOSING) {
                return;
            }
            throw new AmqpException(ReplyCode.CHANNEL_ERROR, "channel " + id + " used before the connection was opened");
        }
        int channelMax = context.terms().channelMax();
        if (id > channelMax) {
            payload.release();
            throw new AmqpException(ReplyCode.CHANNEL_ERROR, "channel " + id + " is above the negotiated channel-max " + channelMax);
        }
        AmqpChannel channel = id < channels.length ? channels[id] : null;
        if (channel == null) {
            openChannel(type, id, payload);
        } else {
            channel.onFrame(type, payload);
        }
    }

    /** Opens a channel for a channel.open frame on an unused id; anything else there is CHANNEL_ERROR. */
    private void openChannel(int type, int id, ByteBuf payload) {
        Method method = null;
        try {
            if (type == Frame.METHOD) {
                method = MethodCodec.decode(payload.duplicate());
            }
        } finally {
            payload.release();
        }
        if (method == null || !method.is(Methods.CHANNEL_OPEN)) {
            throw new AmqpException(ReplyCode.CHANNEL_ERROR, "expected 'channel.open' on channel " + id,
                    method == null ? 0 : method.spec().classId(), method == null ? 0 : method.spec().methodId());
        }
        checkUserChannelLimit();
        if (id >= channels.length) {
            channels = Arrays.copyOf(channels, Math.min(Math.max(id + 1, channels.length * 2), context.terms().channelMax() + 1));
        }
        channels[id] = new AmqpChannel(context, id);
        openChannels++;
        send(id, Methods.CHANNEL_OPEN_OK.with(new byte[0]));
    }

    /** RabbitMQ's user max-channels, over all the user's connections (refused with 530, closing the connection). */
    private void checkUserChannelLimit() {
        String user = context.user().name();
        Limits limits = broker.users().limits(user);
        if (limits.of(Limits.MAX_CHANNELS) < 0) {
            return;
        }
        if (limits.reached(Limits.MAX_CHANNELS, broker.connections().channelsWhere(c -> c.user().equals(user)))) {
            throw AmqpException.of(ReplyCode.NOT_ALLOWED,
                    "number of channels opened for user '%s' has reached the maximum allowed user limit of (%d)",
                    user, limits.of(Limits.MAX_CHANNELS));
        }
    }

    private void register(NegotiatedTerms terms) {
        InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
        InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
        registered = new AmqpClientConnection(this, new ConnectionInfo(ConnectionInfo.nameOf(remote, local), terms.user().name(),
                terms.vhost().name(), remote, local, System.currentTimeMillis(), terms.clientProperties(), terms.authMechanism(),
                terms.frameMax(), terms.channelMax(), terms.heartbeat(), tls == null ? null : tls.info()), context.counters());
        broker.connections().add(registered);
    }

    private void unregister() {
        if (registered != null) {
            broker.connections().remove(registered);
            registered = null;
        }
    }

    /** A resource alarm changed (on this connection's loop). */
    void alarmChanged() {
        if (state == State.OPEN) {
            publisherGate.alarmChanged();
        }
    }

    /** RabbitMQ's connection state (any thread). */
    String state() {
        return publisherGate.state();
    }

    /** The store fell behind or caught up (on this connection's loop). */
    void storeBacklogChanged() {
        if (state == State.OPEN) {
            publisherGate.storeBacklogChanged();
        }
    }

    private String userName() {
        User user = handshake == null ? null : handshake.user();
        return user == null ? "" : user.name();
    }

    private InetAddress remoteAddress() {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
    }

    // ---- closing ----

    /**
     * Handles an error: a soft error closes its channel, a hard one the connection (connection.close, then
     * the socket once the client answers or the close timeout passes).
     */
    void closeWithError(AmqpException error) {
        if (state == State.CLOSING || state == State.CLOSED) {
            return;
        }
        if (error.replyCode() == ReplyCode.CONNECTION_FORCED) {
            LOG.info("Closing connection from {} (user '{}'): {}", peer, userName(), error.replyText());
        } else {
            LOG.warn("Closing connection from {} (user '{}'): {}", peer, userName(), error.replyText());
        }
        state = State.CLOSING;
        releaseChannels();
        unregister();
        send(0, Methods.CONNECTION_CLOSE.with(error.replyCode().code(), ReplyText.fit(error.replyText()), error.classId(), error.methodId()));
        closeSocketLater();
    }

    /** Ends the connection without connection.close: for handshake failures the client cannot be told of. */
    private void closeSocketNow() {
        state = State.CLOSING; // channelInactive finishes the job
        ctx.close();
    }

    private void closeSocketLater() {
        ctx.executor().schedule(() -> ctx.close(), settings.closeTimeoutMillis(), TimeUnit.MILLISECONDS);
    }

    /** Closes every channel (requeueing their unacked messages) and deletes this connection's exclusive queues. */
    private void releaseChannels() {
        if (channels != null) {
            for (int i = 0; i < channels.length; i++) {
                if (channels[i] != null) {
                    channels[i].release();
                    channels[i] = null;
                }
            }
            openChannels = 0;
        }
        if (context != null) {
            context.consumerTimeouts().stop();
            for (MessageQueue queue : context.takeExclusiveQueues()) {
                batcher.submit(queue, q -> q.delete(false, false));
            }
        }
        batcher.flush();
    }
}
