package dev.warren.server;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Every config file key, how its value is checked and where it goes. The config file and the environment
 * both go through this table, so a key and its environment variable always accept the same values.
 *
 * <p>A key's environment variable is {@code WARREN_} and the key in upper case with dots as underscores,
 * without a leading {@code warren.}: {@code heartbeat} is {@code WARREN_HEARTBEAT}, {@code log.file.level}
 * is {@code WARREN_LOG_FILE_LEVEL}, {@code warren.data_dir} is {@code WARREN_DATA_DIR}.
 */
final class Settings {
    /** Applies a checked value; {@code where} names its source for the error message. */
    @FunctionalInterface
    interface Applier {
        ServerConfig apply(ServerConfig config, String value, String where) throws ConfigException;
    }

    /** Applies a value of a key family such as loopback_users.NAME, given the NAME part. */
    @FunctionalInterface
    interface MemberApplier {
        ServerConfig apply(ServerConfig config, String member, String value, String where) throws ConfigException;
    }

    /**
     * One key, or a family of keys ({@code loopback_users.guest}, {@code loopback_users.admin}) when
     * {@code family} is set: then {@code key} is the prefix before the member name.
     */
    record Setting(String key, boolean family, MemberApplier applier) {
        /** The environment variable; a key family has none (its plain key has one, e.g. WARREN_LOOPBACK_USERS). */
        String env() {
            if (family) {
                return null;
            }
            String name = key.startsWith("warren.") ? key.substring("warren.".length()) : key;
            return "WARREN_" + name.replace('.', '_').toUpperCase(Locale.ROOT);
        }

        boolean matches(String fileKey) {
            return family ? fileKey.startsWith(key + ".") && fileKey.length() > key.length() + 1 : fileKey.equals(key);
        }

        /** How the key is shown to people: loopback_users.NAME for a family. */
        String display() {
            return family ? key + ".NAME" : key;
        }

        ServerConfig apply(ServerConfig config, String fileKey, String value, String where) throws ConfigException {
            try {
                return applier.apply(config, family ? fileKey.substring(key.length() + 1) : null, value, where);
            } catch (UncheckedConfigException e) {
                throw (ConfigException) e.getCause();
            }
        }
    }

