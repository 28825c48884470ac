package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The message lifecycle across a restart: TTLs stay absolute, dead letters stay moved, limits and order hold. */
@Timeout(120)
class LifecycleDurabilityIT extends RestartingServerTest {
    private static final AMQP.BasicProperties PERSISTENT = new AMQP.BasicProperties.Builder().deliveryMode(2).build();

    private static void publishConfirmed(Channel ch, String queue, AMQP.BasicProperties props, String... bodies) throws Exception {
        ch.confirmSelect();
        for (String body : bodies) {
            ch.basicPublish("", queue, props, body.getBytes(StandardCharsets.UTF_8));
        }
        ch.waitForConfirmsOrDie(10_000);
    }

    private static List<String> drain(Channel ch, String queue) throws IOException {
        List<String> bodies = new ArrayList<>();
        for (GetResponse r; (r = ch.basicGet(queue, true)) != null; ) {
            bodies.add(new String(r.getBody(), StandardCharsets.UTF_8));
        }
        return bodies;
    }

    @Test
    void aPersistentMessagesTtlCountsFromItsArrivalNotFromTheRestart() throws Exception {
        server = WarrenServer.start(config());
        Channel ch = open();
        ch.queueDeclare("ttl.durable", true, false, false, Map.of("x-message-ttl", 4_000));
        long published = System.nanoTime();
        publishConfirmed(ch, "ttl.durable", PERSISTENT, "m");
        await("2 s to pass", 10_000, () -> System.nanoTime() - published > 2_000_000_000L);

        restart();
        Channel after = open();
        await("the message to expire", 20_000, () -> count(after, "ttl.durable") == 0);
        long goneAfterMillis = (System.nanoTime() - published) / 1_000_000;
        assertTrue(goneAfterMillis < 5_800, "expired " + goneAfterMillis + " ms after its publish: its TTL restarted "
                + "with the broker (it would be gone at 6000+ ms) instead of holding across it (4000 ms)");
    }

    @Test
    void aDeadLetteredPersistentMessageIsInTheTargetQueueAndNotTheSourceAfterARestart() throws Exception {
        server = WarrenServer.start(config());
        Channel ch = open();
        ch.queueDeclare("dl.target", true, false, false, null);
        ch.queueDeclare("dl.source", true, false, false,
                Map.of("x-dead-letter-exchange", "", "x-dead-letter-routing-key", "dl.target"));
        publishConfirmed(ch, "dl.source", PERSISTENT, "one", "two");
        GetResponse first = ch.basicGet("dl.source", false);
        ch.basicReject(first.getEnvelope().getDeliveryTag(), false);
        await("the dead letter", 10_000, () -> count(ch, "dl.target") == 1);

        restart();
        Channel after = open();
        assertEquals(1, count(after, "dl.source"));
        GetResponse dead = after.basicGet("dl.target", true);
        assertNotNull(dead);
        assertEquals("one", new String(dead.getBody(), StandardCharsets.UTF_8));
        assertTrue(dead.getProps().getHeaders().containsKey("x-death"));
        assertNull(after.basicGet("dl.target", true));
        assertEquals(List.of("two"), drain(after, "dl.source"));
    }

