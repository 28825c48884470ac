package dev.warren.mgmt.http;

import dev.warren.core.Broker;
import dev.warren.core.NodeName;
import dev.warren.mgmt.metrics.BrokerMetrics;
import dev.warren.mgmt.rates.RateHistory;
import dev.warren.mgmt.rates.RateSampler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import java.util.function.Function;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management HTTP API (RabbitMQ's /api, basic auth or warrenctl's local secret), Prometheus
 * {@code /metrics} (no login) and the web UI's files ({@code /} and {@code /ui/...}, no login) on one port. It has its own single event loop for HTTP I/O; handlers run on a
 * small separate pool because some wait (for a queue's thread, for the definitions file to be synced), never
 * on the AMQP server's loops.
 */
public final class ManagementServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ManagementServer.class);
    /** Largest request body: definitions documents can be big. */
    static final int MAX_BODY_BYTES = 16 * 1024 * 1024;
    /** How long a handler waits for a queue's or connection's thread. */
    static final long WAIT_MILLIS = 10_000;
    private static final int HANDLER_THREADS = 4;
    private static final int IDLE_SECONDS = 120;

    /** The HTTP listener, or null when there is only HTTPS. */
    private final Channel listener;
    /** The HTTPS listener (management.ssl.port), or null. */
    private final Channel httpsListener;
    private final EventLoopGroup group;
    private final ThreadPoolExecutor handlers;
    private final BrokerMetrics metrics;
    private final LocalSecret localSecret;
    private final int port;
    /** Samples the rates the API shows; null when sampling is off. */
    private final RateSampler sampler;

    private ManagementServer(Channel listener, Channel httpsListener, EventLoopGroup group, ThreadPoolExecutor handlers,
                             BrokerMetrics metrics, LocalSecret localSecret, RateSampler sampler) {
        this.listener = listener;
        this.httpsListener = httpsListener;
        this.group = group;
        this.handlers = handlers;
        this.metrics = metrics;
        this.localSecret = localSecret;
        this.sampler = sampler;
        this.port = listener == null ? -1 : ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /**
     * Starts listening, installs the metrics (latency histograms included) into the broker and, when there is a
     * data directory, writes {@code warrenctl.json} with the URL and a new secret.
     *
     * @throws IOException when the port cannot be bound or the secret file cannot be written
     */
    public static ManagementServer start(Broker broker, ManagementSettings settings) throws IOException, InterruptedException {
        if (settings.port() < 0 && settings.tls() == null) {
            throw new IllegalArgumentException("management needs an HTTP or an HTTPS listener");
        }
        BrokerMetrics metrics = new BrokerMetrics(broker);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        ThreadPoolExecutor handlerPool = handlerPool();
        AtomicInteger boundPort = new AtomicInteger(-1);
        AtomicInteger boundHttpsPort = new AtomicInteger(-1);
        String node = NodeName.get();
        ServerIdentity identity = new ServerIdentity(node, settings.productVersion(), settings.amqpPort(), boundPort::get,
                settings.amqpsPort(), boundHttpsPort::get);
        DispatcherHolder holder = new DispatcherHolder();
        String where = settings.host().isEmpty() ? "all interfaces" : settings.host();
        Channel listener = null;
        Channel httpsListener = null;
        try {
            if (settings.port() >= 0) {
                listener = bind(group, holder, handlerPool, null, settings.host(), settings.port());
                boundPort.set(((InetSocketAddress) listener.localAddress()).getPort());
            }
            if (settings.tls() != null) {
                httpsListener = bind(group, holder, handlerPool, settings.tls(), settings.host(), settings.sslPort());
                boundHttpsPort.set(((InetSocketAddress) httpsListener.localAddress()).getPort());
            }
        } catch (Exception e) {
            closeAll(listener, httpsListener);
            shutdown(group, handlerPool, metrics);
            if (e instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            boolean http = settings.port() >= 0 && listener == null;
            throw new IOException("cannot listen for " + (http ? "HTTP" : "HTTPS") + " (management) on " + where
                    + " port " + (http ? settings.port() : settings.sslPort()) + ": " + e.getMessage(), e);
        }
        LocalSecret secret = null;
        try {
            if (settings.dataDir() != null) {
                secret = listener != null
                        ? LocalSecret.write(settings.dataDir(), "http://127.0.0.1:" + boundPort.get(), null)
                        : LocalSecret.write(settings.dataDir(), "https://127.0.0.1:" + boundHttpsPort.get(),
                                settings.httpsTrust());
            }
        } catch (IOException e) {
            closeAll(listener, httpsListener);
            shutdown(group, handlerPool, metrics);
            throw new IOException("cannot write " + settings.dataDir().resolve(LocalSecret.FILE_NAME) + ": " + e.getMessage(), e);
        }
        RateSampler sampler = settings.ratesIntervalMillis() > 0
                ? new RateSampler(broker, new RateHistory(settings.ratesIntervalMillis()), System::currentTimeMillis)
                : null;
        RateHistory rates = sampler != null ? sampler.history() : RateHistory.unsampled();
        holder.dispatcher = new ApiDispatcher(routes(broker, metrics, identity, rates),
                new Authenticator(broker.users(), secret == null ? null : secret.secret()), broker);
        if (listener != null) {
            LOG.info("Management HTTP API, web UI and /metrics listening on {} port {}", where, boundPort.get());
        }
        if (httpsListener != null) {
            LOG.info("Management HTTPS API and /metrics listening on {} port {}", where, boundHttpsPort.get());
        }
        if (sampler != null) {
            sampler.start();
        }
        return new ManagementServer(listener, httpsListener, group, handlerPool, metrics, secret, sampler);
    }

    private static Channel bind(EventLoopGroup group, DispatcherHolder holder, ThreadPoolExecutor handlerPool,
                                Function<ByteBufAllocator, SslHandler> tls, String host, int port) throws InterruptedException {
        return bootstrap(group, holder, handlerPool, tls).bind(address(host, port)).sync().channel();
    }

    private static void closeAll(Channel... listeners) {
        for (Channel listener : listeners) {
            if (listener != null) {
                listener.close().syncUninterruptibly();
            }
        }
    }

    /** HTTP, or HTTPS when {@code tls} makes each connection's TLS handler. */
    private static ServerBootstrap bootstrap(EventLoopGroup group, DispatcherHolder holder, ThreadPoolExecutor handlerPool,
                                             Function<ByteBufAllocator, SslHandler> tls) {
        return new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 128)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast("tls", tls.apply(ch.alloc()));
                        }
                        ch.pipeline()
                                .addLast("idle", new IdleStateHandler(0, 0, IDLE_SECONDS))
                                .addLast("close-idle", new CloseIdle())
                                .addLast("http", new HttpServerCodec())
                                .addLast("aggregate", new HttpObjectAggregator(MAX_BODY_BYTES))
                                .addLast("api", new HttpChannelHandler(holder::dispatch, handlerPool));
                    }
                });
    }

    /** The port HTTPS listens on, or -1 when there is none. */
    public int httpsPort() {
        return httpsListener == null ? -1 : ((InetSocketAddress) httpsListener.localAddress()).getPort();
    }

    /** The dispatcher is made once the port (shown in /api/overview) is known; requests before that wait for it. */
    private static final class DispatcherHolder {
        volatile ApiDispatcher dispatcher;

        ApiResponse dispatch(ApiRequest request) {
            ApiDispatcher d = dispatcher;
            if (d == null) {
                return ApiResponse.error(ApiException.unavailable("the management API is starting"));
            }
            return d.dispatch(request);
        }
    }

    private static Router routes(Broker broker, BrokerMetrics metrics, ServerIdentity identity, RateHistory rates) {
        Scope scope = new Scope(broker, rates);
        Router router = new Router();
        router.get("/metrics", Requirement.NONE,
                request -> ApiResponse.text(HttpResponseStatus.OK, metrics.scrape(), BrokerMetrics.CONTENT_TYPE));
        new OverviewHandlers(scope, identity).register(router);
        new NodeHandlers(scope, identity).register(router);
        new VhostHandlers(scope).register(router);
        new UserHandlers(scope).register(router);
        new PermissionHandlers(scope).register(router);
        new TopicPermissionHandlers(scope).register(router);
        new LimitHandlers(scope).register(router);
        new PolicyHandlers(scope).register(router);
        new AppHandlers(scope).register(router);
        new WatermarkHandlers(scope).register(router);
        new QueueHandlers(scope, new QueueThread(WAIT_MILLIS), identity.node()).register(router);
        new ExchangeHandlers(scope).register(router);
        new BindingHandlers(scope).register(router);
        new ConnectionHandlers(scope, identity.node(), WAIT_MILLIS).register(router);
        new DefinitionHandlers(scope, identity.productVersion()).register(router);
        new MessageHandlers(scope, WAIT_MILLIS).register(router);
        new UiAssets().register(router);
        return router;
    }

    private static ThreadPoolExecutor handlerPool() {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(HANDLER_THREADS, HANDLER_THREADS, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(1024), r -> {
                    Thread t = new Thread(r, "warren-mgmt-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    private static InetSocketAddress address(String host, int port) {
        if (!host.isEmpty()) {
            return new InetSocketAddress(host, port);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName("::"), port); // dual stack, as the AMQP listener
        } catch (UnknownHostException e) {
            return new InetSocketAddress(port);
        }
    }


    /** Closes connections that sent nothing for a while (keep-alive clients that went away). */
    private static final class CloseIdle extends ChannelDuplexHandler {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof IdleStateEvent) {
                ctx.close();
            } else {
                super.userEventTriggered(ctx, evt);
            }
        }
    }

    /** The port HTTP listens on (the one picked when the settings said 0), or -1 when there is only HTTPS. */
    public int port() {
        return port;
    }

    /** Stops listening, finishes the requests being handled (briefly), removes warrenctl.json. */
    @Override
    public void close() {
        if (sampler != null) {
            sampler.close();
        }
        closeAll(listener, httpsListener);
        if (localSecret != null) {
            try {
                localSecret.delete();
            } catch (IOException e) {
                LOG.warn("Could not remove {}: {}", localSecret.file(), e.getMessage());
            }
        }
        shutdown(group, handlers, metrics);
    }

    private static void shutdown(EventLoopGroup group, ThreadPoolExecutor handlers, BrokerMetrics metrics) {
        handlers.shutdown();
        try {
            if (!handlers.awaitTermination(5, TimeUnit.SECONDS)) {
                handlers.shutdownNow();
            }
        } catch (InterruptedException e) {
            handlers.shutdownNow();
            Thread.currentThread().interrupt();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        metrics.close();
    }
}
