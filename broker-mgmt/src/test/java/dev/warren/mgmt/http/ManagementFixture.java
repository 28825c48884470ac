package dev.warren.mgmt.http;

import com.rabbitmq.client.ConnectionFactory;
import dev.warren.amqp.AmqpServer;
import dev.warren.amqp.AmqpSettings;
import dev.warren.core.Broker;
import dev.warren.core.auth.Users;
import dev.warren.core.store.MemoryAlarm;
import dev.warren.core.store.MemoryBudget;
import dev.warren.core.store.ResourceAlarm;
import dev.warren.core.store.Storage;
import dev.warren.store.DefinitionsFile;
import dev.warren.store.Journal;
import dev.warren.store.StoreSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A whole broker for end-to-end tests, as WarrenServer builds it: durable store in a data directory, AMQP
 * and the management API on ephemeral loopback ports, default user guest/guest (administrator, all
 * permissions on "/"). {@link #start()} makes its own temporary data directory and deletes it on
 * {@link #close()}; {@link #start(Path)} uses (and keeps) the caller's; {@link #restart()} stops this broker
 * and starts a new one on the same data directory.
 */
public final class ManagementFixture implements AutoCloseable {
    private static final long MEMORY_BUDGET = 64L * 1024 * 1024;
    /** The memory alarm sees a machine with this much memory, and this much in use, unless a test says otherwise. */
    public static final long PRETEND_TOTAL_MEMORY = 8L << 30;
    public static final long PRETEND_MEMORY_USED = 100L << 20;
    private static final long SEGMENT_SIZE = 4L * 1024 * 1024;

    private final Path dataDir;
    private boolean ownsDataDir;
    private final Journal journal;
    private final Broker broker;
    private final AmqpServer amqp;
    private final int amqpPort;
    private final ManagementServer management;
    /** What the test changed in the management settings; kept across {@link #restart()}. */
    private final UnaryOperator<ManagementSettings> settings;
    private boolean closed;

    private ManagementFixture(Path dataDir, boolean ownsDataDir, Journal journal, Broker broker, AmqpServer amqp,
                              int amqpPort, ManagementServer management, UnaryOperator<ManagementSettings> settings) {
        this.dataDir = dataDir;
        this.ownsDataDir = ownsDataDir;
        this.journal = journal;
        this.broker = broker;
        this.amqp = amqp;
        this.amqpPort = amqpPort;
        this.management = management;
        this.settings = settings;
    }

    /** A broker in a new temporary data directory, removed again by {@link #close()}. */
    public static ManagementFixture start() throws IOException, InterruptedException {
        return start(UnaryOperator.identity());
    }

    /** A broker in a new temporary data directory whose management settings the test changes (e.g. the rates interval). */
    public static ManagementFixture start(UnaryOperator<ManagementSettings> settings) throws IOException, InterruptedException {
        return start(Files.createTempDirectory("warren-mgmt-test"), true, settings);
    }

    /** A broker on the given data directory (what an earlier run stored there comes back); the directory is kept. */
    public static ManagementFixture start(Path dataDir) throws IOException, InterruptedException {
        return start(dataDir, false, UnaryOperator.identity());
    }

    private static ManagementFixture start(Path dataDir, boolean ownsDataDir, UnaryOperator<ManagementSettings> settings)
            throws IOException, InterruptedException {
        Files.createDirectories(dataDir);
        ResourceAlarm diskAlarm = new ResourceAlarm("disk");
        Journal journal = Journal.open(StoreSettings.defaults(dataDir.resolve("msgs"))
                .withSegmentSize(SEGMENT_SIZE).withDiskFreeLimit(0), diskAlarm);
        AmqpServer amqp = null;
        try {
            DefinitionsFile definitions = DefinitionsFile.open(dataDir);
            // no memory monitor: the reading is set here and by tests, so the alarm changes only when they ask
            MemoryAlarm memoryAlarm = new MemoryAlarm(MemoryAlarm.Watermark.relative(0.6), PRETEND_TOTAL_MEMORY);
            memoryAlarm.update(PRETEND_MEMORY_USED);
            Storage storage = new Storage(journal, definitions, new MemoryBudget(MEMORY_BUDGET), diskAlarm, memoryAlarm);
            Broker broker = new Broker(Users.withDefaultUser("guest", "guest"), storage);
            amqp = new AmqpServer(broker, AmqpSettings.defaults(), 2);
            broker.restore(definitions.load(), definitions.loadSecurity(), journal.takeRecovered(), amqp::nextLoop);
            journal.timeFsyncsWith(nanos -> broker.stats().fsyncLatency().record(nanos));
            int amqpPort = amqp.start("127.0.0.1", 0).get(0).getPort();
            ManagementServer management = ManagementServer.start(broker, settings.apply(ManagementSettings.defaults()
                    .withHost("127.0.0.1").withPort(0).withDataDir(dataDir).withAmqpPort(amqpPort)));
            return new ManagementFixture(dataDir, ownsDataDir, journal, broker, amqp, amqpPort, management, settings);
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (amqp != null) {
                amqp.close();
            }
            journal.close();
            throw e;
        }
    }

    /** Stops this broker (keeping its data) and starts a new one on the same data directory. */
    public ManagementFixture restart() throws IOException, InterruptedException {
        boolean owns = ownsDataDir;
        ownsDataDir = false;
        close();
        return start(dataDir, owns, settings);
    }

    public Broker broker() {
        return broker;
    }

    public int amqpPort() {
        return amqpPort;
    }

    public int managementPort() {
        return management.port();
    }

    public ManagementServer management() {
        return management;
    }

    /** http://127.0.0.1:port, without a trailing slash. */
    public String baseUrl() {
        return "http://127.0.0.1:" + management.port();
    }

    public Path dataDir() {
        return dataDir;
    }

    /** An API client logged in as guest, the default user (an administrator). */
    public ApiClient guestApi() {
        return ApiClient.basic(baseUrl(), "guest", "guest");
    }

    /** A RabbitMQ Java client factory for this broker, vhost "/". */
    public ConnectionFactory connectionFactory(String user, String password) {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(amqpPort);
        factory.setUsername(user);
        factory.setPassword(password);
        factory.setAutomaticRecoveryEnabled(false);
        factory.setConnectionTimeout(10_000);
        return factory;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            management.close();
        } finally {
            amqp.close();
            journal.close();
            if (ownsDataDir) {
                deleteRecursively(dataDir);
            }
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }
}