    static final List<Setting> ALL = List.of(
            key("listeners.tcp.default", (c, v, w) -> {
                ConfigValues.Listener listener = ConfigValues.listener(v, w);
                return c.withAmqpHost(listener.host()).withAmqpPort(listener.port());
            }),
            key("management.tcp.port", (c, v, w) -> c.withMgmtPort(ConfigValues.port(v, w))),
            key("collect_statistics_interval", (c, v, w) -> c.withStatisticsInterval(ConfigValues.statisticsInterval(v, w))),
            key("management.rates_mode", (c, v, w) -> c.withRatesMode(ConfigValues.ratesMode(v, w))),
            key("default_user", (c, v, w) -> c.withDefaultUser(ConfigValues.nonEmpty(v, w))),
            key("default_pass", (c, v, w) -> c.withDefaultPass(ConfigValues.nonEmpty(v, w))),
            key("default_vhost", (c, v, w) -> c.withDefaultVhost(ConfigValues.nonEmpty(v, w))),
            key("loopback_users", (c, v, w) -> c.withLoopbackUsers(ConfigValues.userList(v, w))),
            family("loopback_users", Settings::loopbackUser),
            key("heartbeat", (c, v, w) -> c.withHeartbeat(ConfigValues.heartbeat(v, w))),
            key("frame_max", (c, v, w) -> c.withFrameMax(ConfigValues.frameMax(v, w))),
            key("channel_max", (c, v, w) -> c.withChannelMax(ConfigValues.channelMax(v, w))),
            key("consumer_timeout", (c, v, w) -> c.withConsumerTimeout(ConfigValues.consumerTimeout(v, w))),
            key("max_message_size", (c, v, w) -> c.withMaxMessageSize(ConfigValues.maxMessageSize(v, w))),
            key("vm_memory_high_watermark.relative",
                    (c, v, w) -> c.withMemory(c.memory().withRelative(ConfigValues.fraction(v, w)))),
            key("vm_memory_high_watermark.absolute",
                    (c, v, w) -> c.withMemory(c.memory().withAbsolute(ConfigValues.heapSize(v, w)))),
            key("disk_free_limit.absolute",
                    (c, v, w) -> c.withStorage(c.storage().withDiskFreeLimit(ConfigValues.bytes(v, 0, w)))),
            key("log.dir", (c, v, w) -> c.withLogging(c.logging().withDir(ConfigValues.path(v, w)))),
            key("log.console", (c, v, w) -> c.withLogging(c.logging().withConsole(ConfigValues.bool(v, w)))),
            key("log.console.level",
                    (c, v, w) -> c.withLogging(c.logging().withConsoleLevel(ConfigValues.logLevel(v, w)))),
            key("log.file", (c, v, w) -> c.withLogging(c.logging().withFile(ConfigValues.logFile(v, w)))),
            key("log.file.level", (c, v, w) -> c.withLogging(c.logging().withFileLevel(ConfigValues.logLevel(v, w)))),
            key("log.file.rotation.size",
                    (c, v, w) -> c.withLogging(c.logging().withRotationSize(ConfigValues.bytes(v, 0, w)))),
            key("log.file.rotation.count",
                    (c, v, w) -> c.withLogging(c.logging().withRotationCount(ConfigValues.rotationCount(v, w)))),
            key("warren.data_dir", (c, v, w) -> c.withDataDir(ConfigValues.path(v, w))),
            key("warren.fsync", (c, v, w) -> c.withStorage(c.storage().withFsync(ConfigValues.fsync(v, w)))),
            key("warren.segment_size",
                    (c, v, w) -> c.withStorage(c.storage().withSegmentSize(ConfigValues.segmentSize(v, w)))),
            key("warren.memory_budget",
                    (c, v, w) -> c.withStorage(c.storage().withMemoryBudget(ConfigValues.bytes(v, 0, w)))),
            key("warren.event_loops", (c, v, w) -> c.withEventLoops(ConfigValues.eventLoops(v, w))),
            key("warren.gc_log", (c, v, w) -> c.withLogging(c.logging().withGcLog(ConfigValues.bool(v, w)))),
            // clustering, as RabbitMQ's classic config peer discovery
            key("nodename", (c, v, w) -> c.withCluster(c.cluster().withNodename(ConfigValues.nodename(v, w)))),
            key("cluster.tcp.port", (c, v, w) -> c.withCluster(c.cluster().withPort(ConfigValues.port(v, w)))),
            key("cluster_formation.peer_discovery_backend",
                    (c, v, w) -> c.withCluster(c.cluster().withDiscovery(ConfigValues.peerDiscovery(v, w)))),
            family("cluster_formation.classic_config.nodes", (c, n, v, w) -> c.withCluster(
                    c.cluster().withNode(ConfigValues.position(n, w), ConfigValues.clusterNode(v, w)))),
            key("warren.metadata_timeout",
                    (c, v, w) -> c.withCluster(c.cluster().withMetadataTimeout(ConfigValues.metadataTimeout(v, w)))),
            key("cluster.ssl_options.cacertfile", (c, v, w) -> c.withCluster(c.cluster().withTlsCa(ConfigValues.path(v, w)))),
            key("cluster.ssl_options.certfile", (c, v, w) -> c.withCluster(c.cluster().withTlsCert(ConfigValues.path(v, w)))),
            key("cluster.ssl_options.keyfile", (c, v, w) -> c.withCluster(c.cluster().withTlsKey(ConfigValues.path(v, w)))),
            key("cluster.cookie_file", (c, v, w) -> c.withCluster(c.cluster().withCookieFile(ConfigValues.path(v, w)))),
            // TLS, as RabbitMQ's TLS guide sets it
            key("listeners.ssl.default", (c, v, w) -> {
                ConfigValues.Listener listener = ConfigValues.listener(v, w);
                return c.withTls(c.tls().withAmqps(listener.host(), listener.port()));
            }),
            key("ssl_options.cacertfile", (c, v, w) -> c.withTls(c.tls().withAmqp(b -> set(b, x -> x.cacertfile = ConfigValues.path(v, w))))),
            key("ssl_options.certfile", (c, v, w) -> c.withTls(c.tls().withAmqp(b -> set(b, x -> x.certfile = ConfigValues.path(v, w))))),
            key("ssl_options.keyfile", (c, v, w) -> c.withTls(c.tls().withAmqp(b -> set(b, x -> x.keyfile = ConfigValues.path(v, w))))),
            key("ssl_options.password", (c, v, w) -> c.withTls(c.tls().withAmqp(b -> set(b, x -> x.password = ConfigValues.nonEmpty(v, w))))),
            key("ssl_options.verify", (c, v, w) -> {
                boolean verify = ConfigValues.verify(v, w);
                return c.withTls(c.tls().withAmqp(b -> set(b, x -> x.verifyPeer = verify)));
            }),
            key("ssl_options.fail_if_no_peer_cert", (c, v, w) -> {
                boolean fail = ConfigValues.bool(v, w);
                return c.withTls(c.tls().withAmqp(b -> set(b, x -> x.failIfNoPeerCert = fail)));
            }),
            key("ssl_options.honor_cipher_order", (c, v, w) -> {
                boolean honor = ConfigValues.bool(v, w);
                return c.withTls(c.tls().withAmqp(b -> set(b, x -> x.honorCipherOrder = honor)));
            }),
            family("ssl_options.versions", (c, n, v, w) -> {
                int position = ConfigValues.position(n, w);
                return c.withTls(c.tls().withAmqp(b -> set(b, x -> x.versions.put(position, v.trim()))));
            }),
            family("ssl_options.ciphers", (c, n, v, w) -> {
                int position = ConfigValues.position(n, w);
                return c.withTls(c.tls().withAmqp(b -> set(b, x -> x.ciphers.put(position, v.trim()))));
            }),
            family("auth_mechanisms", (c, n, v, w) -> c.withTls(c.tls().withAuthMechanism(ConfigValues.position(n, w),
                    ConfigValues.mechanism(v, w)))),
            key("ssl_cert_login_from", (c, v, w) -> c.withTls(c.tls().withCertLoginFromCommonName(ConfigValues.certLoginFrom(v, w)))),
            key("management.ssl.port", (c, v, w) -> c.withTls(c.tls().withMgmtSslPort(ConfigValues.port(v, w)))),
            key("management.ssl.cacertfile", (c, v, w) -> c.withTls(c.tls().withMgmt(b -> set(b, x -> x.cacertfile = ConfigValues.path(v, w))))),
            key("management.ssl.certfile", (c, v, w) -> c.withTls(c.tls().withMgmt(b -> set(b, x -> x.certfile = ConfigValues.path(v, w))))),
            key("management.ssl.keyfile", (c, v, w) -> c.withTls(c.tls().withMgmt(b -> set(b, x -> x.keyfile = ConfigValues.path(v, w))))),
            key("management.ssl.password", (c, v, w) -> c.withTls(c.tls().withMgmt(b -> set(b, x -> x.password = ConfigValues.nonEmpty(v, w))))));

