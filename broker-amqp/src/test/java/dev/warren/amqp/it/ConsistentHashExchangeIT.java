package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code x-consistent-hash} exchange of RabbitMQ's bundled plugin: binding keys are weights, each
 * message goes to exactly one destination picked by hashing its routing key (or a header, or a property),
 * the same value always to the same one. Passes against RabbitMQ 3.10 with the plugin enabled
 * ({@code -Dwarren.it.port=5672}), except where a test says it checks a deliberate difference.
 */
@Timeout(60)
class ConsistentHashExchangeIT extends SharedBrokerIT {
    private static final String TYPE = "x-consistent-hash";

    /** Where a message went: its queue, and the routing key and properties it came with. */
    private record Delivered(String queue, String routingKey, AMQP.BasicProperties properties, String body) {
    }

    private static void declareQueues(Channel ch, String exchange, Map<String, String> weights) throws IOException {
        for (Map.Entry<String, String> queue : weights.entrySet()) {
            ch.queueDeclare(queue.getKey(), false, true, true, null);
            ch.queueBind(queue.getKey(), exchange, queue.getValue());
        }
    }

    /** Waits until the queues hold {@code total} messages between them, then takes them all. */
    private static List<Delivered> drain(Channel ch, Set<String> queues, int total) throws Exception {
        BrokerFixture.await(total + " messages in " + queues, 10_000,
                () -> queues.stream().mapToLong(q -> Queues.count(ch, q)).sum() == total);
        List<Delivered> delivered = new ArrayList<>();
        for (String queue : queues) {
            for (GetResponse r; (r = ch.basicGet(queue, true)) != null; ) {
                delivered.add(new Delivered(queue, r.getEnvelope().getRoutingKey(), r.getProps(), text(r.getBody())));
            }
        }
        assertEquals(total, delivered.size(), "no message was delivered twice");
        return delivered;
    }

    /** The queues each value reached, for the value {@code valueOf} reads from each delivery. */
    private static Map<String, Set<String>> queuesByValue(List<Delivered> delivered, Function<Delivered, String> valueOf) {
        Map<String, Set<String>> byValue = new HashMap<>();
        for (Delivered d : delivered) {
            byValue.computeIfAbsent(valueOf.apply(d), v -> new HashSet<>()).add(d.queue());
        }
        return byValue;
    }

    private static void assertEachValueInOneQueue(Map<String, Set<String>> queuesByValue) {
        queuesByValue.forEach((value, queues) -> assertEquals(1, queues.size(), value + " went to " + queues));
    }

    @Test
    void eachMessageGoesToExactlyOneQueueAndARoutingKeyAlwaysToTheSameOne() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("chx.keys", TYPE, false, true, null);
        Map<String, String> weights = Map.of("chx.keys.a", "1", "chx.keys.b", "1", "chx.keys.c", "1", "chx.keys.d", "1");
        declareQueues(ch, "chx.keys", weights);
        ch.confirmSelect();
        for (int round = 0; round < 3; round++) {
            for (int k = 0; k < 100; k++) {
                ch.basicPublish("chx.keys", "key-" + k, null, bytes(round + "/" + k));
            }
        }
        ch.waitForConfirmsOrDie(10_000);

