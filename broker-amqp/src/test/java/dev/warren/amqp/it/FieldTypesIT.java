package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.LongString;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every AMQP field type the Java client writes, void included, in every method that carries a table:
 * exchange and queue arguments (declared, declared again, compared), binding and consumer arguments,
 * and message headers, which come back with the values and types they were sent with.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FieldTypesIT {
    private static BrokerFixture broker;

    @BeforeAll
    static void start() throws Exception {
        broker = BrokerFixture.start();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    /** One value of each type the Java client can send (it writes byte, short, float and double too). */
    private static Map<String, Object> everyType() {
        Map<String, Object> table = new LinkedHashMap<>();
        table.put("x-void", null);
        table.put("x-string", "text");
        table.put("x-int", 42);
        table.put("x-long", 1L << 40);
        table.put("x-bool", true);
        table.put("x-byte", (byte) -7);
        table.put("x-short", (short) 1234);
        table.put("x-float", 1.5f);
        table.put("x-double", 2.25d);
        table.put("x-decimal", new BigDecimal("12.345"));
        table.put("x-timestamp", new Date(1_700_000_000_000L));
        table.put("x-bytes", new byte[] {1, 2, 3});
        table.put("x-array", List.of("a", 1, List.of(true)));
        table.put("x-table", Map.of("nested", "yes", "void", new LinkedHashMap<>(java.util.Collections.singletonMap("n", null))));
        return table;
    }

    private static int replyCode(IOException error) {
        return ((AMQP.Channel.Close) ((ShutdownSignalException) error.getCause()).getReason()).getReplyCode();
    }

    @Test
    void exchangesAndQueuesTakeArgumentsOfEveryTypeAndCompareThemOnRedeclaration() throws Exception {
        try (Connection connection = broker.connect()) {
            Channel channel = connection.createChannel();
            channel.exchangeDeclare("typed-x", "topic", false, true, everyType());
            channel.exchangeDeclare("typed-x", "topic", false, true, everyType()); // equivalent: fine
            channel.queueDeclare("typed-q", false, false, true, everyType());
            channel.queueDeclare("typed-q", false, false, true, everyType());

            Map<String, Object> other = everyType();
            other.put("x-message-ttl", (byte) 9); // any integer type, as RabbitMQ takes it
            channel.queueDeclare("typed-q2", false, false, true, other);
            Map<String, Object> same = everyType();
            same.put("x-message-ttl", 9L);
            channel.queueDeclare("typed-q2", false, false, true, same); // the same number in another type
            Map<String, Object> changed = everyType();
            changed.put("x-message-ttl", (short) 8);
            IOException error = assertThrows(IOException.class, () -> channel.queueDeclare("typed-q2", false, false, true, changed));
            assertEquals(406, replyCode(error));
            String text = ((ShutdownSignalException) error.getCause()).getMessage();
            assertTrue(text.contains("inequivalent arg 'x-message-ttl'"), text);

            Channel again = connection.createChannel();
            Map<String, Object> bytes = everyType();
            bytes.put("x-message-ttl", new byte[] {9});
            error = assertThrows(IOException.class, () -> again.queueDeclare("typed-q3", false, false, true, bytes));
            assertEquals(406, replyCode(error));
            text = ((ShutdownSignalException) error.getCause()).getMessage();
            assertTrue(text.contains("invalid arg 'x-message-ttl' for queue 'typed-q3' in vhost '/': \"expected integer, got binary\""), text);
            assertTrue(connection.isOpen());
        }
    }

    @Test
    void bindingsAndConsumersTakeArgumentsOfEveryType() throws Exception {
        try (Connection connection = broker.connect()) {
            Channel channel = connection.createChannel();
            String queue = channel.queueDeclare().getQueue();
            channel.queueBind(queue, "amq.topic", "typed.#", everyType());
            channel.queueBind(queue, "amq.headers", "", everyType()); // x-match absent: all
            channel.queueUnbind(queue, "amq.topic", "typed.#", everyType());
            String tag = channel.basicConsume(queue, true, "typed-consumer", false, false, everyType(), (t, d) -> { }, t -> { });
            channel.basicCancel(tag);
            assertTrue(channel.isOpen());
        }
    }

    @Test
    void messageHeadersOfEveryTypeComeBackAsTheyWereSent() throws Exception {
        try (Connection connection = broker.connect()) {
            Channel channel = connection.createChannel();
            String queue = channel.queueDeclare().getQueue();
            Map<String, Object> sent = everyType();
            channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().headers(sent).build(),
                    "typed".getBytes(StandardCharsets.UTF_8));
            GetResponse got = null;
            for (int i = 0; i < 100 && got == null; i++) {
                got = channel.basicGet(queue, true);
            }
            Map<String, Object> headers = got.getProps().getHeaders();
            assertTrue(headers.containsKey("x-void"));
            assertNull(headers.get("x-void"));
            assertEquals("text", headers.get("x-string").toString());
            assertTrue(headers.get("x-string") instanceof LongString);
            assertEquals(42, headers.get("x-int"));
            assertEquals(1L << 40, headers.get("x-long"));
            assertEquals(true, headers.get("x-bool"));
            assertEquals((byte) -7, headers.get("x-byte"));
            assertEquals((short) 1234, headers.get("x-short"));
            assertEquals(1.5f, headers.get("x-float"));
            assertEquals(2.25d, headers.get("x-double"));
            assertEquals(new BigDecimal("12.345"), headers.get("x-decimal"));
            assertEquals(new Date(1_700_000_000_000L), headers.get("x-timestamp"));
            assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) headers.get("x-bytes"));
            assertEquals(3, ((List<?>) headers.get("x-array")).size());
            assertEquals("yes", ((Map<?, ?>) headers.get("x-table")).get("nested").toString());
        }
    }
}
