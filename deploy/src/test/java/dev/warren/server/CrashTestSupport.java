package dev.warren.server;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.impl.ForgivingExceptionHandler;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;

/** What the crash tests (CrashRecoveryProcessIT, DeadLetterCrashProcessIT) share: their clients and messages. */
final class CrashTestSupport {
    private CrashTestSupport() {
    }

    /**
     * A factory for connections that never recover by themselves (the test restarts the broker and reconnects)
     * and that add what the client library reports to errors, except the broken connections after killing is
     * set, just before each SIGKILL.
     */
    static ConnectionFactory factory(int port, long timeoutMillis, AtomicBoolean killing, List<String> errors) {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(port);
        factory.setUsername("guest");
        factory.setPassword("guest");
        factory.setConnectionTimeout((int) timeoutMillis);
        factory.setHandshakeTimeout((int) timeoutMillis);
        factory.setChannelRpcTimeout((int) timeoutMillis);
        factory.setShutdownTimeout(1_000);
        factory.setRequestedHeartbeat(10);
        factory.setAutomaticRecoveryEnabled(false);
        factory.setTopologyRecoveryEnabled(false);
        factory.setExceptionHandler(new ForgivingExceptionHandler() {
            @Override
            public void handleUnexpectedConnectionDriverException(Connection connection, Throwable exception) {
                if (!killing.get()) { // after the kill every connection ends this way
                    errors.add("connection " + connection.getClientProvidedName() + ": " + exception);
                    super.handleUnexpectedConnectionDriverException(connection, exception);
                }
            }

            @Override
            public void handleConsumerException(Channel channel, Throwable exception, com.rabbitmq.client.Consumer
                    consumer, String consumerTag, String methodName) {
                errors.add("a consumer of " + channel.getConnection().getClientProvidedName() + " threw in "
                        + methodName + ": " + exception);
                super.handleConsumerException(channel, exception, consumer, consumerTag, methodName);
            }
        });
        return factory;
    }

    /** "id|size|" then size bytes that depend on the id, so a torn or mixed-up body is detected. */
    static byte[] body(String id, int size) {
        byte[] head = (id + "|" + size + "|").getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[head.length + size];
        System.arraycopy(head, 0, body, 0, head.length);
        int h = id.hashCode();
        for (int i = 0; i < size; i++) {
            body[head.length + i] = (byte) (h + i * 31 + (i >>> 8));
        }
        return body;
    }

    /** The text quoted, with anything but printable ASCII as \xNN. */
    static String printable(String text) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            b.append(c >= 32 && c < 127 ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return b.append('"').toString();
    }

    /** The first ids, and how many more. */
    static String sample(TreeSet<String> ids, int shown) {
        List<String> first = ids.stream().limit(shown).toList();
        return first + (ids.size() > first.size() ? " and " + (ids.size() - first.size()) + " more" : "");
    }
}
