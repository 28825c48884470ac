package dev.warren.server;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The server's settings. {@link #load} layers them, each layer overriding the one before: built-in
 * defaults, then the config file (given by {@code --config} or {@code WARREN_CONFIG_FILE}), then
 * {@code WARREN_*} environment variables, then command-line flags. {@link Settings} lists every key.
 *
 * @param amqpHost       interface to listen on; empty means every interface, IPv6 and IPv4
 * @param amqpPort       AMQP port; 0 picks a free one
 * @param mgmtPort       management HTTP port (management.tcp.port); 0 turns HTTP off; -1 (not set): see
 *                       {@link #managementHttpPort}
 * @param dataDir        where the broker keeps its files
 * @param heartbeat      heartbeat interval offered to clients, in seconds (0 disables)
 * @param frameMax       largest frame offered to clients, in bytes
 * @param channelMax     channels per connection offered to clients
 * @param consumerTimeout milliseconds a delivery may wait for its ack before its channel is closed (consumer_timeout)
 * @param storage        how messages are stored and paged
 * @param defaultVhost   the virtual host created at startup besides "/" (default_vhost)
 * @param loopbackUsers  users who may only log in from a loopback address (loopback_users)
 * @param memory         the memory alarm's threshold, which also sizes the heap (vm_memory_high_watermark)
 * @param logging        console and file logging (log.*)
 * @param eventLoops     AMQP event loops (warren.event_loops); 0 picks {@link dev.warren.amqp.AmqpServer#defaultEventLoops}
 * @param tls            AMQPS, management HTTPS and the SASL mechanisms (listeners.ssl.default, ssl_options.*, ...)
 * @param maxMessageSize largest message body a publisher may send, in bytes (max_message_size)
 * @param statisticsInterval milliseconds between the samples behind management's message rates
 *                       (collect_statistics_interval)
 * @param ratesMode      management.rates_mode: "basic" or "detailed" sample rates, "none" does not
 * @param cluster        node name, inter-node port and the cluster's nodes (nodename, cluster.*, cluster_formation.*)
 */
public record ServerConfig(String amqpHost, int amqpPort, int mgmtPort, Path dataDir, String defaultUser,
                           String defaultPass, int heartbeat, int frameMax, int channelMax, long consumerTimeout,
                           StorageConfig storage,
                           String defaultVhost, Set<String> loopbackUsers, MemoryConfig memory, LogConfig logging,
                           int eventLoops, TlsConfig tls, long maxMessageSize, long statisticsInterval,
                           String ratesMode, ClusterConfig cluster) {
    public static final String DATA_DIR_ENV = "WARREN_DATA_DIR";

    public ServerConfig {
        loopbackUsers = Set.copyOf(loopbackUsers);
    }

    /** The defaults; the data directory is {@code $WARREN_DATA_DIR}, or {@code ~/.warren/data} when unset. */
    public static ServerConfig defaults() {
        ServerConfig config = builtIn();
        String dataDir = System.getenv(DATA_DIR_ENV);
        return dataDir == null || dataDir.isBlank() ? config : config.withDataDir(Path.of(dataDir).toAbsolutePath());
    }

    /** The settings for this command line and environment: flag, then variable, then file, then default. */
    public static ServerConfig load(String[] args, Map<String, String> env) throws ConfigException {
        return load(CommandLine.parse(args), env);
    }

    static ServerConfig load(CommandLine cli, Map<String, String> env) throws ConfigException {
        ServerConfig config = builtIn();
        Path file = configFile(cli, env);
        if (file != null) {
            config = ConfigFile.read(file).applyTo(config);
        }
        config = EnvironmentConfig.applyTo(config, env);
        return cli.applyTo(config);
    }

    /** The config file to read: {@code --config}, else {@code WARREN_CONFIG_FILE}; null for none. */
    static Path configFile(CommandLine cli, Map<String, String> env) throws ConfigException {
        return cli.configFile() != null ? cli.configFile() : EnvironmentConfig.configFile(env);
    }

    /** RabbitMQ's defaults where RabbitMQ has the setting; the data and log directories are under ~/.warren. */
    static ServerConfig builtIn() {
        Path dataDir = Path.of(System.getProperty("user.home"), ".warren", "data");
        return new ServerConfig("", 5672, -1, dataDir, "guest", "guest", 60, 131072, 2047, 1_800_000,
                StorageConfig.defaults(), "/", Set.of("guest"), MemoryConfig.defaults(), LogConfig.defaults(), 0,
                TlsConfig.defaults(), 128L << 20, 5000, "basic", ClusterConfig.defaults());
    }

    /**
     * The management HTTP port, or 0 for no HTTP listener. Unless management.tcp.port is set it is 15672 without
     * HTTPS and none with management.ssl.port, as RabbitMQ starts only the HTTPS listener when only it is configured.
     */
    public int managementHttpPort() {
        if (mgmtPort >= 0) {
            return mgmtPort;
        }
        return tls.mgmtSslPort() >= 0 ? 0 : 15672;
    }

    public ServerConfig withAmqpHost(String host) {
        return with(b -> b.amqpHost = host);
    }

    public ServerConfig withAmqpPort(int port) {
        return with(b -> b.amqpPort = port);
    }

    public ServerConfig withMgmtPort(int port) {
        return with(b -> b.mgmtPort = port);
    }

    public ServerConfig withDataDir(Path dir) {
        return with(b -> b.dataDir = dir);
    }

    public ServerConfig withDefaultUser(String user) {
        return with(b -> b.defaultUser = user);
    }

    public ServerConfig withDefaultPass(String pass) {
        return with(b -> b.defaultPass = pass);
    }

    public ServerConfig withHeartbeat(int seconds) {
        return with(b -> b.heartbeat = seconds);
    }

    public ServerConfig withFrameMax(int bytes) {
        return with(b -> b.frameMax = bytes);
    }

    public ServerConfig withChannelMax(int max) {
        return with(b -> b.channelMax = max);
    }

    public ServerConfig withConsumerTimeout(long millis) {
        return with(b -> b.consumerTimeout = millis);
    }

    public ServerConfig withStorage(StorageConfig settings) {
        return with(b -> b.storage = settings);
    }

    public ServerConfig withDefaultVhost(String vhost) {
        return with(b -> b.defaultVhost = vhost);
    }

    public ServerConfig withLoopbackUsers(Set<String> users) {
        return with(b -> b.loopbackUsers = users);
    }

    public ServerConfig withMemory(MemoryConfig settings) {
        return with(b -> b.memory = settings);
    }

    public ServerConfig withLogging(LogConfig settings) {
        return with(b -> b.logging = settings);
    }

    public ServerConfig withEventLoops(int loops) {
        return with(b -> b.eventLoops = loops);
    }

    public ServerConfig withTls(TlsConfig settings) {
        return with(b -> b.tls = settings);
    }

    public ServerConfig withMaxMessageSize(long bytes) {
        return with(b -> b.maxMessageSize = bytes);
    }

    public ServerConfig withStatisticsInterval(long millis) {
        return with(b -> b.statisticsInterval = millis);
    }

    public ServerConfig withRatesMode(String mode) {
        return with(b -> b.ratesMode = mode);
    }

    public ServerConfig withCluster(ClusterConfig settings) {
        return with(b -> b.cluster = settings);
    }

    /** How often management samples message rates, in milliseconds; 0 with management.rates_mode = none. */
    public long ratesSamplingMillis() {
        return ratesMode.equals("none") ? 0 : statisticsInterval;
    }

    /** A copy with one change; one place lists every component, so a new one touches no wither. */
    private ServerConfig with(Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return b.build();
    }

    private static final class Builder {
        String amqpHost;
        int amqpPort;
        int mgmtPort;
        Path dataDir;
        String defaultUser;
        String defaultPass;
        int heartbeat;
        int frameMax;
        int channelMax;
        long consumerTimeout;
        StorageConfig storage;
        String defaultVhost;
        Set<String> loopbackUsers;
        MemoryConfig memory;
        LogConfig logging;
        int eventLoops;
        TlsConfig tls;
        long maxMessageSize;
        long statisticsInterval;
        String ratesMode;
        ClusterConfig cluster;

        Builder(ServerConfig c) {
            amqpHost = c.amqpHost;
            amqpPort = c.amqpPort;
            mgmtPort = c.mgmtPort;
            dataDir = c.dataDir;
            defaultUser = c.defaultUser;
            defaultPass = c.defaultPass;
            heartbeat = c.heartbeat;
            frameMax = c.frameMax;
            channelMax = c.channelMax;
            consumerTimeout = c.consumerTimeout;
            storage = c.storage;
            defaultVhost = c.defaultVhost;
            loopbackUsers = c.loopbackUsers;
            memory = c.memory;
            logging = c.logging;
            eventLoops = c.eventLoops;
            tls = c.tls;
            maxMessageSize = c.maxMessageSize;
            statisticsInterval = c.statisticsInterval;
            ratesMode = c.ratesMode;
            cluster = c.cluster;
        }

        ServerConfig build() {
            return new ServerConfig(amqpHost, amqpPort, mgmtPort, dataDir, defaultUser, defaultPass, heartbeat,
                    frameMax, channelMax, consumerTimeout, storage, defaultVhost, loopbackUsers, memory, logging, eventLoops, tls,
                    maxMessageSize, statisticsInterval, ratesMode, cluster);
        }
    }

    /** Never prints the password: the record's generated toString would. */
    @Override
    public String toString() {
        return "ServerConfig[amqpHost=" + amqpHost + ", amqpPort=" + amqpPort + ", mgmtPort=" + mgmtPort
                + ", dataDir=" + dataDir + ", defaultUser=" + defaultUser + ", heartbeat=" + heartbeat
                + ", frameMax=" + frameMax + ", channelMax=" + channelMax + ", consumerTimeout=" + consumerTimeout
                + ", storage=" + storage
                + ", defaultVhost=" + defaultVhost + ", loopbackUsers=" + loopbackUsers + ", memory=" + memory
                + ", logging=" + logging + ", eventLoops=" + eventLoops + ", tls=" + tls
                + ", maxMessageSize=" + maxMessageSize + ", statisticsInterval=" + statisticsInterval
                + ", ratesMode=" + ratesMode + ", cluster=" + cluster + "]";
    }
}