    private Settings() {
    }

    /** A change to a listener's ssl options, whose values were checked (and may throw) before. */
    private interface OptionChange {
        void apply(TlsConfig.Builder options) throws ConfigException;
    }

    /** Applies a checked change inside a builder lambda; config errors pass through unchecked and are unwrapped. */
    private static TlsConfig.Builder set(TlsConfig.Builder options, OptionChange change) {
        try {
            change.apply(options);
            return options;
        } catch (ConfigException e) {
            throw new UncheckedConfigException(e);
        }
    }

    /** Carries a {@link ConfigException} out of a lambda; {@link Setting#apply} unwraps it. */
    static final class UncheckedConfigException extends RuntimeException {
        UncheckedConfigException(ConfigException cause) {
            super(cause);
        }
    }

    private static Setting key(String key, Applier applier) {
        return new Setting(key, false, (config, member, value, where) -> applier.apply(config, value, where));
    }

    private static Setting family(String prefix, MemberApplier applier) {
        return new Setting(prefix, true, applier);
    }

    /** loopback_users.NAME = true adds NAME to the loopback-only users, false takes it out (RabbitMQ's syntax). */
    private static ServerConfig loopbackUser(ServerConfig config, String user, String value, String where)
            throws ConfigException {
        Set<String> users = new HashSet<>(config.loopbackUsers());
        if (ConfigValues.bool(value, where)) {
            users.add(user);
        } else {
            users.remove(user);
        }
        return config.withLoopbackUsers(users);
    }

    static Optional<Setting> forKey(String fileKey) {
        return ALL.stream().filter(s -> s.matches(fileKey)).findFirst();
    }

    /** The keys as an error message lists them. */
    static String knownKeys() {
        List<String> keys = new ArrayList<>();
        ALL.forEach(s -> keys.add(s.display()));
        return String.join(", ", keys);
    }
}
