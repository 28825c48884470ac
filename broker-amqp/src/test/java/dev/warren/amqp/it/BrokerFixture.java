package dev.warren.amqp.it;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.warren.amqp.AmqpServer;
import dev.warren.amqp.AmqpSettings;
import dev.warren.core.Broker;
import dev.warren.core.auth.Users;
import dev.warren.core.store.Storage;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * An in-process broker on an ephemeral loopback port, for integration tests that drive it with the
 * RabbitMQ Java client. Use one per test class (or per test) and close it afterwards.
 */
public final class BrokerFixture implements AutoCloseable {
    private final Broker broker;
    private final AmqpServer server;
    private final int port;

    private BrokerFixture(AmqpSettings settings, Storage storage, int eventLoops) throws InterruptedException {
        this.broker = new Broker(Users.withDefaultUser("guest", "guest"), storage);
        this.server = new AmqpServer(broker, settings, eventLoops);
        // as the server does on start: nothing stored to bring back, and the loops for work outside connections
        broker.restore(Map.of(), Optional.empty(), List.of(), server::nextLoop);
        InetSocketAddress bound = server.start("127.0.0.1", 0).get(0);
        this.port = bound.getPort();
    }

    public static BrokerFixture start() throws InterruptedException {
        return new BrokerFixture(AmqpSettings.defaults(), Storage.inMemory(), 2);
    }

    /** A broker whose storage (message store, memory budget, alarm) the test provides. */
    public static BrokerFixture start(Storage storage) throws InterruptedException {
        return new BrokerFixture(AmqpSettings.defaults(), storage, 2);
    }

    /** A broker with the test's storage whose connections all share one event loop (as on a 2-core machine). */
    public static BrokerFixture startOnOneLoop(Storage storage) throws InterruptedException {
        return new BrokerFixture(AmqpSettings.defaults(), storage, 1);
    }

    public static BrokerFixture start(AmqpSettings settings) throws InterruptedException {
        return new BrokerFixture(settings, Storage.inMemory(), 2);
    }

    public Broker broker() {
        return broker;
    }

    public int port() {
        return port;
    }

    /** Starts an AMQPS listener on another ephemeral loopback port, beside the plain one; returns its port. */
    public int startTls(dev.warren.amqp.tls.ServerTls tls) throws InterruptedException {
        return server.startTls("127.0.0.1", 0, tls).get(0).getPort();
    }

    /**
     * A connection factory for guest/guest on this broker, with short timeouts so no test can hang. With
     * {@code -Dwarren.it.port=5672} it points at another broker there instead (e.g. RabbitMQ), to check that
     * a test states RabbitMQ's behaviour; tests that look inside the in-process broker cannot run that way.
     */
    public ConnectionFactory factory() {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(Integer.getInteger("warren.it.port", port));
        factory.setUsername("guest");
        factory.setPassword("guest");
        factory.setConnectionTimeout(5_000);
        factory.setHandshakeTimeout(5_000);
        factory.setShutdownTimeout(2_000);
        factory.setChannelRpcTimeout(5_000);
        factory.setAutomaticRecoveryEnabled(false);
        return factory;
    }

    /** False when the tests are pointed at another broker with -Dwarren.it.port (see {@link #factory()}). */
    public static boolean againstWarren() {
        return Integer.getInteger("warren.it.port") == null;
    }

    public Connection connect() throws Exception {
        return factory().newConnection();
    }

    /** Waits until the condition holds, failing after the deadline instead of sleeping a fixed time. */
    public static void await(String what, long timeoutMillis, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
