package dev.warren.server;

import java.nio.file.Path;
import java.util.Map;

/**
 * The server's settings. {@link #load} layers them, each layer overriding the one before: built-in
 * defaults, then the config file (given by {@code --config} or {@code WARREN_CONFIG_FILE}), then
 * {@code WARREN_*} environment variables, then command-line flags.
 *
 * @param amqpHost    interface to listen on; empty means every interface, IPv6 and IPv4
 * @param amqpPort    AMQP port; 0 picks a free one
 * @param mgmtPort    management HTTP port, reserved: nothing listens on it yet
 * @param dataDir     where the broker keeps its files
 * @param heartbeat   heartbeat interval offered to clients, in seconds (0 disables)
 * @param frameMax    largest frame offered to clients, in bytes
 * @param channelMax  channels per connection offered to clients
 * @param storage     how messages are stored and paged
 */
public record ServerConfig(String amqpHost, int amqpPort, int mgmtPort, Path dataDir, String defaultUser,
                           String defaultPass, int heartbeat, int frameMax, int channelMax, StorageConfig storage) {
    public static final String DATA_DIR_ENV = "WARREN_DATA_DIR";

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
        Path file = cli.configFile() != null ? cli.configFile() : EnvironmentConfig.configFile(env);
        if (file != null) {
            config = ConfigFile.read(file).applyTo(config);
        }
        config = EnvironmentConfig.applyTo(config, env);
        return cli.applyTo(config);
    }

    private static ServerConfig builtIn() {
        Path dataDir = Path.of(System.getProperty("user.home"), ".warren", "data");
        return new ServerConfig("", 5672, 15672, dataDir, "guest", "guest", 60, 131072, 2047, StorageConfig.defaults());
    }

    public ServerConfig withAmqpHost(String host) {
        return new ServerConfig(host, amqpPort, mgmtPort, dataDir, defaultUser, defaultPass, heartbeat, frameMax, channelMax, storage);
    }

    public ServerConfig withAmqpPort(int port) {
        return new ServerConfig(amqpHost, port, mgmtPort, dataDir, defaultUser, defaultPass, heartbeat, frameMax, channelMax, storage);
    }

    public ServerConfig withDataDir(Path dir) {
        return new ServerConfig(amqpHost, amqpPort, mgmtPort, dir, defaultUser, defaultPass, heartbeat, frameMax, channelMax, storage);
    }

    public ServerConfig withDefaultUser(String user) {
        return new ServerConfig(amqpHost, amqpPort, mgmtPort, dataDir, user, defaultPass, heartbeat, frameMax, channelMax, storage);
    }

    public ServerConfig withDefaultPass(String pass) {
        return new ServerConfig(amqpHost, amqpPort, mgmtPort, dataDir, defaultUser, pass, heartbeat, frameMax, channelMax, storage);
    }

    public ServerConfig withHeartbeat(int seconds) {
        return new ServerConfig(amqpHost, amqpPort, mgmtPort, dataDir, defaultUser, defaultPass, seconds, frameMax, channelMax, storage);
    }

    public ServerConfig withFrameMax(int bytes) {
        return new ServerConfig(amqpHost, amqpPort, mgmtPort, dataDir, defaultUser, defaultPass, heartbeat, bytes, channelMax, storage);
    }

    public ServerConfig withChannelMax(int max) {
        return new ServerConfig(amqpHost, amqpPort, mgmtPort, dataDir, defaultUser, defaultPass, heartbeat, frameMax, max, storage);
    }

    public ServerConfig withStorage(StorageConfig settings) {
        return new ServerConfig(amqpHost, amqpPort, mgmtPort, dataDir, defaultUser, defaultPass, heartbeat, frameMax, channelMax, settings);
    }

    /** Never prints the password: the record's generated toString would. */
    @Override
    public String toString() {
        return "ServerConfig[amqpHost=" + amqpHost + ", amqpPort=" + amqpPort + ", mgmtPort=" + mgmtPort
                + ", dataDir=" + dataDir + ", defaultUser=" + defaultUser + ", heartbeat=" + heartbeat
                + ", frameMax=" + frameMax + ", channelMax=" + channelMax + ", storage=" + storage + "]";
    }
}
