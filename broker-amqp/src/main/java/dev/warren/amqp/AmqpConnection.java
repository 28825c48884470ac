package dev.warren.amqp;

import dev.warren.amqp.protocol.Frame;
import dev.warren.amqp.protocol.FrameDecoder;
import dev.warren.amqp.protocol.FrameError;
import dev.warren.amqp.protocol.FrameWriter;
import dev.warren.amqp.protocol.Method;
import dev.warren.amqp.protocol.MethodCodec;
import dev.warren.amqp.protocol.Methods;
import dev.warren.core.AmqpException;
import dev.warren.core.Broker;
import dev.warren.core.MessageQueue;
import dev.warren.core.ReplyCode;
import dev.warren.core.VirtualHost;
import dev.warren.core.auth.ResourceAccess;
import dev.warren.core.auth.User;
import dev.warren.core.connection.ChannelInfo;
import dev.warren.core.connection.ConnectionInfo;
import dev.warren.core.stats.MessageStats;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: the handshake state machine on channel 0, the table of open channels, and the
 * closing sequence for connection errors.
 *
 * <p>Threading: everything here runs on the connection's event loop. Queues owned by other loops are
 * reached through {@link #batcher()}; deliveries from them arrive through {@link Outbox}.
 */
final class AmqpConnection extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(AmqpConnection.class);

    private enum State { AWAITING_PROTOCOL_HEADER, AWAITING_START_OK, AWAITING_TUNE_OK, AWAITING_OPEN, OPEN, CLOSING, CLOSED }

    private final Broker broker;
    private final AmqpSettings settings;
    private final FrameDecoder decoder;
    private final TaskBatcher batcher = new TaskBatcher();
    private final List<MessageQueue> exclusiveQueues = new ArrayList<>();
    private final List<AmqpChannel> confirmsDue = new ArrayList<>();
    private AmqpChannel[] channels;
    private ChannelHandlerContext ctx;
    private State state = State.AWAITING_PROTOCOL_HEADER;
    private ScheduledFuture<?> handshakeTimeout;
    private Outbox outbox;
    private PublisherFlow publisherFlow;
    private ReadGate readGate;
    /** The client understands connection.blocked/unblocked (a client capability). */
    private boolean blockedNotifications;
    /** This connection has published: a resource alarm blocks it. */
    private boolean publishes;
    /** connection.blocked was sent (or would have been) and reading stopped for a resource alarm. */
    private boolean blockedByAlarm;
    private User user;
    private String authMechanism;
    private Map<String, Object> clientProperties = Map.of();
    private VirtualHost vhost;
    private ResourceAccess access;
    /** Registered with the broker while open; null before connection.open and after closing. */
    private AmqpClientConnection registered;
    /** Read by management threads. */
    private volatile int openChannels;
    private int heartbeat;
    private int channelMax;
    private int frameMax;
    private boolean consumerCancelNotify;
    private volatile boolean writable = true;
    private String peer = "?";

    AmqpConnection(Broker broker, AmqpSettings settings, FrameDecoder decoder) {
        this.broker = broker;
        this.settings = settings;
        this.decoder = decoder;
        this.frameMax = settings.frameMax();
        this.channelMax = settings.channelMax();
    }

    // ---- what channels use ----

    ChannelHandlerContext ctx() {
        return ctx;
    }

    TaskBatcher batcher() {
        return batcher;
    }

    Outbox outbox() {
        return outbox;
    }

    PublisherFlow publisherFlow() {
        return publisherFlow;
    }

    VirtualHost vhost() {
        return vhost;
    }

    User user() {
        return user;
    }

    /** The access checks for this connection's user in its virtual host. */
    ResourceAccess access() {
        return access;
    }

    MessageStats stats() {
        return broker.stats();
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

    int frameMax() {
        return frameMax;
    }

    AmqpSettings settings() {
        return settings;
    }

    boolean consumerCancelNotify() {
        return consumerCancelNotify;
    }

    boolean isOpen() {
        return state == State.OPEN;
    }

    /** Read on queue threads: while the socket's outbound buffer is full, consumers here take nothing. */
    boolean isWritable() {
        return writable;
    }

    void exclusiveQueueDeclared(MessageQueue queue) {
        if (!exclusiveQueues.contains(queue)) {
            exclusiveQueues.add(queue);
        }
    }

    void send(int channel, Method method) {
        ctx.writeAndFlush(FrameWriter.method(ctx.alloc(), channel, method), ctx.voidPromise());
    }

    /** A channel has confirms to send; they go out once per batch of work, see {@link #sendDueConfirms()}. */
    void confirmsDue(AmqpChannel channel) {
        confirmsDue.add(channel);
    }

    private void sendDueConfirms() {
        for (int i = 0; i < confirmsDue.size(); i++) {
            confirmsDue.get(i).sendDueConfirms();
        }
        confirmsDue.clear();
    }

    /** Called by a channel once its close handshake is done. */
    void channelClosed(int channelId) {
        channels[channelId] = null;
        openChannels--;
    }

    // ---- Netty events ----

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.outbox = new Outbox(ctx.channel().eventLoop(), this::sendDueConfirms);
        this.readGate = new ReadGate(ctx.channel());
        this.publisherFlow = new PublisherFlow(readGate, outbox);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress address) {
            peer = address.getAddress().getHostAddress() + ":" + address.getPort();
        }
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
            sendStart();
        } else if (msg instanceof FrameError error) {
            closeWithError(error.error());
        } else if (msg instanceof Frame frame) {
            onFrame(frame);
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
        writable = ctx.channel().isWritable();
        if (writable && channels != null) {
            for (AmqpChannel channel : channels) {
                if (channel != null) {
                    channel.wakeAllConsumers();
                }
            }
            batcher.flush();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent idle) {
            if (idle.state() == IdleState.WRITER_IDLE) {
                ctx.writeAndFlush(FrameWriter.heartbeat(ctx.alloc()), ctx.voidPromise());
            } else if (idle.state() == IdleState.READER_IDLE && !readGate.isPaused()) {
                // (while the broker itself is not reading, client heartbeats wait in the socket)
                LOG.warn("Closing connection from {}: missed heartbeats from client", peer);
                ctx.close();
            }
        } else {
            ctx.fireUserEventTriggered(event);
        }
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
        if (was == State.OPEN) {
            LOG.info("Connection from {} closed abruptly (user '{}')", peer, user == null ? "" : user.name());
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
        LOG.error("Unexpected error on connection from {}", peer, cause);
        closeWithError(new AmqpException(ReplyCode.INTERNAL_ERROR, "internal error"));
    }

    // ---- frames ----

    private void onFrame(Frame frame) {
        if (state == State.CLOSED) {
            frame.payload().release();
            return;
        }
        try {
            if (frame.type() == Frame.HEARTBEAT) {
                frame.payload().release();
                if (frame.channel() != 0) {
                    throw new AmqpException(ReplyCode.UNEXPECTED_FRAME, "heartbeat frame on channel " + frame.channel());
                }
            } else if (frame.channel() == 0) {
                onChannelZeroFrame(frame);
            } else {
                onChannelFrame(frame);
            }
        } catch (AmqpException e) {
            closeWithError(e);
        } catch (RuntimeException e) {
            LOG.error("Unexpected error handling a frame from {}", peer, e);
            closeWithError(new AmqpException(ReplyCode.INTERNAL_ERROR, "internal error"));
        }
    }

    private void onChannelZeroFrame(Frame frame) {
        if (frame.type() != Frame.METHOD) {
            frame.payload().release();
            throw new AmqpException(ReplyCode.UNEXPECTED_FRAME, "content frame on channel 0");
        }
        Method method;
        try {
            method = MethodCodec.decode(frame.payload());
        } finally {
            frame.payload().release();
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
            case AWAITING_START_OK -> onStartOk(expect(method, Methods.CONNECTION_START_OK));
            case AWAITING_TUNE_OK -> onTuneOk(expect(method, Methods.CONNECTION_TUNE_OK));
            case AWAITING_OPEN -> onOpen(expect(method, Methods.CONNECTION_OPEN));
            case OPEN -> onOpenConnectionMethod(method);
            default -> throw new AmqpException(ReplyCode.COMMAND_INVALID, "unexpected " + method.spec().name());
        }
    }

    private static Method expect(Method method, dev.warren.amqp.protocol.MethodSpec expected) {
        if (!method.is(expected)) {
            throw new AmqpException(ReplyCode.COMMAND_INVALID,
                    "expected '" + expected.name() + "', got '" + method.spec().name() + "'");
        }
        return method;
    }

    private void onOpenConnectionMethod(Method method) {
        if (method.is(Methods.CONNECTION_CLOSE)) {
            LOG.info("Connection from {} closed by client (user '{}')", peer, user.name());
            releaseChannels();
            unregister();
            state = State.CLOSING;
            send(0, Methods.CONNECTION_CLOSE_OK.with());
            // As RabbitMQ: the client closes the socket once it reads close-ok; closing first could reset
            // a socket the client is still writing to (acks sent before it saw close-ok).
            closeSocketLater();
        } else if (method.is(Methods.CONNECTION_UPDATE_SECRET)) {
            String secret = method.string("new-secret");
            if (broker.users().authenticate(user.name(), secret, remoteAddress()).isEmpty()) {
                throw new AmqpException(ReplyCode.NOT_ALLOWED, "the new secret does not authenticate user '" + user.name() + "'");
            }
            send(0, Methods.CONNECTION_UPDATE_SECRET_OK.with());
        } else {
            throw new AmqpException(ReplyCode.COMMAND_INVALID, "unexpected " + method.spec().name() + " on an open connection");
        }
    }

    private void onChannelFrame(Frame frame) {
        int id = frame.channel();
        if (state != State.OPEN) {
            frame.payload().release();
            if (state == State.CLOSING) {
                return;
            }
            throw new AmqpException(ReplyCode.CHANNEL_ERROR, "channel " + id + " used before the connection was opened");
        }
        if (id > channelMax) {
            frame.payload().release();
            throw new AmqpException(ReplyCode.CHANNEL_ERROR, "channel " + id + " is above the negotiated channel-max " + channelMax);
        }
        AmqpChannel channel = channels[id];
        if (channel == null) {
            openChannel(frame);
        } else {
            channel.onFrame(frame);
        }
    }

    /** Opens a channel for a channel.open frame on an unused id; anything else there is CHANNEL_ERROR. */
    private void openChannel(Frame frame) {
        Method method = null;
        try {
            if (frame.type() == Frame.METHOD) {
                method = MethodCodec.decode(frame.payload().duplicate());
            }
        } catch (AmqpException e) {
            frame.payload().release();
            throw e;
        }
        frame.payload().release();
        if (method == null || !method.is(Methods.CHANNEL_OPEN)) {
            throw new AmqpException(ReplyCode.CHANNEL_ERROR, "expected 'channel.open' on channel " + frame.channel(),
                    method == null ? 0 : method.spec().classId(), method == null ? 0 : method.spec().methodId());
        }
        AmqpChannel channel = new AmqpChannel(this, frame.channel());
        channels[frame.channel()] = channel;
        openChannels++;
        send(frame.channel(), Methods.CHANNEL_OPEN_OK.with(new byte[0]));
    }

    // ---- handshake ----

    private void sendStart() {
        state = State.AWAITING_START_OK;
        send(0, Methods.CONNECTION_START.with(0, 9, ServerProperties.table(), SaslResponse.MECHANISMS, "en_US"));
    }

    private void onStartOk(Method startOk) {
        clientProperties = startOk.table("client-properties");
        if (clientProperties.get("capabilities") instanceof Map<?, ?> capabilities) {
            consumerCancelNotify = Boolean.TRUE.equals(capabilities.get("consumer_cancel_notify"));
            blockedNotifications = Boolean.TRUE.equals(capabilities.get("connection.blocked"));
        }
        String mechanism = startOk.string("mechanism");
        authMechanism = mechanism;
        SaslResponse credentials = SaslResponse.parse(mechanism, startOk.bytes("response"));
        user = broker.users().authenticate(credentials.username(), credentials.password(), remoteAddress()).orElse(null);
        if (user == null) {
            LOG.warn("Login refused for user '{}' from {} (mechanism {})", credentials.username(), peer, mechanism);
            throw AmqpException.of(ReplyCode.ACCESS_REFUSED,
                    "Login was refused using authentication mechanism %s. For details see the broker logfile.", mechanism);
        }
        state = State.AWAITING_TUNE_OK;
        send(0, Methods.CONNECTION_TUNE.with(settings.channelMax(), (long) settings.frameMax(), settings.heartbeatSeconds()));
    }

    private void onTuneOk(Method tuneOk) {
        int clientChannelMax = tuneOk.intValue("channel-max");
        long clientFrameMax = tuneOk.longValue("frame-max");
        int heartbeat = tuneOk.intValue("heartbeat");
        // As RabbitMQ: 0 would mean "no limit", which a server with limits refuses.
        if (clientFrameMax < AmqpSettings.MIN_FRAME_MAX) {
            throw AmqpException.of(ReplyCode.NOT_ALLOWED, "frame_max=%d < %d min size", clientFrameMax, AmqpSettings.MIN_FRAME_MAX);
        }
        if (clientFrameMax > settings.frameMax()) {
            throw AmqpException.of(ReplyCode.NOT_ALLOWED, "frame_max=%d > %d max size", clientFrameMax, settings.frameMax());
        }
        if (clientChannelMax == 0 || clientChannelMax > settings.channelMax()) {
            throw AmqpException.of(ReplyCode.NOT_ALLOWED, "channel_max=%d > %d max", clientChannelMax, settings.channelMax());
        }
        channelMax = clientChannelMax;
        frameMax = (int) clientFrameMax;
        this.heartbeat = heartbeat;
        decoder.frameMax(frameMax);
        channels = new AmqpChannel[channelMax + 1];
        if (heartbeat > 0) {
            // Send when we have been quiet for half the interval; give up after two silent intervals.
            ctx.pipeline().addBefore(ctx.name(), "heartbeat",
                    new IdleStateHandler(heartbeat * 2L * 1000, Math.max(500, heartbeat * 500L), 0, TimeUnit.MILLISECONDS));
        }
        state = State.AWAITING_OPEN;
    }

    private void onOpen(Method open) {
        String vhostName = open.string("virtual-host");
        VirtualHost found = broker.vhost(vhostName);
        if (found == null) {
            throw AmqpException.of(ReplyCode.NOT_ALLOWED, "vhost %s not found", vhostName);
        }
        if (!ResourceAccess.mayOpen(broker.users(), user.name(), vhostName)) {
            LOG.warn("Connection from {} refused: user '{}' has no access to vhost '{}'", peer, user.name(), vhostName);
            throw AmqpException.of(ReplyCode.NOT_ALLOWED, "access to vhost '%s' refused for user '%s'", vhostName, user.name());
        }
        vhost = found;
        access = new ResourceAccess(broker.users(), user.name(), vhostName);
        state = State.OPEN;
        handshakeTimeout.cancel(false);
        register();
        LOG.info("Connection from {} opened (user '{}', vhost '{}')", peer, user.name(), vhostName);
        send(0, Methods.CONNECTION_OPEN_OK.with(""));
    }

    private void register() {
        InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
        InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
        registered = new AmqpClientConnection(this, new ConnectionInfo(ConnectionInfo.nameOf(remote, local), user.name(),
                vhost.name(), remote, local, System.currentTimeMillis(), clientProperties, authMechanism, frameMax,
                channelMax, heartbeat));
        broker.connections().add(registered);
    }

    private void unregister() {
        if (registered != null) {
            broker.connections().remove(registered);
            registered = null;
        }
    }

    // ---- resource alarms ----

    /** A message is being published on this connection: while an alarm is raised, reading stops after it. */
    void publishing() {
        publishes = true;
        if (!blockedByAlarm && vhost.storage().diskAlarm().raised()) {
            block();
        }
    }

    /** The disk alarm changed (on this connection's loop): block a publishing connection, or unblock. */
    void alarmChanged(boolean raised) {
        if (state != State.OPEN) {
            return;
        }
        if (raised && publishes && !blockedByAlarm) {
            block();
        } else if (!raised && blockedByAlarm) {
            blockedByAlarm = false;
            if (blockedNotifications) {
                send(0, Methods.CONNECTION_UNBLOCKED.with());
            }
            readGate.resume(ReadGate.Reason.RESOURCE_ALARM);
            LOG.info("Connection from {} unblocked: the resource alarm cleared", peer);
        }
    }

    private void block() {
        blockedByAlarm = true;
        if (blockedNotifications) {
            send(0, Methods.CONNECTION_BLOCKED.with("low on " + vhost.storage().diskAlarm().resource()));
        }
        readGate.pause(ReadGate.Reason.RESOURCE_ALARM);
        LOG.info("Connection from {} blocked: low on {}", peer, vhost.storage().diskAlarm().resource());
    }

    private java.net.InetAddress remoteAddress() {
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
        String who = user == null ? "" : user.name();
        if (error.replyCode() == ReplyCode.CONNECTION_FORCED) {
            LOG.info("Closing connection from {} (user '{}'): {}", peer, who, error.replyText());
        } else {
            LOG.warn("Closing connection from {} (user '{}'): {}", peer, who, error.replyText());
        }
        state = State.CLOSING;
        releaseChannels();
        unregister();
        send(0, Methods.CONNECTION_CLOSE.with(error.replyCode().code(), truncate(error.replyText()), error.classId(), error.methodId()));
        closeSocketLater();
    }

    private void closeSocketLater() {
        ctx.executor().schedule(() -> ctx.close(), settings.closeTimeoutMillis(), TimeUnit.MILLISECONDS);
    }

    static String truncate(String replyText) {
        return replyText.length() <= 255 ? replyText : replyText.substring(0, 252) + "...";
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
        for (MessageQueue queue : exclusiveQueues) {
            batcher.submit(queue.executor(), () -> queue.delete(false, false));
        }
        exclusiveQueues.clear();
        batcher.flush();
    }
}
