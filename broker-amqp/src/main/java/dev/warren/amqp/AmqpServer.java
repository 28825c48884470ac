package dev.warren.amqp;

import dev.warren.amqp.tls.ServerTls;
import dev.warren.core.AmqpException;
import dev.warren.core.Broker;
import dev.warren.core.MessageQueue;
import dev.warren.core.ReplyCode;
import dev.warren.core.VirtualHost;
import dev.warren.core.connection.ListenerControl;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AMQP listener: a few event loops (epoll on Linux when available, see {@link #defaultEventLoops}),
 * each connection living on one loop for its whole life. By default it listens on all interfaces, IPv6
 * and IPv4, as RabbitMQ does.
 */
public final class AmqpServer implements AutoCloseable, ListenerControl {
    private static final Logger LOG = LoggerFactory.getLogger(AmqpServer.class);

    private final Broker broker;
    private final AmqpSettings settings;
    /** Direct reply-to consumers of every connection of this server. */
    private final DirectReplyTo replies = new DirectReplyTo();
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final int eventLoops;
    private final Class<? extends ServerChannel> channelType;
    private final List<Channel> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ChannelGroup connections = new DefaultChannelGroup("amqp-connections", GlobalEventExecutor.INSTANCE);
    /** Where start and startTls listened (bound addresses, and the TLS of each), so start_app listens there again. */
    private final List<Endpoint> endpoints = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** A listener's bound addresses and its TLS, or null for plain AMQP. */
    private record Endpoint(List<InetSocketAddress> addresses, ServerTls tls) {
    }

    public AmqpServer(Broker broker, AmqpSettings settings) {
        this(broker, settings, 0);
    }

    /**
     * How many event loops serve connections unless configured: one per core but one, which is left to the
     * journal writer (its fsyncs cost kernel CPU) and the JVM, and at least one. Loops never block, so more
     * loops than cores only add work: every message that crosses from one loop to another wakes a thread.
     * On a two-core machine a single loop keeps a publisher, its queue and its consumer on one thread and
     * confirmed twice as many persistent messages per second (deploy/bench/RESULTS.md).
     */
    public static int defaultEventLoops() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
    }

    /** @param threads event loops for connections; 0 means {@link #defaultEventLoops} */
    public AmqpServer(Broker broker, AmqpSettings settings, int threads) {
        this.broker = broker;
        this.settings = settings;
        IoHandlerFactory io = Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.channelType = Epoll.isAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        this.bossGroup = new MultiThreadIoEventLoopGroup(1, io);
        this.eventLoops = threads > 0 ? threads : defaultEventLoops();
        this.workerGroup = new MultiThreadIoEventLoopGroup(eventLoops, io);
        broker.storage().alarms().forEach(alarm -> alarm.onChange(this::alarmChanged));
        broker.storage().messages().writeBacklog().onChange(behind -> eachConnection(AmqpConnection::storeBacklogChanged));
    }

    /**
     * Tells every connection, on its own loop, that a resource alarm (disk, memory) was raised or cleared;
     * each reads the alarms as they are when the task runs, so which change this was does not matter.
     */
    private void alarmChanged(boolean ignored) {
        eachConnection(AmqpConnection::alarmChanged);
    }

    /** Runs {@code task} for every connection, each on its own loop. */
    private void eachConnection(java.util.function.Consumer<AmqpConnection> task) {
        for (Channel connection : connections) {
            AmqpConnection amqp = connection.pipeline().get(AmqpConnection.class);
            if (amqp != null) {
                connection.eventLoop().execute(() -> task.accept(amqp));
            }
        }
    }

    /** How many event loops serve connections. */
    public int eventLoops() {
        return eventLoops;
    }

    /** An event loop to own a queue that no connection declared (queues restored on start). */
    public io.netty.util.concurrent.EventExecutor nextLoop() {
        return workerGroup.next();
    }

    /**
     * Starts listening. A null or empty host means every interface: a dual-stack IPv6 socket when the
     * machine has IPv6, else IPv4. Returns the bound addresses (port 0 picks a free port).
     */
    public List<InetSocketAddress> start(String host, int port) throws InterruptedException {
        List<InetSocketAddress> bound = listen(bootstrapFor(null), addresses(host, port), null);
        endpoints.add(new Endpoint(bound, null));
        broker.listeners(this);
        return bound;
    }

    /**
     * Starts an AMQPS listener beside the plain one (RabbitMQ's listeners.ssl.default): the same connections,
     * inside TLS with the context {@code tls} holds when each connects. Returns the bound addresses.
     */
    public List<InetSocketAddress> startTls(String host, int port, ServerTls tls) throws InterruptedException {
        List<InetSocketAddress> bound = listen(bootstrapFor(tls), addresses(host, port), tls);
        endpoints.add(new Endpoint(bound, tls));
        broker.listeners(this);
        return bound;
    }

    /**
     * The largest TCP segment the broker sends (TCP_MAXSEG on the listening sockets, which accepted ones inherit), set
     * by the system property {@code warren.tcp.maxSegmentSize} (up to 32767; 0 leaves it to the kernel). Over loopback
     * (MTU 64 KiB) the default 16384 keeps a client with a small receive buffer from being sent two 64 KiB segments it
     * cannot hold — the second is dropped and resent only after the 200 ms retransmission timeout, the 200 ms tail of a
     * fast consumer on the same host (RESULTS.md). Real networks have smaller segments: no effect there.
     */
    static final int MAX_SEGMENT_SIZE = Math.min(32_767, Integer.getInteger("warren.tcp.maxSegmentSize", 16_384));
    private static final IntegerUnixChannelOption TCP_MAXSEG = new IntegerUnixChannelOption("TCP_MAXSEG", 6, 2);

    private ServerBootstrap bootstrapFor(ServerTls tls) {
        ServerBootstrap bootstrap = new ServerBootstrap();
        if (MAX_SEGMENT_SIZE > 0 && Epoll.isAvailable()) {
            bootstrap.option(TCP_MAXSEG, MAX_SEGMENT_SIZE);
        }
        return bootstrap
                .group(bossGroup, workerGroup)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                // deliveries stop while this much is waiting to go out, and resume below the low mark
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        AmqpConnection connection = new AmqpConnection(broker, settings, replies);
                        if (tls != null) {
                            SslHandler ssl = tls.newHandler(ch.alloc());
                            ssl.setHandshakeTimeoutMillis(settings.handshakeTimeoutMillis());
                            ch.pipeline().addLast("tls", ssl);
                        }
                        ch.pipeline()
                                .addLast("flush", new FlushConsolidationHandler(256, true))
                                .addLast("frames", connection.decoder())
                                .addLast("amqp", connection);
                    }
                });
    }

    private List<InetSocketAddress> listen(ServerBootstrap bootstrap, List<InetSocketAddress> addresses, ServerTls tls)
            throws InterruptedException {
        List<InetSocketAddress> bound = new ArrayList<>();
        for (InetSocketAddress address : addresses) {
            Channel listener = bootstrap.bind(address).sync().channel();
            listeners.add(listener);
            bound.add((InetSocketAddress) listener.localAddress());
        }
        LOG.info("AMQP 0-9-1{} listening on {} ({}, {} event loop{})", tls == null ? "" : " over TLS (" + ServerTls.provider() + ")",
                describe(bound), Epoll.isAvailable() ? "epoll" : "nio", eventLoops, eventLoops == 1 ? "" : "s");
        return bound;
    }

    private static List<InetSocketAddress> addresses(String host, int port) {
        if (host != null && !host.isEmpty()) {
            return List.of(new InetSocketAddress(host, port));
        }
        try {
            // "::" accepts IPv4 too (IPv4-mapped), as RabbitMQ's default listener does.
            return List.of(new InetSocketAddress(InetAddress.getByName("::"), port));
        } catch (UnknownHostException e) {
            return List.of(new InetSocketAddress(port));
        }
    }

    private static String describe(List<InetSocketAddress> bound) {
        List<String> names = new ArrayList<>();
        for (InetSocketAddress a : bound) {
            String host = a.getAddress().isAnyLocalAddress() ? "[::] and 0.0.0.0" : a.getAddress().getHostAddress();
            names.add(host + " port " + a.getPort());
        }
        return String.join(", ", names);
    }

    /**
     * Stops the broker's AMQP side as RabbitMQ does on shutdown: stop accepting, tell every client
     * connection.close 320 CONNECTION_FORCED, give them a moment to close, then drop what is left and
     * release the messages the queues still hold in memory.
     */
    @Override
    public void close() {
        closeListenersAndConnections();
        releaseQueuedMessages();
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** stop_app: no new connections, every client connection closed with 320; queues and messages stay. */
    @Override
    public synchronized boolean stopListening() {
        if (listeners.isEmpty()) {
            return false;
        }
        closeListenersAndConnections();
        LOG.info("AMQP listeners stopped (stop_app); definitions, queues and messages are kept");
        return true;
    }

    /** start_app: listens again on the addresses bound at start (the same ports). */
    @Override
    public synchronized boolean startListening() throws InterruptedException {
        if (!listeners.isEmpty()) {
            return false;
        }
        for (Endpoint endpoint : endpoints) {
            listen(bootstrapFor(endpoint.tls()), endpoint.addresses(), endpoint.tls());
        }
        return true;
    }

    @Override
    public boolean listening() {
        return !listeners.isEmpty();
    }

    private void closeListenersAndConnections() {
        for (Channel listener : listeners) {
            listener.close().syncUninterruptibly();
        }
        listeners.clear();
        AmqpException shutdown = new AmqpException(ReplyCode.CONNECTION_FORCED, "broker forced connection closure with reason 'shutdown'");
        for (Channel connection : connections) {
            AmqpConnection amqp = connection.pipeline().get(AmqpConnection.class);
            if (amqp != null) {
                connection.eventLoop().execute(() -> amqp.closeWithError(shutdown));
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.closeTimeoutMillis());
        for (Channel connection : connections) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                connection.closeFuture().awaitUninterruptibly(left, TimeUnit.NANOSECONDS);
            }
        }
        connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }

    /**
     * Runs on each queue's own thread, after the requeues of the connections just closed. Stored messages
     * stay in the store.
     */
    private void releaseQueuedMessages() {
        for (VirtualHost vhost : broker.vhosts()) {
            for (MessageQueue queue : vhost.queues()) {
                if (!queue.executor().isShuttingDown()) {
                    queue.executor().submit(() -> queue.process().stop()).awaitUninterruptibly(2, TimeUnit.SECONDS);
                }
            }
        }
    }
}
