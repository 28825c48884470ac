package dev.warren.server;

import dev.warren.amqp.AmqpServer;
import dev.warren.amqp.AmqpSettings;
import dev.warren.amqp.ServerProperties;
import dev.warren.core.Broker;
import dev.warren.core.MessageQueue;
import dev.warren.core.NodeName;
import dev.warren.core.VirtualHost;
import dev.warren.core.auth.Users;
import dev.warren.core.cluster.ClusterNode;
import dev.warren.core.cluster.ClusterView;
import dev.warren.core.cluster.NodeLink;
import dev.warren.core.quorum.QuorumLogs;
import dev.warren.core.store.MemoryAlarm;
import dev.warren.core.store.MemoryBudget;
import dev.warren.core.store.ResourceAlarm;
import dev.warren.core.store.Storage;
import dev.warren.mgmt.http.ManagementServer;
import dev.warren.mgmt.http.ManagementSettings;
import dev.warren.store.DefinitionsFile;
import dev.warren.store.Journal;
import dev.warren.store.MemoryMonitor;
import dev.warren.store.StoreSettings;
import dev.warren.store.raft.CommittedState;
import dev.warren.store.raft.MetadataCluster;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker process: builds the broker from a {@link ServerConfig} and listens for AMQP. {@link #main}
 * runs it until the JVM is asked to stop; a shutdown hook closes the listeners on SIGTERM or Ctrl-C.
 */
public final class WarrenServer implements AutoCloseable {
    /** sysexits.h EX_USAGE: the command line or configuration is wrong. */
    static final int EXIT_CONFIG = 64;
    /** Could not start, e.g. the port is taken or the data directory cannot be created. */
    static final int EXIT_START_FAILED = 1;

    /** Part of the 10 seconds a stop may take (RabbitMQ's and systemd's expectations): the rest closes. */
    private static final long STORE_DRAIN_SECONDS = 3;

    private static final Logger LOG = LoggerFactory.getLogger(WarrenServer.class);

    private final ServerConfig config;
    private final Broker broker;
    private final Journal journal;
    private final DefinitionsFile definitions;
    /** Null outside a cluster. */
    private final MetadataCluster cluster;
    private final DataDirLock lock;
    private final AmqpServer amqp;
    /** Null when management.tcp.port is 0. */
    private final ManagementServer management;
    private final List<InetSocketAddress> bound;
    private final TlsListeners tls;
    /** The AMQPS listener's addresses; empty without one. */
    private final List<InetSocketAddress> tlsBound;
    private final MemoryMonitor memoryMonitor;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private WarrenServer(ServerConfig config, Broker broker, Journal journal, DefinitionsFile definitions,
                         MetadataCluster cluster, DataDirLock lock, AmqpServer amqp, ManagementServer management,
                         List<InetSocketAddress> bound, TlsListeners tls, List<InetSocketAddress> tlsBound,
                         MemoryMonitor memoryMonitor) {
        this.config = config;
        this.broker = broker;
        this.journal = journal;
        this.definitions = definitions;
        this.cluster = cluster;
        this.lock = lock;
        this.amqp = amqp;
        this.management = management;
        this.bound = bound;
        this.tls = tls;
        this.tlsBound = tlsBound;
        this.memoryMonitor = memoryMonitor;
    }

    /**
     * Creates and locks the data directory, opens the store (recovering what a previous run left), builds
     * the broker with the stored definitions and messages, and starts listening.
     */
    public static WarrenServer start(ServerConfig config) throws IOException, InterruptedException {
        TlsListeners tls;
        try {
            tls = TlsListeners.load(config.tls());
        } catch (ConfigException e) {
            throw new IOException(e.getMessage(), e);
        }
        return start(config, tls, () -> { });
    }

    /**
     * {@link #start(ServerConfig)} with the TLS contexts loaded already (main loads them first: a bad one is exit 64);
     * {@code whenStarted} runs once the broker is restored and its listeners, management and monitors are up.
     */
    static WarrenServer start(ServerConfig config, TlsListeners tls, Runnable whenStarted)
            throws IOException, InterruptedException {
        Files.createDirectories(config.dataDir());
        DataDirLock lock = DataDirLock.acquire(config.dataDir());
        config = ClusterJoin.withJoinedCluster(config);
        NodeName.set(config.cluster().nodename());
        Journal journal = null;
        DefinitionsFile definitions = null;
        MetadataCluster cluster = null;
        try {
            StorageConfig sc = config.storage();
            ResourceAlarm diskAlarm = new ResourceAlarm("disk");
            journal = Journal.open(StoreSettings.defaults(config.dataDir().resolve("msgs"))
                    .withSegmentSize(sc.segmentSize())
                    .withFsync(StoreSettings.FsyncPolicy.named(sc.fsync()))
                    .withDiskFreeLimit(sc.diskFreeLimit()), diskAlarm);
            definitions = DefinitionsFile.open(config.dataDir());
            if (config.cluster().enabled()) {
                cluster = Clustering.start(config, definitions);
            }
            // the same total the launcher sized the heap from (JvmOptions), so the two agree on the watermark
            MemoryAlarm memoryAlarm = new MemoryAlarm(config.memory().watermark(), JvmOptions.totalMemory());
            Storage storage = new Storage(journal, cluster == null ? definitions : cluster.store(),
                    new MemoryBudget(sc.memoryBudget()), diskAlarm, memoryAlarm,
                    cluster == null ? QuorumLogs.NONE : cluster.quorumLogs(), cluster == null ? NodeLink.NONE : cluster.nodeLink());
            // On a first start (nothing stored yet) the default user and vhost are what the broker begins with;
            // later starts restore the stored users and vhosts instead, as RabbitMQ does.
            Broker broker = new Broker(users(config), storage, config.defaultVhost());
            return start(config, broker, journal, definitions, cluster, lock, tls, whenStarted);
        } catch (Exception e) { // rethrown as it is; only IOException and InterruptedException can arrive
            if (cluster != null) {
                cluster.close();
            }
            if (journal != null) {
                journal.close();
            }
            if (definitions != null) {
                definitions.close();
            }
            lock.close();
            throw e;
        }
    }

    /**
     * The default user, an administrator with every permission in the default vhost, and which users may
     * log in from a loopback address only.
     */
    static Users users(ServerConfig config) {
        return Users.withDefaultUser(config.defaultUser(), config.defaultPass(), config.defaultVhost(),
                config.loopbackUsers());
    }

    private static WarrenServer start(ServerConfig config, Broker broker, Journal journal, DefinitionsFile definitions,
                                      MetadataCluster cluster, DataDirLock lock, TlsListeners tls, Runnable whenStarted)
            throws IOException, InterruptedException {
        AmqpSettings settings = AmqpSettings.defaults()
                .withHeartbeat(config.heartbeat())
                .withFrameMax(config.frameMax())
                .withChannelMax(config.channelMax())
                .withConsumerTimeout(config.consumerTimeout())
                .withMaxMessageSize(config.maxMessageSize())
                .withAuthMechanisms(config.tls().mechanisms(), config.tls().certLoginFromCommonName());
        AmqpServer amqp = new AmqpServer(broker, settings, config.eventLoops());
        if (cluster == null) {
            broker.restore(definitions.load(), definitions.loadSecurity(), journal.takeRecovered(), amqp::nextLoop);
        } else {
            // what the cluster committed, which this node has caught up with; then other nodes' changes follow
            CommittedState committed = cluster.committed();
            broker.restore(committed.vhosts(), committed.security(), journal.takeRecovered(), amqp::nextLoop);
            cluster.attach(broker);
        }
        journal.timeFsyncsWith(nanos -> broker.stats().fsyncLatency().record(nanos));
        List<InetSocketAddress> bound;
        List<InetSocketAddress> tlsBound = List.of();
        boolean tlsListener = false;
        try {
            bound = amqp.start(config.amqpHost(), config.amqpPort());
            if (tls.amqp() != null) {
                tlsListener = true;
                tlsBound = amqp.startTls(config.tls().amqpsHost(), config.tls().amqpsPort(), tls.amqp());
            }
        } catch (Exception e) {
            amqp.close();
            if (cluster != null) {
                cluster.close();
            }
            definitions.close();
            if (e instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            // Netty rethrows the bind error undeclared, so it is caught as Exception.
            String host = tlsListener ? config.tls().amqpsHost() : config.amqpHost();
            throw new IOException("cannot listen for " + (tlsListener ? "AMQPS" : "AMQP") + " on "
                    + (host.isEmpty() ? "all interfaces" : host) + " port "
                    + (tlsListener ? config.tls().amqpsPort() : config.amqpPort()) + ": " + e.getMessage(), e);
        }
        LOG.info("Warren started: data directory {}, default user '{}', default vhost '{}'", config.dataDir(),
                config.defaultUser(), config.defaultVhost());
        logMemory(config, broker.storage().memoryAlarm());
        ManagementServer management;
        try {
            management = startManagement(config, broker, bound.get(0).getPort(),
                    tlsBound.isEmpty() ? -1 : tlsBound.get(0).getPort(), amqp, tls);
        } catch (IOException | InterruptedException e) {
            if (cluster != null) {
                cluster.close();
            }
            definitions.close(); // startManagement closed the AMQP listeners
            throw e;
        }
        tls.watchForChanges();
        MemoryMonitor memoryMonitor = MemoryMonitor.start(broker.storage().memoryAlarm());
        whenStarted.run();
        return new WarrenServer(config, broker, journal, definitions, cluster, lock, amqp, management, bound, tls, tlsBound,
                memoryMonitor);
    }

    /**
     * The management API and /metrics over HTTP, HTTPS or both, unless neither is configured (management.tcp.port
     * = 0 without management.ssl.port); a bind failure stops the start.
     */
    private static ManagementServer startManagement(ServerConfig config, Broker broker, int amqpPort, int amqpsPort,
                                                    AmqpServer amqp, TlsListeners tls) throws IOException, InterruptedException {
        int httpPort = config.managementHttpPort();
        if (httpPort == 0 && tls.management() == null) {
            LOG.info("Management HTTP API disabled (management.tcp.port = 0)");
            return null;
        }
        try {
            ManagementSettings settings = ManagementSettings.defaults()
                    .withPort(httpPort == 0 ? -1 : httpPort)
                    .withDataDir(config.dataDir())
                    .withAmqpPort(amqpPort)
                    .withAmqpsPort(amqpsPort)
                    .withProductVersion(ServerProperties.VERSION)
                    .withRatesInterval(config.ratesSamplingMillis());
            if (tls.management() != null) {
                TlsConfig.Options files = config.tls().mgmt();
                settings = settings.withHttps(config.tls().mgmtSslPort(), tls.management()::newHandler,
                        files.cacertfile() != null ? files.cacertfile() : files.certfile());
            }
            return ManagementServer.start(broker, settings);
        } catch (IOException | RuntimeException e) {
            amqp.close();
            throw new IOException("cannot start the management API: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            amqp.close();
            throw e;
        }
    }

    /** The port the AMQPS listener listens on, or -1 when there is none. */
    public int amqpsPort() {
        return tlsBound.isEmpty() ? -1 : tlsBound.get(0).getPort();
    }

    /** The port management HTTPS listens on, or -1 when there is none. */
    public int managementHttpsPort() {
        return management == null ? -1 : management.httpsPort();
    }

    /** The port the management HTTP API listens on, or 0 when there is no HTTP listener. */
    public int managementPort() {
        return management == null || management.port() < 0 ? 0 : management.port();
    }

    /**
     * The heap the launcher gave this JVM, where the memory alarm blocks publishers, and warnings when the
     * paging budget takes much of the watermark or the heap cannot reach it.
     */
    private static void logMemory(ServerConfig config, MemoryAlarm alarm) {
        long maxHeap = Runtime.getRuntime().maxMemory();
        long budget = config.storage().memoryBudget();
        long limit = alarm.limit();
        LOG.info("Memory: publishers are blocked above {} MiB in use (vm_memory_high_watermark: {}), JVM heap up to "
                        + "{} MiB, queued messages kept in memory up to {} MiB (warren.memory_budget)",
                limit >> 20, alarm.watermark(), maxHeap >> 20, budget >> 20);
        if (budget > limit / 2) {
            LOG.warn("warren.memory_budget ({} MiB) is more than half the memory high watermark ({} MiB): raise "
                    + "vm_memory_high_watermark or lower the budget", budget >> 20, limit >> 20);
        }
        if (limit >= maxHeap) {
            LOG.warn("The memory high watermark ({} MiB) is not below the heap's maximum ({} MiB, set by -Xmx): the heap "
                    + "may run out before the memory alarm blocks publishers", limit >> 20, maxHeap >> 20);
        }
    }

    /** The port AMQP listens on: the configured one, or the one picked when it was 0. */
    public int amqpPort() {
        return bound.get(0).getPort();
    }

    /** How many event loops serve AMQP connections (warren.event_loops, or the default for this machine). */
    public int eventLoops() {
        return amqp.eventLoops();
    }

    public ServerConfig config() {
        return config;
    }

    /** The broker's model, for tests and embedding. */
    public Broker broker() {
        return broker;
    }

    /** Set by join_cluster: the node whose cluster this one joins, and this one, once it has stopped (main restarts it). */
    private volatile ClusterJoin.Joining joining;

    /**
     * Outside a cluster, management shows this node alone, and join_cluster stops it for {@link #main} to reset and
     * restart it in the cluster it joins.
     */
    private void allowJoining() {
        broker.cluster(new ClusterView() {
            @Override
            public List<ClusterNode> nodes() {
                return ClusterView.SINGLE.nodes();
            }

            @Override
            public CompletableFuture<Void> join(String seed) {
                return CompletableFuture.runAsync(() -> {
                    joining = ClusterJoin.check(config, seed);
                    LOG.warn("Joining the cluster of {}: this node stops, is reset (its definitions and messages go) "
                            + "and starts again as a member", seed);
                    new Thread(WarrenServer.this::close, "warren-join-cluster").start();
                });
            }
        });
    }

    /** Blocks until {@link #close} has finished. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            LOG.info("Warren stopping");
            memoryMonitor.close();
            tls.close();
            try {
                if (management != null) {
                    management.close();
                }
                awaitStoredPublishes();
                amqp.close();
                if (cluster != null) {
                    cluster.close(); // before the definitions files, which its state machine writes
                }
                definitions.close(); // writes what is still waiting (a queue deleted at the last moment)
                markDeliveredMessages();
                journal.close();
                lock.close();
            } catch (IOException e) {
                LOG.warn("Releasing the data directory lock: {}", e.getMessage());
            } finally {
                LOG.info("Warren stopped");
                stopped.countDown();
            }
        }
    }

    /**
     * Lets the publishes the store already holds get their confirms before clients are told 320: the
     * journal runs this barrier after the writes submitted before it are on disk and after their confirm
     * callbacks, which hand each confirm to its connection's event loop ahead of the close that
     * {@link AmqpServer#close} queues there next.
     */
    private void awaitStoredPublishes() {
        CountDownLatch written = new CountDownLatch(1);
        journal.afterDurable(failure -> written.countDown());
        try {
            if (!written.await(STORE_DRAIN_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("The store did not finish its pending writes in {} s; closing connections anyway",
                        STORE_DRAIN_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Tells the store how far each durable queue got delivering, so that after this clean stop only the
     * messages delivered before come back flagged redelivered. Runs once the queues' threads have stopped.
     */
    private void markDeliveredMessages() {
        for (VirtualHost vhost : broker.vhosts()) {
            for (MessageQueue queue : vhost.queues()) {
                if (queue.storeId() >= 0 && queue.deliveredThrough() >= 0) {
                    journal.markDelivered(queue.storeId(), queue.deliveredThrough());
                }
            }
        }
    }

    public static void main(String[] args) {
        CommandLine cli;
        ServerConfig config;
        Path configFile;
        TlsListeners tlsListeners;
        try {
            cli = CommandLine.parse(args);
            if (cli.help()) {
                System.out.println(CommandLine.USAGE);
                return;
            }
            configFile = ServerConfig.configFile(cli, System.getenv());
            config = ServerConfig.load(cli, System.getenv());
        } catch (ConfigException e) {
            System.err.println("warren-server: " + e.getMessage());
            System.exit(EXIT_CONFIG);
            return;
        }
        try {
            Logging.configure(config.logging());
        } catch (IOException e) {
            System.err.println("warren-server: cannot log to " + config.logging().dir() + ": " + e.getMessage());
            System.exit(EXIT_START_FAILED);
            return;
        }
        LOG.info("Config file {}; logging to {}", configFile == null ? "(none)" : configFile,
                Logging.describe(config.logging()));
        try {
            tlsListeners = TlsListeners.load(config.tls()); // a certificate or key that cannot work is a config error
        } catch (ConfigException e) {
            LOG.error("Warren could not start: {}", e.getMessage());
            System.err.println("warren-server: " + e.getMessage());
            System.exit(EXIT_CONFIG);
            return;
        }
        WarrenServer server;
        try {
            server = start(config, tlsListeners, WarrenServer::promoteStartupHeap);
        } catch (Exception e) {
            LOG.error("Warren could not start: {}", e.getMessage());
            System.exit(EXIT_START_FAILED);
            return;
        }
        IdleHeapTrim.start();
        AtomicReference<WarrenServer> running = new AtomicReference<>(server);
        AtomicBoolean stopping = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping.set(true);
            running.get().close();
        }, "warren-shutdown"));
        TermSignal.exitCleanly();
        while (true) {
            if (!server.config().cluster().enabled()) {
                server.allowJoining();
            }
            System.out.println(banner(server));
            try {
                server.awaitStopped();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                server.close();
                return;
            }
            ClusterJoin.Joining joining = server.joining;
            if (joining == null || stopping.get()) {
                return;
            }
            try {
                ClusterJoin.reset(config, joining.seed(), joining.self());
                server = start(config, tlsListeners, WarrenServer::promoteStartupHeap);
                running.set(server);
            } catch (Exception e) {
                LOG.error("Warren could not start in the cluster of {}: {}", joining.seed().name(), e.getMessage());
                System.exit(EXIT_START_FAILED);
                return;
            }
        }
    }

    /**
     * One full collection once everything has started, so that what starting left alive (the restored broker, class
     * data, pools, listeners, management) is in the old generation. Otherwise every young collection copies it between
     * survivor spaces until it is old enough to be promoted (15 collections): at 10k msg/s those pauses were 8-40 ms
     * against 2-6 ms after, and they made the p99.9 latency (deploy/bench/RESULTS.md, latency at a fixed rate). Run
     * before the listeners opened, it left 1.2 MB that they and the monitors allocate to be copied 15 times.
     */
    private static void promoteStartupHeap() {
        long start = System.nanoTime();
        System.gc();
        LOG.debug("Startup heap collected in {} ms", (System.nanoTime() - start) / 1_000_000);
    }

    private static String banner(WarrenServer server) {
        ServerConfig c = server.config();
        String where = c.amqpHost().isEmpty() ? "all interfaces" : c.amqpHost();
        List<String> urls = new ArrayList<>();
        if (server.managementPort() > 0) {
            urls.add("http://localhost:" + server.managementPort() + "/");
        }
        if (server.managementHttpsPort() > 0) {
            urls.add("https://localhost:" + server.managementHttpsPort() + "/");
        }
        String management = urls.isEmpty() ? "management off" : "management on " + String.join(" and ", urls);
        String amqps = server.amqpsPort() < 0 ? "" : ", AMQPS on port " + server.amqpsPort();
        return "Warren is running: AMQP 0-9-1 on port " + server.amqpPort() + " (" + where + ")" + amqps + ", " + management
                + ", data in " + c.dataDir() + ". Press Ctrl-C to stop.";
    }
}
