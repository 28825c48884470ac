package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Assertions shared by the protocol-level integration tests. */
final class RawAssertions {
    private RawAssertions() {
    }

    /**
     * A reply text a person can read: printable ASCII, not blank, and free of anything that looks like a
     * leaked Java exception or stack trace.
     */
    static void assertReadableReplyText(String text) {
        assertNotNull(text, "reply text");
        assertFalse(text.isBlank(), "reply text is blank");
        for (char c : text.toCharArray()) {
            assertTrue(c >= 0x20 && c < 0x7F, "reply text has a non-printable character (" + (int) c + "): " + text);
        }
        assertFalse(text.contains("Exception"), "reply text leaks an exception: " + text);
        assertFalse(text.contains("\tat ") || text.contains(" at java.") || text.contains("java.lang")
                || text.contains("io.netty") || text.contains("dev.warren"), "reply text leaks a stack trace: " + text);
    }

    /** The shutdown signal somewhere in the cause chain of a client exception. */
    static ShutdownSignalException shutdownSignal(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof ShutdownSignalException sse) {
                return sse;
            }
        }
        throw new AssertionError("no ShutdownSignalException in the cause chain of " + thrown, thrown);
    }

    static AMQP.Connection.Close connectionClose(Throwable thrown) {
        ShutdownSignalException sse = shutdownSignal(thrown);
        assertTrue(sse.isHardError(), "expected a connection error, got " + sse);
        assertTrue(sse.getReason() instanceof AMQP.Connection.Close, "expected connection.close, got " + sse.getReason());
        return (AMQP.Connection.Close) sse.getReason();
    }

    static AMQP.Channel.Close channelClose(Throwable thrown) {
        ShutdownSignalException sse = shutdownSignal(thrown);
        assertFalse(sse.isHardError(), "expected a channel error, got " + sse);
        assertTrue(sse.getReason() instanceof AMQP.Channel.Close, "expected channel.close, got " + sse.getReason());
        return (AMQP.Channel.Close) sse.getReason();
    }

    /**
     * Declares a private queue on the connection, consumes from it, publishes {@code count} messages and
     * waits (bounded) until every one has come back.
     */
    static void assertPublishesAndConsumes(Connection connection, int count) throws Exception {
        assertTrue(connection.isOpen(), "connection is closed: " + connection.getCloseReason());
        Channel channel = connection.createChannel();
        try {
            String queue = channel.queueDeclare("", false, true, true, null).getQueue();
            Set<String> received = ConcurrentHashMap.newKeySet();
            CountDownLatch all = new CountDownLatch(count);
            channel.basicConsume(queue, true, (tag, delivery) -> {
                if (received.add(new String(delivery.getBody(), StandardCharsets.UTF_8))) {
                    all.countDown();
                }
            }, tag -> { });
            for (int i = 0; i < count; i++) {
                channel.basicPublish("", queue, null, ("message-" + i).getBytes(StandardCharsets.UTF_8));
            }
            assertTrue(all.await(10, TimeUnit.SECONDS), "only " + received.size() + " of " + count + " messages came back");
            assertEquals(count, received.size());
        } finally {
            if (channel.isOpen()) {
                channel.close();
            }
        }
    }
}