        List<Delivered> delivered = drain(ch, weights.keySet(), 300);
        Map<String, Set<String>> byKey = queuesByValue(delivered, Delivered::routingKey);
        assertEquals(100, byKey.size());
        assertEachValueInOneQueue(byKey);
        assertEquals(4, delivered.stream().map(Delivered::queue).distinct().count(), "100 keys reach all four queues");
    }

    @Test
    void queuesGetKeysInProportionToTheirWeights() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("chx.weights", TYPE, false, true, null);
        declareQueues(ch, "chx.weights", Map.of("chx.weights.light", "1", "chx.weights.heavy", "3"));
        ch.confirmSelect();
        int keys = 2000;
        for (int k = 0; k < keys; k++) {
            ch.basicPublish("chx.weights", "order-" + k, null, bytes(""));
        }
        ch.waitForConfirmsOrDie(10_000);

        BrokerFixture.await("all messages routed", 10_000,
                () -> Queues.count(ch, "chx.weights.light") + Queues.count(ch, "chx.weights.heavy") == keys);
        double lightShare = Queues.count(ch, "chx.weights.light") / (double) keys;
        // 1:3 is a quarter; both brokers' shares are random around it, by a few percent (see README)
        assertEquals(0.25, lightShare, 0.06, "the light queue's share");
    }

    @Test
    void withHashHeaderTheHeaderPicksTheQueueNotTheRoutingKey() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("chx.header", TYPE, false, true, Map.of("hash-header", "user"));
        Map<String, String> weights = Map.of("chx.header.a", "1", "chx.header.b", "1", "chx.header.c", "1");
        declareQueues(ch, "chx.header", weights);
        ch.confirmSelect();
        for (int user = 0; user < 20; user++) {
            for (int m = 0; m < 5; m++) {
                AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                        .headers(Map.of("user", "user-" + user)).build();
                ch.basicPublish("chx.header", "rk-" + user + "-" + m, props, bytes("user-" + user));
            }
        }
        for (int m = 0; m < 20; m++) {
            ch.basicPublish("chx.header", "no-header-" + m, null, bytes("none"));
        }
        ch.waitForConfirmsOrDie(10_000);

        List<Delivered> delivered = drain(ch, weights.keySet(), 120);
        Map<String, Set<String>> byBody = queuesByValue(delivered, Delivered::body);
        assertEachValueInOneQueue(byBody); // each user's five routing keys, and every message without the header
        assertTrue(new HashSet<>(byBody.values()).size() > 1, "20 users spread over the queues: " + byBody);
    }

    @ParameterizedTest
    @ValueSource(strings = {"message_id", "correlation_id", "timestamp"})
    void withHashPropertyThePropertyPicksTheQueue(String property) throws Exception {
        Channel ch = channel();
        String exchange = "chx.property." + property;
        ch.exchangeDeclare(exchange, TYPE, false, true, Map.of("hash-property", property));
        Map<String, String> weights = Map.of(exchange + ".a", "2", exchange + ".b", "2", exchange + ".c", "2");
        declareQueues(ch, exchange, weights);
        ch.confirmSelect();
        for (int value = 0; value < 20; value++) {
            AMQP.BasicProperties.Builder props = new AMQP.BasicProperties.Builder();
            switch (property) {
                case "message_id" -> props.messageId("id-" + value);
                case "correlation_id" -> props.correlationId("id-" + value);
                default -> props.timestamp(new Date(1_700_000_000_000L + value * 1000L));
            }
            for (int m = 0; m < 4; m++) {
                ch.basicPublish(exchange, "rk-" + value + "-" + m, props.build(), bytes("value-" + value));
            }
        }
        for (int m = 0; m < 10; m++) {
            ch.basicPublish(exchange, "no-property-" + m, null, bytes("none"));
        }
        ch.waitForConfirmsOrDie(10_000);

        List<Delivered> delivered = drain(ch, weights.keySet(), 90);
        Map<String, Set<String>> byBody = queuesByValue(delivered, Delivered::body);
        assertEachValueInOneQueue(byBody); // each value's four routing keys, and every message without it
        assertTrue(new HashSet<>(byBody.values()).size() > 1, "20 values spread over the queues: " + byBody);
    }

    @Test
    void ccKeysAddNoCopiesTheMessageIsHashedOnTheKeyItWasPublishedWith() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("chx.cc", TYPE, false, true, null);
        Map<String, String> weights = Map.of("chx.cc.a", "1", "chx.cc.b", "1", "chx.cc.c", "1", "chx.cc.d", "1");
        declareQueues(ch, "chx.cc", weights);
        ch.confirmSelect();
        List<Object> cc = new ArrayList<>();
        for (int k = 0; k < 20; k++) {
            cc.add("other-" + k);
        }
        ch.basicPublish("chx.cc", "the-key", null, bytes("plain"));
        ch.basicPublish("chx.cc", "the-key", new AMQP.BasicProperties.Builder().headers(Map.of("CC", cc)).build(),
                bytes("with-cc"));
        ch.waitForConfirmsOrDie(10_000);

        List<Delivered> delivered = drain(ch, weights.keySet(), 2);
        assertEquals(delivered.get(0).queue(), delivered.get(1).queue(), "both where 'the-key' goes");
    }

    @Test
    void anExchangeBoundWithAWeightIsADestinationLikeAQueue() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("chx.e2e", TYPE, false, true, null);
        Set<String> queues = new HashSet<>();
        for (String side : List.of("left", "right")) {
            String fanout = "chx.e2e." + side;
            ch.exchangeDeclare(fanout, "fanout", false, true, null);
            ch.exchangeBind(fanout, "chx.e2e", "1");
            ch.queueDeclare(fanout + ".q", false, true, true, null);
            ch.queueBind(fanout + ".q", fanout, "");
            queues.add(fanout + ".q");
        }
        ch.confirmSelect();
        for (int round = 0; round < 2; round++) {
            for (int k = 0; k < 50; k++) {
                ch.basicPublish("chx.e2e", "key-" + k, null, bytes(""));
            }
        }
        ch.waitForConfirmsOrDie(10_000);

        List<Delivered> delivered = drain(ch, queues, 100);
        assertEachValueInOneQueue(queuesByValue(delivered, Delivered::routingKey));
        assertEquals(2, delivered.stream().map(Delivered::queue).distinct().count(), "50 keys reach both exchanges");
    }

    @Test
    void aBindingKeyThatIsNotAPositiveIntegerIsRefusedWith406() throws Exception {
        Connection connection = connect();
        Channel setup = connection.createChannel();
        setup.exchangeDeclare("chx.invalid", TYPE, false, true, null);
        setup.exchangeDeclare("chx.invalid.dest", "fanout", false, true, null);
        setup.queueDeclare("chx.invalid.q", false, true, true, null);
        // bindings that keep the auto-delete exchanges until the exclusive queue goes with the connection
        setup.queueBind("chx.invalid.q", "chx.invalid", "1");
        setup.queueBind("chx.invalid.q", "chx.invalid.dest", "");

        Channel ch = connection.createChannel();
        assertRefused(shutdownOf(() -> ch.queueBind("chx.invalid.q", "chx.invalid", "abc")), 50, 20,
                "PRECONDITION_FAILED - The binding key must be an integer: <<\"abc\">>");
        Channel zero = connection.createChannel();
        assertRefused(shutdownOf(() -> zero.queueBind("chx.invalid.q", "chx.invalid", "0")), 50, 20,
                "PRECONDITION_FAILED - The binding key must be greater than 0");
        Channel e2e = connection.createChannel();
        assertRefused(shutdownOf(() -> e2e.exchangeBind("chx.invalid.dest", "chx.invalid", "1.5")), 40, 30,
                "PRECONDITION_FAILED - The binding key must be an integer: <<\"1.5\">>");
        assertTrue(setup.isOpen(), "only the refused channels close");
        setup.queueUnbind("chx.invalid.q", "chx.invalid", "abc"); // unbinding what was never bound succeeds
    }

    @Test
    void hashHeaderWithHashPropertyOrAnUnknownPropertyIsRefusedWith406() throws Exception {
        Channel both = channel();
        assertRefused(shutdownOf(() -> both.exchangeDeclare("chx.args.both", TYPE, false, true,
                        Map.of("hash-header", "h", "hash-property", "message_id"))), 40, 10,
                "PRECONDITION_FAILED - hash-header and hash-property are mutually exclusive");
        Channel unknown = channel();
        assertRefused(shutdownOf(() -> unknown.exchangeDeclare("chx.args.unknown", TYPE, false, true,
                        Map.of("hash-property", "app_id"))), 40, 10,
                "PRECONDITION_FAILED - Unsupported property: app_id");
        Channel check = channel();
        ShutdownSignalException notDeclared = shutdownOf(() -> check.exchangeDeclarePassive("chx.args.unknown"));
        assertEquals(404, assertInstanceOf(AMQP.Channel.Close.class, notDeclared.getReason()).getReplyCode());
    }

    @Test
    void unbindingAQueueMovesOnlyTheKeysThatWentToIt() throws Exception {
        // a deliberate difference: RabbitMQ renumbers its buckets on unbind, so other queues' keys move too
        assumeTrue(BrokerFixture.againstWarren(), "Warren's ring only");
        Channel ch = channel();
        ch.exchangeDeclare("chx.unbind", TYPE, false, true, null);
        Map<String, String> weights = Map.of("chx.unbind.a", "1", "chx.unbind.b", "1", "chx.unbind.c", "1");
        declareQueues(ch, "chx.unbind", weights);
        ch.confirmSelect();
        for (int k = 0; k < 100; k++) {
            ch.basicPublish("chx.unbind", "key-" + k, null, bytes(""));
        }
        ch.waitForConfirmsOrDie(10_000);
        Map<String, Set<String>> before = queuesByValue(drain(ch, weights.keySet(), 100), Delivered::routingKey);

        ch.queueUnbind("chx.unbind.b", "chx.unbind", "1");
        for (int k = 0; k < 100; k++) {
            ch.basicPublish("chx.unbind", "key-" + k, null, bytes(""));
        }
        ch.waitForConfirmsOrDie(10_000);
        Map<String, Set<String>> after = queuesByValue(drain(ch, weights.keySet(), 100), Delivered::routingKey);
        before.forEach((key, queues) -> {
            if (queues.contains("chx.unbind.b")) {
                assertNotEquals(Set.of("chx.unbind.b"), after.get(key), key);
            } else {
                assertEquals(queues, after.get(key), key + " stays where it was");
            }
        });
    }

    private static void assertRefused(ShutdownSignalException e, int classId, int methodId, String text) {
        assertChannelClosed(e, 406, text);
        AMQP.Channel.Close close = (AMQP.Channel.Close) e.getReason();
        assertEquals(text, close.getReplyText());
        assertEquals(classId, close.getClassId());
        assertEquals(methodId, close.getMethodId());
    }
}