    @Test
    void aPriorityQueueDeliversInPriorityOrderAfterARestart() throws Exception {
        server = WarrenServer.start(config());
        Channel ch = open();
        ch.queueDeclare("prio.durable", true, false, false, Map.of("x-max-priority", 9));
        ch.confirmSelect();
        int[] priorities = {1, 9, 4, 9, 0};
        for (int i = 0; i < priorities.length; i++) {
            ch.basicPublish("", "prio.durable", new AMQP.BasicProperties.Builder().deliveryMode(2).priority(priorities[i]).build(),
                    ("m" + i).getBytes(StandardCharsets.UTF_8));
        }
        ch.waitForConfirmsOrDie(10_000);

        restart();
        Channel after = open();
        await("the recovered messages", 10_000, () -> count(after, "prio.durable") == 5);
        List<String> order = new ArrayList<>();
        await("all five in order", 10_000, () -> {
            try {
                GetResponse r = after.basicGet("prio.durable", true);
                if (r != null) {
                    order.add(new String(r.getBody(), StandardCharsets.UTF_8));
                }
                return order.size() == 5;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals(List.of("m1", "m3", "m2", "m0", "m4"), order);
    }

    @Test
    void aLengthLimitStillHoldsAfterARestart() throws Exception {
        server = WarrenServer.start(config());
        Channel ch = open();
        ch.queueDeclare("ml.durable", true, false, false, Map.of("x-max-length", 3));
        publishConfirmed(ch, "ml.durable", PERSISTENT, "a", "b", "c", "d");
        await("the limit", 10_000, () -> count(ch, "ml.durable") == 3);

        restart();
        Channel after = open();
        publishConfirmed(after, "ml.durable", PERSISTENT, "e");
        await("the limit after the restart", 10_000, () -> count(after, "ml.durable") == 3);
        assertEquals(List.of("c", "d", "e"), drain(after, "ml.durable"));
    }

    @Test
    void aDurableQueuesExpiryClockStartsAgainWhenTheBrokerStarts() throws Exception {
        server = WarrenServer.start(config());
        Channel ch = open();
        ch.queueDeclare("exp.durable", true, false, false, Map.of("x-expires", 1_500));
        closeConnections();
        server.close();
        long stopped = System.nanoTime();
        await("longer than the expiry, broker down", 10_000, () -> System.nanoTime() - stopped > 2_000_000_000L);

        server = WarrenServer.start(config());
        long started = System.nanoTime();
        assertTrue(server.broker().vhost("/").queue("exp.durable") != null, "still there: its clock restarted");
        await("the queue to expire", 15_000, () -> server.broker().vhost("/").queue("exp.durable") == null);
        assertTrue(System.nanoTime() - started >= 1_400_000_000L, "not before its expiry counted from the start");
    }

    @Test
    void aDeliveryLimitedDurableQueueStillDeadLettersPastItsLimitAfterARestart() throws Exception {
        server = WarrenServer.start(config());
        Channel ch = open();
        ch.queueDeclare("dl.limit-dead", true, false, false, null);
        ch.queueDeclare("dl.limited", true, false, false, Map.of("x-delivery-limit", 1,
                "x-dead-letter-exchange", "", "x-dead-letter-routing-key", "dl.limit-dead"));
        publishConfirmed(ch, "dl.limited", PERSISTENT, "job");

        restart();
        Channel after = open();
        await("the recovered job", 10_000, () -> count(after, "dl.limited") == 1);
        for (int delivery = 0; delivery < 2; delivery++) {
            GetResponse r = after.basicGet("dl.limited", false);
            assertNotNull(r, "delivery " + delivery);
            after.basicNack(r.getEnvelope().getDeliveryTag(), false, true);
        }
        await("the job past its limit to be dead-lettered", 10_000, () -> count(after, "dl.limit-dead") == 1);
        assertEquals(0, count(after, "dl.limited"));
    }

    private static Map<String, Object> deadLetterTo(String target, Object... more) {
        Map<String, Object> arguments = new java.util.HashMap<>(Map.of("x-dead-letter-exchange", "", "x-dead-letter-routing-key", target));
        for (int i = 0; i < more.length; i += 2) {
            arguments.put((String) more[i], more[i + 1]);
        }
        return arguments;
    }

    @SuppressWarnings("unchecked")
    private static String firstDeathReason(GetResponse r) {
        List<Map<String, Object>> deaths = (List<Map<String, Object>>) r.getProps().getHeaders().get("x-death");
        return String.valueOf(deaths.get(0).get("reason"));
    }

    @Test
    void aPerMessageExpirationAlsoCountsFromArrivalAndTheMessageIsStillThereRightAfterTheRestart() throws Exception {
        server = WarrenServer.start(config());
        Channel ch = open();
        ch.queueDeclare("ttl.per-message", true, false, false, null);
        long published = System.nanoTime();
        publishConfirmed(ch, "ttl.per-message", new AMQP.BasicProperties.Builder().deliveryMode(2).expiration("6000").build(), "m");
        await("3 s to pass", 10_000, () -> System.nanoTime() - published > 3_000_000_000L);

        restart();
        Channel after = open();
        long restartedAfterMillis = (System.nanoTime() - published) / 1_000_000;
        if (restartedAfterMillis < 5_000) { // on a very slow machine the message may be due by now: nothing to say then
            assertEquals(1, count(after, "ttl.per-message"), "not expired by the restart itself");
        }
        await("the message to expire", 20_000, () -> count(after, "ttl.per-message") == 0);
        long goneAfterMillis = (System.nanoTime() - published) / 1_000_000;
        assertTrue(goneAfterMillis >= 5_900, "expired " + goneAfterMillis + " ms after its publish, before its 6000 ms");
        // counted from the restart it would go 6000 ms after it; from its arrival, ~3000 ms after it (slack for a slow machine)
        assertTrue(goneAfterMillis < restartedAfterMillis + 4_500, "expired " + goneAfterMillis + " ms after its publish, "
                + "restarted at " + restartedAfterMillis + " ms: its expiration restarted with the broker");
    }

    @Test
    void aPersistentMessageThatExpiresWhileTheBrokerIsDownIsDeadLetteredWhenItStarts() throws Exception {
        server = WarrenServer.start(config());
        Channel ch = open();
        ch.queueDeclare("ttl.down-dead", true, false, false, null);
        ch.queueDeclare("ttl.down", true, false, false, deadLetterTo("ttl.down-dead", "x-message-ttl", 1_000));
        publishConfirmed(ch, "ttl.down", PERSISTENT, "late");
        closeConnections();
        server.close();
        long stopped = System.nanoTime();
        await("its TTL to pass with the broker down", 10_000, () -> System.nanoTime() - stopped > 1_500_000_000L);

        server = WarrenServer.start(config());
        Channel after = open();
        await("the expired message dead-lettered", 10_000, () -> count(after, "ttl.down-dead") == 1);
        assertEquals(0, count(after, "ttl.down"));
        GetResponse dead = after.basicGet("ttl.down-dead", true);
        assertEquals("late", new String(dead.getBody(), StandardCharsets.UTF_8));
        assertEquals("expired", firstDeathReason(dead));
    }

    @Test
    void aPersistentMessageDroppedByALengthLimitStaysInTheDeadLetterQueueAfterARestart() throws Exception {
        server = WarrenServer.start(config());
        Channel ch = open();
        ch.queueDeclare("ml.dead-durable", true, false, false, null);
        ch.queueDeclare("ml.bounded-durable", true, false, false, deadLetterTo("ml.dead-durable", "x-max-length", 1));
        publishConfirmed(ch, "ml.bounded-durable", PERSISTENT, "old", "new");
        await("the dropped head dead-lettered", 10_000, () -> count(ch, "ml.dead-durable") == 1);

        restart();
        Channel after = open();
        assertEquals(List.of("new"), drain(after, "ml.bounded-durable"));
        GetResponse dead = after.basicGet("ml.dead-durable", true);
        assertNotNull(dead);
        assertEquals("old", new String(dead.getBody(), StandardCharsets.UTF_8));
        assertEquals("maxlen", firstDeathReason(dead));
        assertNull(after.basicGet("ml.dead-durable", true));
    }

    @Test
    void aRejectPublishQueueFilledBeforeARestartStillRefusesAfterIt() throws Exception {
        server = WarrenServer.start(config());
        Channel ch = open();
        ch.queueDeclare("ml.full-durable", true, false, false, Map.of("x-max-length", 2, "x-overflow", "reject-publish"));
        publishConfirmed(ch, "ml.full-durable", PERSISTENT, "a", "b");

        restart();
        Channel after = open();
        await("the recovered messages", 10_000, () -> count(after, "ml.full-durable") == 2);
        after.confirmSelect();
        after.basicPublish("", "ml.full-durable", PERSISTENT, "c".getBytes(StandardCharsets.UTF_8));
        assertTrue(!after.waitForConfirms(10_000), "basic.nack: the queue is still full");
        assertEquals(List.of("a", "b"), drain(after, "ml.full-durable"));
    }

    @Test
    void aByteLimitCountsTheMessagesRecoveredByARestart() throws Exception {
        server = WarrenServer.start(config());
        Channel ch = open();
        ch.queueDeclare("ml.bytes-durable", true, false, false, Map.of("x-max-length-bytes", 10));
        publishConfirmed(ch, "ml.bytes-durable", PERSISTENT, "aaa", "bbb", "ccc");

        restart();
        Channel after = open();
        await("the recovered messages", 10_000, () -> count(after, "ml.bytes-durable") == 3);
        publishConfirmed(after, "ml.bytes-durable", PERSISTENT, "dd");
        await("the head dropped: 9 + 2 bytes is over 10", 10_000, () -> count(after, "ml.bytes-durable") == 3);
        assertEquals(List.of("bbb", "ccc", "dd"), drain(after, "ml.bytes-durable"));
    }

    @Test
    void aPriorityQueueLongerThanTheMemoryBudgetDeliversInPriorityOrderBeforeAndAfterARestart() throws Exception {
        ServerConfig small = config().withStorage(config().storage().withMemoryBudget(64 * 1024));
        server = WarrenServer.start(small);
        Channel ch = open();
        ch.queueDeclare("prio.paged", true, false, false, Map.of("x-max-priority", 3));
        int count = 4_000;
        byte[] padding = new byte[200];
        ch.confirmSelect();
        List<String> expected = new ArrayList<>();
        for (int p = 3; p >= 0; p--) {
            for (int i = p; i < count; i += 4) {
                expected.add(Integer.toString(i));
            }
        }
        for (int i = 0; i < count; i++) {
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().deliveryMode(2).priority(i % 4)
                    .messageId(Integer.toString(i)).build();
            ch.basicPublish("", "prio.paged", props, padding);
        }
        ch.waitForConfirmsOrDie(60_000);

        List<String> got = new ArrayList<>();
        takeInOrder(ch, "prio.paged", got, count / 2);
        assertEquals(expected.subList(0, count / 2), got, "before the restart");

        closeConnections();
        server.close();
        server = WarrenServer.start(small);
        Channel after = open();
        got.clear();
        takeInOrder(after, "prio.paged", got, count / 2);
        assertEquals(expected.subList(count / 2, count), got, "after the restart");
        assertNull(after.basicGet("prio.paged", true));
    }

    @Test
    void messagesRequeuedOrUnackedAtARestartComeBackRedeliveredInTheirPlaceInAPriorityQueue() throws Exception {
        server = WarrenServer.start(config());
        Channel ch = open();
        ch.queueDeclare("prio.requeued", true, false, false, Map.of("x-max-priority", 9));
        ch.confirmSelect();
        int[] priorities = {1, 9, 4, 9, 0};
        for (int i = 0; i < priorities.length; i++) {
            ch.basicPublish("", "prio.requeued", new AMQP.BasicProperties.Builder().deliveryMode(2).priority(priorities[i]).build(),
                    ("m" + i).getBytes(StandardCharsets.UTF_8));
        }
        ch.waitForConfirmsOrDie(10_000);
        GetResponse held = ch.basicGet("prio.requeued", false);
        GetResponse nacked = ch.basicGet("prio.requeued", false);
        assertEquals("m1", new String(held.getBody(), StandardCharsets.UTF_8));
        assertEquals("m3", new String(nacked.getBody(), StandardCharsets.UTF_8));
        ch.basicNack(nacked.getEnvelope().getDeliveryTag(), false, true);

        restart(); // m1 still unacked
        Channel after = open();
        await("the recovered messages", 10_000, () -> count(after, "prio.requeued") == 5);
        List<String> order = new ArrayList<>();
        for (GetResponse r; (r = after.basicGet("prio.requeued", true)) != null; ) {
            order.add(new String(r.getBody(), StandardCharsets.UTF_8) + (r.getEnvelope().isRedeliver() ? "*" : ""));
        }
        // RabbitMQ gives [m1*, m3*, m2, m0, m4]. Warren keeps the order and flags m1 and m3, but after a clean
        // stop it also flags never-delivered messages stored before the last delivered one (its clean-stop mark
        // is a store location, and a priority queue delivers out of store order): a hint the spec allows,
        // documented in the README.
        assertEquals(List.of("m1", "m3", "m2", "m0", "m4"), order.stream().map(b -> b.replace("*", "")).toList());
        assertEquals(List.of("m1*", "m3*"), order.subList(0, 2));
        assertEquals("m4", order.get(4), "stored after the last delivery: not flagged");
    }

    /** basic.get (auto-ack) until {@code n} message ids are taken; a get may come back empty while pages are read. */
    private static void takeInOrder(Channel ch, String queue, List<String> into, int n) throws InterruptedException {
        int target = into.size() + n;
        await(n + " messages", 60_000, () -> {
            try {
                for (GetResponse r; into.size() < target && (r = ch.basicGet(queue, true)) != null; ) {
                    into.add(r.getProps().getMessageId());
                }
                return into.size() == target;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
