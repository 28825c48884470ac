package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of integration test classes that share one in-process broker per class: every test opens its own
 * connections through {@link #connect()} or {@link #channel()}, and they are aborted after it.
 */
abstract class SharedBrokerIT {
    /** How long a test waits for one expected event; generous, for a loaded 2-core machine. */
    static final long WAIT_MILLIS = 15_000;
    static BrokerFixture broker;
    final List<Connection> connections = new ArrayList<>();

    @BeforeAll
    static void startBroker() throws Exception {
        broker = BrokerFixture.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @AfterEach
    void closeConnections() {
        connections.forEach(c -> c.abort(2_000));
    }

    Connection connect() throws Exception {
        return track(broker.connect());
    }

    /** Registers a connection opened some other way, so it is closed after the test too. */
    Connection track(Connection connection) {
        connections.add(connection);
        return connection;
    }

    Channel channel() throws Exception {
        return connect().createChannel();
    }

    // ---- helpers shared by the test classes ----

    interface AmqpAction {
        void run() throws Exception;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] body) {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** Runs an RPC the broker should answer by closing the channel or connection; returns the signal. */
    static ShutdownSignalException shutdownOf(AmqpAction action) {
        try {
            action.run();
        } catch (ShutdownSignalException e) {
            return e;
        } catch (IOException e) {
            if (e.getCause() instanceof ShutdownSignalException s) {
                return s;
            }
            throw new AssertionError("unexpected I/O error", e);
        } catch (Exception e) {
            throw new AssertionError("unexpected error", e);
        }
        throw new AssertionError("expected the broker to close the channel or connection, but the call succeeded");
    }

    /** Runs an asynchronous method (publish, ack) and waits, bounded, for the broker to close the channel. */
    static ShutdownSignalException closedAfter(Channel ch, AmqpAction action) throws Exception {
        BlockingQueue<ShutdownSignalException> signals = new LinkedBlockingQueue<>();
        ch.addShutdownListener(signals::add);
        action.run();
        ShutdownSignalException signal = signals.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        assertNotNull(signal, "the broker did not close the channel");
        return signal;
    }

    static void assertChannelClosed(ShutdownSignalException e, int code, String textPart) {
        assertFalse(e.isHardError(), () -> "expected a channel error but the connection was closed: " + e.getReason());
        AMQP.Channel.Close close = assertInstanceOf(AMQP.Channel.Close.class, e.getReason());
        assertEquals(code, close.getReplyCode(), close.getReplyText());
        assertTrue(close.getReplyText().contains(textPart),
                () -> "reply text '" + close.getReplyText() + "' should mention '" + textPart + "'");
    }

    static void assertConnectionClosed(ShutdownSignalException e, int code, String textPart) {
        assertTrue(e.isHardError(), () -> "expected a connection error but only the channel was closed: " + e.getReason());
        AMQP.Connection.Close close = assertInstanceOf(AMQP.Connection.Close.class, e.getReason());
        assertEquals(code, close.getReplyCode(), close.getReplyText());
        assertTrue(close.getReplyText().contains(textPart),
                () -> "reply text '" + close.getReplyText() + "' should mention '" + textPart + "'");
    }

    static int messageCount(Channel ch, String queue) {
        try {
            return ch.queueDeclarePassive(queue).getMessageCount();
        } catch (IOException e) {
            throw new AssertionError("passive declare of " + queue + " failed", e);
        }
    }

    static int consumerCount(Channel ch, String queue) {
        try {
            return ch.queueDeclarePassive(queue).getConsumerCount();
        } catch (IOException e) {
            throw new AssertionError("passive declare of " + queue + " failed", e);
        }
    }

    static void publish(Channel ch, String queue, String... bodies) throws IOException {
        for (String body : bodies) {
            ch.basicPublish("", queue, null, bytes(body));
        }
    }
}
