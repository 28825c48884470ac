package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every config key: set from the file, set from its environment variable (which beats the file), and
 * refused with a bad value. {@link #SAMPLES} must cover every key in {@link Settings}, so a new key comes
 * with its tests.
 */
class ConfigKeysTest {
    private static final Path DIR = Path.of(System.getProperty("java.io.tmpdir"), "warren-config-keys-test");

    /**
     * Two good values for a key (the file's, then the environment's, each with what it reads as) and a
     * bad one. {@code read} picks the setting out of the config.
     */
    record Sample(String key, String fileValue, Object fileReads, String envValue, Object envReads, String badValue,
                  Function<ServerConfig, Object> read) {
        @Override
        public String toString() {
            return key;
        }
    }

    static final List<Sample> SAMPLES = List.of(
            new Sample("listeners.tcp.default", "127.0.0.1:5680", "127.0.0.1 5680", "[::1]:5681", "::1 5681",
                    "localhost:", c -> c.amqpHost() + " " + c.amqpPort()),
            new Sample("management.tcp.port", "15673", 15673, "0", 0, "70000", ServerConfig::mgmtPort),
            new Sample("collect_statistics_interval", "10000", 10_000L, "1000", 1_000L, "often",
                    ServerConfig::statisticsInterval),
            new Sample("management.rates_mode", "none", "none", "detailed", "detailed", "fast", ServerConfig::ratesMode),
            new Sample("default_user", "admin", "admin", "ops", "ops", " ", ServerConfig::defaultUser),
            new Sample("default_pass", "s3cret", "s3cret", "other", "other", " ", ServerConfig::defaultPass),
            new Sample("default_vhost", "prod", "prod", "staging", "staging", " ", ServerConfig::defaultVhost),
            new Sample("loopback_users", "none", Set.of(), "guest,monitor", Set.of("guest", "monitor"), "guest,,x",
                    ServerConfig::loopbackUsers),
            new Sample("heartbeat", "30", 30, "0", 0, "often", ServerConfig::heartbeat),
            new Sample("frame_max", "8192", 8192, "4096", 4096, "1024", ServerConfig::frameMax),
            new Sample("channel_max", "100", 100, "65535", 65535, "0", ServerConfig::channelMax),
            new Sample("consumer_timeout", "60000", 60_000L, "3600000", 3_600_000L, "0", ServerConfig::consumerTimeout),
            new Sample("max_message_size", "16MiB", 16L << 20, "1024", 1024L, "1GiB", ServerConfig::maxMessageSize),
            new Sample("vm_memory_high_watermark.relative", "0.4", new MemoryConfig(0.4, 0), "1",
                    new MemoryConfig(1, 0), "60%", ServerConfig::memory),
            new Sample("vm_memory_high_watermark.absolute", "2GiB", new MemoryConfig(0.6, 2L << 30), "512MB",
                    new MemoryConfig(0.6, 512_000_000), "32MiB", ServerConfig::memory),
            new Sample("disk_free_limit.absolute", "2GB", 2_000_000_000L, "1024", 1024L, "50 parsecs",
                    c -> c.storage().diskFreeLimit()),
            new Sample("log.dir", DIR.resolve("logs").toString(), DIR.resolve("logs"), DIR.resolve("logs2").toString(),
                    DIR.resolve("logs2"), " ", c -> c.logging().dir()),
            new Sample("log.console", "false", false, "true", true, "yes", c -> c.logging().console()),
            new Sample("log.console.level", "debug", LogConfig.Level.DEBUG, "warning", LogConfig.Level.WARNING,
                    "verbose", c -> c.logging().consoleLevel()),
            new Sample("log.file", "broker.log", "broker.log", "false", "(none)", " ",
                    c -> c.logging().file() == null ? "(none)" : c.logging().file()),
            new Sample("log.file.level", "error", LogConfig.Level.ERROR, "none", LogConfig.Level.NONE, "warn",
                    c -> c.logging().fileLevel()),
            new Sample("log.file.rotation.size", "1MB", 1_000_000L, "0", 0L, "big", c -> c.logging().rotationSize()),
            new Sample("log.file.rotation.count", "10", 10, "1", 1, "21", c -> c.logging().rotationCount()),
            new Sample("warren.data_dir", DIR.resolve("d1").toString(), DIR.resolve("d1"), DIR.resolve("d2").toString(),
                    DIR.resolve("d2"), " ", ServerConfig::dataDir),
            new Sample("warren.fsync", "never", "never", "always", "always", "sometimes", c -> c.storage().fsync()),
            new Sample("warren.segment_size", "16MiB", 16L << 20, "4096", 4096L, "100", c -> c.storage().segmentSize()),
            new Sample("warren.memory_budget", "256m", 256L << 20, "3kB", 3000L, "lots",
                    c -> c.storage().memoryBudget()),
            new Sample("warren.event_loops", "1", 1, "auto", 0, "many", ServerConfig::eventLoops),
            new Sample("warren.gc_log", "true", true, "false", false, "on", c -> c.logging().gcLog()),
            new Sample("nodename", "warren1@db1", "warren1@db1", "warren2@10.0.0.2", "warren2@10.0.0.2", "warren",
                    c -> c.cluster().nodename()),
            new Sample("cluster.tcp.port", "25673", 25673, "25674", 25674, "cluster", c -> c.cluster().port()),
            new Sample("cluster_formation.peer_discovery_backend", "classic_config", "classic_config",
                    "rabbit_peer_discovery_classic_config", "classic_config", "dns", c -> c.cluster().discovery()),
            new Sample("warren.metadata_timeout", "5000", 5000L, "60000", 60_000L, "soon", c -> c.cluster().metadataTimeout()),
            new Sample("cluster.ssl_options.cacertfile", DIR.resolve("cluster-ca.pem").toString(), DIR.resolve("cluster-ca.pem"),
                    DIR.resolve("cluster-ca2.pem").toString(), DIR.resolve("cluster-ca2.pem"), " ", c -> c.cluster().tlsCa()),
            new Sample("cluster.ssl_options.certfile", DIR.resolve("node.pem").toString(), DIR.resolve("node.pem"),
                    DIR.resolve("node2.pem").toString(), DIR.resolve("node2.pem"), " ", c -> c.cluster().tlsCert()),
            new Sample("cluster.ssl_options.keyfile", DIR.resolve("node-key.pem").toString(), DIR.resolve("node-key.pem"),
                    DIR.resolve("node2-key.pem").toString(), DIR.resolve("node2-key.pem"), " ", c -> c.cluster().tlsKey()),
            new Sample("cluster.cookie_file", DIR.resolve("cookie").toString(), DIR.resolve("cookie"),
                    DIR.resolve("cookie2").toString(), DIR.resolve("cookie2"), " ", c -> c.cluster().cookieFile()),
            new Sample("listeners.ssl.default", "5671", " 5671", "127.0.0.1:5691", "127.0.0.1 5691", "ssl",
                    c -> c.tls().amqpsHost() + " " + c.tls().amqpsPort()),
            new Sample("ssl_options.cacertfile", DIR.resolve("ca.pem").toString(), DIR.resolve("ca.pem"),
                    DIR.resolve("ca2.pem").toString(), DIR.resolve("ca2.pem"), " ", c -> c.tls().amqp().cacertfile()),
            new Sample("ssl_options.certfile", DIR.resolve("cert.pem").toString(), DIR.resolve("cert.pem"),
                    DIR.resolve("cert2.pem").toString(), DIR.resolve("cert2.pem"), " ", c -> c.tls().amqp().certfile()),
            new Sample("ssl_options.keyfile", DIR.resolve("key.pem").toString(), DIR.resolve("key.pem"),
                    DIR.resolve("key2.pem").toString(), DIR.resolve("key2.pem"), " ", c -> c.tls().amqp().keyfile()),
            new Sample("ssl_options.password", "s3cret", "s3cret", "other", "other", " ", c -> c.tls().amqp().password()),
            new Sample("ssl_options.verify", "verify_peer", true, "verify_none", false, "yes", c -> c.tls().amqp().verifyPeer()),
            new Sample("ssl_options.fail_if_no_peer_cert", "true", true, "false", false, "always",
                    c -> c.tls().amqp().failIfNoPeerCert()),
            new Sample("ssl_options.honor_cipher_order", "false", false, "true", true, "server",
                    c -> c.tls().amqp().honorCipherOrder()),
            new Sample("ssl_cert_login_from", "common_name", true, "distinguished_name", false, "subject",
                    c -> c.tls().certLoginFromCommonName()),
            new Sample("management.ssl.port", "15671", 15671, "0", 0, "https", c -> c.tls().mgmtSslPort()),
            new Sample("management.ssl.cacertfile", DIR.resolve("ca.pem").toString(), DIR.resolve("ca.pem"),
                    DIR.resolve("ca2.pem").toString(), DIR.resolve("ca2.pem"), " ", c -> c.tls().mgmt().cacertfile()),
            new Sample("management.ssl.certfile", DIR.resolve("cert.pem").toString(), DIR.resolve("cert.pem"),
                    DIR.resolve("cert2.pem").toString(), DIR.resolve("cert2.pem"), " ", c -> c.tls().mgmt().certfile()),
            new Sample("management.ssl.keyfile", DIR.resolve("key.pem").toString(), DIR.resolve("key.pem"),
                    DIR.resolve("key2.pem").toString(), DIR.resolve("key2.pem"), " ", c -> c.tls().mgmt().keyfile()),
            new Sample("management.ssl.password", "s3cret", "s3cret", "other", "other", " ", c -> c.tls().mgmt().password()));

    static Stream<Sample> samples() {
        return SAMPLES.stream();
    }

    private static Path file(String text) throws IOException {
        Files.createDirectories(DIR);
        return Files.writeString(DIR.resolve("keys.conf"), text);
    }

    private static ServerConfig fromFile(String text, Map<String, String> env) throws Exception {
        Map<String, String> all = new HashMap<>(env);
        all.put("WARREN_CONFIG_FILE", file(text).toString());
        return ServerConfig.load(new String[0], all);
    }

    @Test
    void everyKeyHasASample() {
        Set<String> keys = Settings.ALL.stream().filter(s -> !s.family()).map(Settings.Setting::key)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> sampled = SAMPLES.stream().map(Sample::key).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(keys, sampled);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void theFileSetsTheKey(Sample sample) throws Exception {
        ServerConfig defaults = ServerConfig.builtIn();
        ServerConfig config = fromFile(sample.key() + " = " + sample.fileValue() + "\n", Map.of());
        assertEquals(sample.fileReads(), sample.read().apply(config));
        assertNotEquals(sample.read().apply(defaults), sample.read().apply(config), "the sample should not be the default");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void theKeysEnvironmentVariableBeatsTheFile(Sample sample) throws Exception {
        String env = Settings.forKey(sample.key()).orElseThrow().env();
        ServerConfig config = fromFile(sample.key() + " = " + sample.fileValue() + "\n", Map.of(env, sample.envValue()));
        assertEquals(sample.envReads(), sample.read().apply(config), env);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void aBadValueIsAnErrorNamingTheKeyTheLineAndWhatIsAllowed(Sample sample) throws Exception {
        String text = "# comment\n" + sample.key() + " = " + sample.badValue() + "\n";
        ConfigException e = assertThrows(ConfigException.class, () -> fromFile(text, Map.of()));
        String message = e.getMessage();
        for (String part : List.of("line 2: " + sample.key() + ":", "invalid value '" + sample.badValue().strip(),
                "expected ")) {
            assertTrue(message.contains(part), () -> "'" + part + "' missing from: " + message);
        }
        String env = Settings.forKey(sample.key()).orElseThrow().env();
        if (!sample.badValue().isBlank()) { // an empty variable counts as unset
            ConfigException fromEnv = assertThrows(ConfigException.class,
                    () -> ServerConfig.load(new String[0], Map.of(env, sample.badValue())));
            assertTrue(fromEnv.getMessage().startsWith("environment variable " + env + ": invalid value"),
                    fromEnv.getMessage());
        }
    }

    @Test
    void environmentVariablesAreNamedAfterTheirKeys() {
        Map<String, String> expected = Map.of("heartbeat", "WARREN_HEARTBEAT", "log.file.level",
                "WARREN_LOG_FILE_LEVEL", "warren.data_dir", "WARREN_DATA_DIR", "disk_free_limit.absolute",
                "WARREN_DISK_FREE_LIMIT_ABSOLUTE", "vm_memory_high_watermark.relative",
                "WARREN_VM_MEMORY_HIGH_WATERMARK_RELATIVE", "management.tcp.port", "WARREN_MANAGEMENT_TCP_PORT");
        expected.forEach((key, env) -> assertEquals(env, Settings.forKey(key).orElseThrow().env()));
    }

    @Test
    void classicConfigListsTheClusterNodesInTheOrderOfTheirNumbers() throws Exception {
        ServerConfig config = fromFile("""
                cluster_formation.peer_discovery_backend = classic_config
                cluster_formation.classic_config.nodes.2 = warren2@127.0.0.1:25673
                cluster_formation.classic_config.nodes.1 = warren1@127.0.0.1:25672
                """, Map.of());
        assertTrue(config.cluster().enabled());
        assertEquals(List.of("warren1@127.0.0.1 127.0.0.1 25672", "warren2@127.0.0.1 127.0.0.1 25673"),
                config.cluster().peers().stream().map(p -> p.name() + " " + p.host() + " " + p.port()).toList());
        assertTrue(!ServerConfig.builtIn().cluster().enabled(), "a single node unless configured");
        assertTrue(!fromFile("cluster_formation.classic_config.nodes.1 = a@h:1\n", Map.of()).cluster().enabled(),
                "nodes without the classic_config backend form no cluster");
        ConfigException e = assertThrows(ConfigException.class,
                () -> fromFile("cluster_formation.classic_config.nodes.1 = warren2@127.0.0.1\n", Map.of()));
        assertTrue(e.getMessage().contains("line 1: cluster_formation.classic_config.nodes.1: invalid value "
                + "'warren2@127.0.0.1', expected a node NAME@HOST:PORT"), e.getMessage());
    }

    @Test
    void theConsumerTimeoutIsRabbitMqsThirtyMinutesInMillisecondsAndMustBePositive() throws Exception {
        assertEquals(1_800_000L, ServerConfig.builtIn().consumerTimeout(), "RabbitMQ's default");
        assertEquals(1L, fromFile("consumer_timeout = 1\n", Map.of()).consumerTimeout());
        assertEquals(86_400_000_000L, fromFile("consumer_timeout = 86400000000\n", Map.of()).consumerTimeout(),
                "beyond an int, as a very long timeout may be");
        for (String bad : List.of("0", "-1000", "30m", "1.5", "")) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> fromFile("consumer_timeout = " + bad + "\n", Map.of()), bad);
            assertTrue(e.getMessage().contains("consumer_timeout: invalid value '" + bad
                    + "', expected milliseconds, a whole number of at least 1"), e.getMessage());
        }
    }

    @Test
    void loopbackUsersTakeRabbitMqsPerUserSyntax() throws Exception {
        assertEquals(Set.of("guest"), ServerConfig.builtIn().loopbackUsers(), "RabbitMQ's default");
        assertEquals(Set.of(), fromFile("loopback_users.guest = false\n", Map.of()).loopbackUsers());
        assertEquals(Set.of("guest", "monitor"), fromFile("loopback_users.monitor = true\n", Map.of()).loopbackUsers());
        assertEquals(Set.of("monitor"),
                fromFile("loopback_users = none\nloopback_users.monitor = true\n", Map.of()).loopbackUsers());
        ConfigException e = assertThrows(ConfigException.class,
                () -> fromFile("loopback_users.guest = yes\n", Map.of()));
        assertTrue(e.getMessage().contains("line 1: loopback_users.guest: invalid value 'yes', expected true or false"),
                e.getMessage());
    }

    @Test
    void theLaterOfTheTwoWatermarkKeysWinsAsInRabbitMq() throws Exception {
        assertEquals(new MemoryConfig(0.5, 0), fromFile("""
                vm_memory_high_watermark.absolute = 1GiB
                vm_memory_high_watermark.relative = 0.5
                """, Map.of()).memory());
        assertEquals(new MemoryConfig(0.5, 1L << 30), fromFile("""
                vm_memory_high_watermark.relative = 0.5
                vm_memory_high_watermark.absolute = 1GiB
                """, Map.of()).memory());
        assertEquals(new MemoryConfig(0.3, 0), fromFile("vm_memory_high_watermark.absolute = 1GiB\n",
                Map.of("WARREN_VM_MEMORY_HIGH_WATERMARK_RELATIVE", "0.3")).memory(), "the environment beats the file");
    }

    @Test
    void watermarkFractionsOutsideZeroToOneAreRefused() {
        for (String bad : List.of("0", "0.0", "1.5", "-0.4", ".", "NaN", "1e-1")) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> fromFile("vm_memory_high_watermark.relative = " + bad + "\n", Map.of()), bad);
            assertTrue(e.getMessage().contains("greater than 0 and at most 1"), e.getMessage());
        }
    }

    @Test
    void logLevelsAreRabbitMqsNames() throws Exception {
        for (LogConfig.Level level : LogConfig.Level.values()) {
            assertEquals(level, fromFile("log.file.level = " + level.rabbitName() + "\n", Map.of()).logging().fileLevel());
        }
        ConfigException e = assertThrows(ConfigException.class, () -> fromFile("log.console.level = trace\n", Map.of()));
        assertTrue(e.getMessage().contains("one of debug, info, warning, error, critical, none"), e.getMessage());
    }

    @Test
    void logFileFalseMeansNoLogFileAndARelativeNameIsInTheLogDirectory() throws Exception {
        assertNull(fromFile("log.file = false\n", Map.of()).logging().filePath());
        ServerConfig config = fromFile("log.dir = " + DIR + "\nlog.file = broker.log\n", Map.of());
        assertEquals(DIR.resolve("broker.log"), config.logging().filePath());
        config = fromFile("log.file = " + DIR.resolve("elsewhere.log") + "\n", Map.of());
        assertEquals(DIR.resolve("elsewhere.log"), config.logging().filePath());
    }
}
