package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {
    private static final Map<String, String> NO_ENV = Map.of();

    @TempDir
    Path dir;

    private Path file(String text) throws IOException {
        return Files.writeString(dir.resolve("warren.conf"), text);
    }

    private ServerConfig load(Map<String, String> env, String... args) throws ConfigException {
        return ServerConfig.load(args, env);
    }

    private void assertMessageContains(ConfigException e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), () -> "'" + part + "' missing from: " + e.getMessage());
        }
    }

    @Test
    void withNothingGivenTheDefaultsAreRabbitMqs() throws Exception {
        ServerConfig config = load(NO_ENV);
        assertEquals("", config.amqpHost());
        assertEquals(5672, config.amqpPort());
        assertEquals(15672, config.managementHttpPort());
        assertEquals("guest", config.defaultUser());
        assertEquals("guest", config.defaultPass());
        assertEquals(60, config.heartbeat());
        assertEquals(131072, config.frameMax());
        assertEquals(2047, config.channelMax());
        assertEquals(1_800_000L, config.consumerTimeout());
        assertEquals(Path.of(System.getProperty("user.home"), ".warren", "data"), config.dataDir());
    }

    @Test
    void theDataDirectoryDefaultsToWarrenDataDirWhenItIsSet() throws Exception {
        Path data = dir.resolve("data");
        assertEquals(data, load(Map.of("WARREN_DATA_DIR", data.toString())).dataDir());
    }

    @Test
    void anEmptyEnvironmentVariableCountsAsUnset() throws Exception {
        assertEquals(5672, load(Map.of("WARREN_AMQP_PORT", "")).amqpPort());
    }

    @Test
    void aFlagBeatsTheEnvironmentWhichBeatsTheFileWhichBeatsTheDefault() throws Exception {
        Path conf = file("listeners.tcp.default = 1111\nwarren.data_dir = " + dir.resolve("from-file") + "\n");
        Map<String, String> env = Map.of("WARREN_CONFIG_FILE", conf.toString(), "WARREN_AMQP_PORT", "2222");

        ServerConfig fileOnly = load(Map.of("WARREN_CONFIG_FILE", conf.toString()));
        assertEquals(1111, fileOnly.amqpPort());
        assertEquals(dir.resolve("from-file"), fileOnly.dataDir());

        assertEquals(2222, load(env).amqpPort());
        assertEquals(3333, load(env, "--amqp-port", "3333").amqpPort());

        Map<String, String> envData = Map.of("WARREN_CONFIG_FILE", conf.toString(),
                "WARREN_DATA_DIR", dir.resolve("from-env").toString());
        assertEquals(dir.resolve("from-env"), load(envData).dataDir());
        assertEquals(dir.resolve("from-flag"), load(envData, "--data-dir", dir.resolve("from-flag").toString()).dataDir());
    }

    @Test
    void theConfigFlagBeatsTheConfigFileVariable() throws Exception {
        Path other = Files.writeString(dir.resolve("other.conf"), "heartbeat = 7\n");
        Path conf = file("heartbeat = 9\n");
        assertEquals(7, load(Map.of("WARREN_CONFIG_FILE", conf.toString()), "--config", other.toString()).heartbeat());
    }

    @Test
    void theManagementPortFlagBeatsItsVariableWhichBeatsTheFile() throws Exception {
        Path conf = file("management.tcp.port = 15000\n");
        Map<String, String> env = Map.of("WARREN_CONFIG_FILE", conf.toString());
        assertEquals(15000, load(env).mgmtPort());
        Map<String, String> withVariable = Map.of("WARREN_CONFIG_FILE", conf.toString(), "WARREN_MANAGEMENT_TCP_PORT",
                "15001");
        assertEquals(15001, load(withVariable).mgmtPort());
        assertEquals(0, load(withVariable, "--mgmt-port", "0").mgmtPort(), "0 turns the management listener off");
    }

    @Test
    void managementSslAloneMeansNoHttpListenerAndBothPortsMeanBoth() throws Exception {
        ServerConfig httpsOnly = load(Map.of("WARREN_CONFIG_FILE", file("management.ssl.port = 15671\n").toString()));
        assertEquals(0, httpsOnly.managementHttpPort(), "as RabbitMQ: only the HTTPS listener");
        assertEquals(15671, httpsOnly.tls().mgmtSslPort());
        ServerConfig both = load(Map.of("WARREN_CONFIG_FILE",
                file("management.ssl.port = 15671\nmanagement.tcp.port = 15672\n").toString()));
        assertEquals(15672, both.managementHttpPort());
        assertEquals(15671, both.tls().mgmtSslPort());
    }

    @Test
    void theAmqpPortFlagAndVariableKeepTheListenersHost() throws Exception {
        Path conf = file("listeners.tcp.default = 127.0.0.1:5680\n");
        ServerConfig config = load(Map.of("WARREN_CONFIG_FILE", conf.toString(), "WARREN_AMQP_PORT", "5681"));
        assertEquals("127.0.0.1", config.amqpHost());
        assertEquals(5681, config.amqpPort());
        config = load(Map.of("WARREN_CONFIG_FILE", conf.toString()), "--amqp-port", "5682");
        assertEquals("127.0.0.1", config.amqpHost());
        assertEquals(5682, config.amqpPort());
    }

    @Test
    void flagsAcceptTheirValueAfterAnEqualsSign() throws Exception {
        ServerConfig config = load(NO_ENV, "--amqp-port=5673", "--data-dir=" + dir);
        assertEquals(5673, config.amqpPort());
        assertEquals(dir, config.dataDir());
    }

    @Test
    void everyFileKeySetsItsSetting() throws Exception {
        Path conf = file("""
                # a comment, then a blank line

                listeners.tcp.default = 127.0.0.1:5680
                default_user = admin
                default_pass = s3cret#not-a-comment
                heartbeat = 30   # trailing comment
                frame_max = 8192
                channel_max = 100
                warren.data_dir = %s
                """.formatted(dir.resolve("d")));
        ServerConfig config = load(NO_ENV, "--config", conf.toString());
        assertEquals("127.0.0.1", config.amqpHost());
        assertEquals(5680, config.amqpPort());
        assertEquals("admin", config.defaultUser());
        assertEquals("s3cret#not-a-comment", config.defaultPass());
        assertEquals(30, config.heartbeat());
        assertEquals(8192, config.frameMax());
        assertEquals(100, config.channelMax());
        assertEquals(dir.resolve("d"), config.dataDir());
    }

    @Test
    void theStorageKeysSetTheStoreSettingsWithRabbitMqSizeUnits() throws Exception {
        Path conf = file("""
                warren.fsync = never
                warren.segment_size = 16MiB
                warren.memory_budget = 256m
                disk_free_limit.absolute = 2GB
                """);
        StorageConfig storage = load(NO_ENV, "--config", conf.toString()).storage();
        assertEquals("never", storage.fsync());
        assertEquals(16L << 20, storage.segmentSize());
        assertEquals(256L << 20, storage.memoryBudget());
        assertEquals(2_000_000_000L, storage.diskFreeLimit());
        StorageConfig defaults = load(NO_ENV).storage();
        assertEquals(StorageConfig.defaults(), defaults);
        assertEquals("always", defaults.fsync());
        assertEquals(50_000_000L, defaults.diskFreeLimit(), "RabbitMQ's default disk_free_limit");
    }

    @Test
    void theStorageEnvironmentVariablesBeatTheFile() throws Exception {
        Path conf = file("warren.fsync = always\nwarren.memory_budget = 1MB\n");
        StorageConfig storage = load(Map.of("WARREN_CONFIG_FILE", conf.toString(), "WARREN_FSYNC", "never",
                "WARREN_MEMORY_BUDGET", "3kB", "WARREN_DISK_FREE_LIMIT_ABSOLUTE", "1024")).storage();
        assertEquals("never", storage.fsync());
        assertEquals(3000, storage.memoryBudget());
        assertEquals(1024, storage.diskFreeLimit());
    }

    @Test
    void badStorageValuesAreErrorsSayingWhatIsAllowed() throws Exception {
        ConfigException fsync = assertThrows(ConfigException.class,
                () -> load(NO_ENV, "--config", file("warren.fsync = sometimes\n").toString()));
        assertMessageContains(fsync, "line 1", "warren.fsync", "'sometimes'", "'always'", "'never'");
        ConfigException size = assertThrows(ConfigException.class,
                () -> load(NO_ENV, "--config", file("disk_free_limit.absolute = 50 parsecs\n").toString()));
        assertMessageContains(size, "disk_free_limit.absolute", "kB, MB, GB");
        ConfigException segment = assertThrows(ConfigException.class,
                () -> load(NO_ENV, "--config", file("warren.segment_size = 100\n").toString()));
        assertMessageContains(segment, "warren.segment_size", "at least 4096 bytes");
        ConfigException env = assertThrows(ConfigException.class, () -> load(Map.of("WARREN_MEMORY_BUDGET", "lots")));
        assertMessageContains(env, "WARREN_MEMORY_BUDGET", "'lots'");
    }

    @Test
    void theListenerKeyTakesAPortAloneOrAnIpv6HostAndPort() throws Exception {
        ServerConfig portOnly = load(NO_ENV, "--config", file("listeners.tcp.default = 5999\n").toString());
        assertEquals("", portOnly.amqpHost());
        assertEquals(5999, portOnly.amqpPort());
        ServerConfig bracketed = load(NO_ENV, "--config", file("listeners.tcp.default = [::1]:5998\n").toString());
        assertEquals("::1", bracketed.amqpHost());
        assertEquals(5998, bracketed.amqpPort());
        ServerConfig bare = load(NO_ENV, "--config", file("listeners.tcp.default = ::1:5997\n").toString());
        assertEquals("::1", bare.amqpHost());
        assertEquals(5997, bare.amqpPort());
    }

    @Test
    void aKeyGivenTwiceTakesItsLastValue() throws Exception {
        assertEquals(20, load(NO_ENV, "--config", file("heartbeat = 10\nheartbeat = 20\n").toString()).heartbeat());
    }

    @Test
    void everyEnvironmentVariableSetsItsSetting() throws Exception {
        ServerConfig config = load(Map.of("WARREN_AMQP_PORT", "6000", "WARREN_DEFAULT_USER", "u",
                "WARREN_DEFAULT_PASS", "p", "WARREN_HEARTBEAT", "0", "WARREN_FRAME_MAX", "4096",
                "WARREN_CHANNEL_MAX", "65535", "WARREN_DATA_DIR", dir.toString(), "WARREN_JAVA_OPTS", "-Xmx1g"));
        assertEquals(6000, config.amqpPort());
        assertEquals("u", config.defaultUser());
        assertEquals("p", config.defaultPass());
        assertEquals(0, config.heartbeat());
        assertEquals(4096, config.frameMax());
        assertEquals(65535, config.channelMax());
        assertEquals(dir, config.dataDir());
    }

    @Test
    void anUnknownFileKeyIsAnErrorNamingTheKeyTheLineAndTheKnownKeys() throws Exception {
        Path conf = file("heartbeat = 5\n\nlisteners.sctp.default = 5671\n");
        ConfigException e = assertThrows(ConfigException.class, () -> load(NO_ENV, "--config", conf.toString()));
        assertMessageContains(e, conf.toString(), "line 3", "unknown key 'listeners.sctp.default'",
                "listeners.tcp.default", "warren.data_dir");
    }

    @Test
    void aBadFileValueIsAnErrorNamingTheKeyTheLineAndWhatIsAllowed() throws Exception {
        Path conf = file("# tuning\nheartbeat = often\n");
        ConfigException e = assertThrows(ConfigException.class, () -> load(NO_ENV, "--config", conf.toString()));
        assertMessageContains(e, "line 2", "heartbeat", "'often'", "between 0 and 65535");
    }

    @Test
    void outOfRangeFileValuesAreErrors() throws Exception {
        for (String line : new String[] {"frame_max = 1024", "channel_max = 0", "listeners.tcp.default = 70000",
                "listeners.tcp.default = localhost:", "default_user =", "warren.data_dir = "}) {
            Path conf = file(line + "\n");
            ConfigException e = assertThrows(ConfigException.class, () -> load(NO_ENV, "--config", conf.toString()),
                    line);
            assertMessageContains(e, "line 1", line.substring(0, line.indexOf(' ')), "expected");
        }
    }

    @Test
    void aLineWithoutAnEqualsSignIsAnError() throws Exception {
        Path conf = file("heartbeat 5\n");
        ConfigException e = assertThrows(ConfigException.class, () -> load(NO_ENV, "--config", conf.toString()));
        assertMessageContains(e, "line 1", "key = value");
    }

    @Test
    void aMissingConfigFileIsAnError() {
        Path missing = dir.resolve("missing.conf");
        ConfigException e = assertThrows(ConfigException.class, () -> load(NO_ENV, "--config", missing.toString()));
        assertMessageContains(e, missing.toString(), "no such file");
    }

    @Test
    void aBadEnvironmentValueIsAnErrorNamingTheVariable() {
        ConfigException e = assertThrows(ConfigException.class, () -> load(Map.of("WARREN_AMQP_PORT", "http")));
        assertMessageContains(e, "WARREN_AMQP_PORT", "'http'", "between 0 and 65535");
    }

    @Test
    void anUnknownFlagIsAnErrorListingTheAllowedFlags() {
        ConfigException e = assertThrows(ConfigException.class, () -> load(NO_ENV, "--amqp-prot", "5673"));
        assertMessageContains(e, "unknown flag '--amqp-prot'", "--amqp-port N", "--mgmt-port N", "--data-dir DIR",
                "--config FILE", "--help");
    }

    @Test
    void aStrayArgumentIsAnError() {
        ConfigException e = assertThrows(ConfigException.class, () -> load(NO_ENV, "5673"));
        assertMessageContains(e, "unexpected argument '5673'");
    }

    @Test
    void aFlagWithoutItsValueIsAnError() {
        ConfigException e = assertThrows(ConfigException.class, () -> load(NO_ENV, "--amqp-port"));
        assertMessageContains(e, "--amqp-port needs a value");
    }

    @Test
    void aBadFlagValueIsAnErrorNamingTheFlag() {
        ConfigException e = assertThrows(ConfigException.class, () -> load(NO_ENV, "--amqp-port", "-1"));
        assertMessageContains(e, "flag --amqp-port", "'-1'", "between 0 and 65535");
    }

    @Test
    void helpIsRecognisedWithoutLoadingAnything() throws Exception {
        assertTrue(CommandLine.parse(new String[] {"--help"}).help());
        assertTrue(CommandLine.USAGE.contains("--amqp-port N"));
    }

    @Test
    void thePasswordNeverAppearsInToString() throws Exception {
        ServerConfig config = load(Map.of("WARREN_DEFAULT_PASS", "hunter2"));
        assertTrue(!config.toString().contains("hunter2"), config.toString());
    }
}
