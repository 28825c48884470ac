package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What survives a restart of the broker on the same data directory, and what does not. */
@Timeout(120)
class DurabilityIT extends RestartingServerTest {

    private static void publishConfirmed(Channel ch, String exchange, String key, AMQP.BasicProperties props, String... bodies)
            throws Exception {
        ch.confirmSelect();
        for (String body : bodies) {
            ch.basicPublish(exchange, key, props, body.getBytes(StandardCharsets.UTF_8));
        }
        ch.waitForConfirmsOrDie(10_000);
    }

    private static String text(GetResponse r) {
        return new String(r.getBody(), StandardCharsets.UTF_8);
    }

    @Test
    void persistentMessagesInADurableQueueComeBackInOrderAfterARestart() throws Exception {
        server = WarrenServer.start(config());
        Channel ch = open();
        ch.queueDeclare("orders", true, false, false, null);
        publishConfirmed(ch, "", "orders", MessageProperties.PERSISTENT_TEXT_PLAIN, "one", "two", "three");

        restart();
        ch = open();
        assertEquals(3, ch.queueDeclarePassive("orders").getMessageCount());
        for (String expected : List.of("one", "two", "three")) {
            GetResponse r = ch.basicGet("orders", true);
            assertNotNull(r, "missing " + expected);
            assertEquals(expected, text(r));
            assertEquals("text/plain", r.getProps().getContentType(), "properties are kept as published");
            assertFalse(r.getEnvelope().isRedeliver(), "never delivered before a clean stop: not redelivered");
        }
        assertNull(ch.basicGet("orders", true));
    }

    @Test
    void transientMessagesAndNonDurableQueuesAndExchangesAreGoneAfterARestart() throws Exception {
        server = WarrenServer.start(config());
        Channel ch = open();
        ch.queueDeclare("kept", true, false, false, null);
        ch.queueDeclare("dropped", false, false, false, null);
        ch.exchangeDeclare("temporary", BuiltinExchangeType.FANOUT, false);
        publishConfirmed(ch, "", "kept", MessageProperties.TEXT_PLAIN, "transient");
        publishConfirmed(ch, "", "dropped", MessageProperties.PERSISTENT_TEXT_PLAIN, "persistent in a transient queue");

        restart();
        Channel after = open();
        assertEquals(0, after.queueDeclarePassive("kept").getMessageCount());
        IOException noQueue = assertThrows(IOException.class, () -> open().queueDeclarePassive("dropped"));
        assertTrue(noQueue.getCause().getMessage().contains("NOT_FOUND"), noQueue.getCause().getMessage());
        IOException noExchange = assertThrows(IOException.class, () -> open().exchangeDeclarePassive("temporary"));
        assertTrue(noExchange.getCause().getMessage().contains("NOT_FOUND"), noExchange.getCause().getMessage());
    }

    @Test
    void durableExchangesAndBindingsSurviveAndStillRoute() throws Exception {
        server = WarrenServer.start(config());
        Channel ch = open();
        ch.exchangeDeclare("events", BuiltinExchangeType.TOPIC, true, false, Map.of("alternate-exchange", "unrouted"));
        ch.exchangeDeclare("unrouted", BuiltinExchangeType.FANOUT, true);
        ch.queueDeclare("audit", true, false, false, Map.of("x-max-length", 1000));
        ch.queueBind("audit", "events", "order.*");
        ch.queueBind("audit", "amq.direct", "direct-key");

        restart();
        ch = open();
        ch.exchangeDeclarePassive("events");
        // redeclaring with the same arguments is accepted: they were restored too
        ch.exchangeDeclare("events", BuiltinExchangeType.TOPIC, true, false, Map.of("alternate-exchange", "unrouted"));
        ch.queueDeclare("audit", true, false, false, Map.of("x-max-length", 1000));
        publishConfirmed(ch, "events", "order.created", MessageProperties.PERSISTENT_TEXT_PLAIN, "via topic");
        publishConfirmed(ch, "amq.direct", "direct-key", MessageProperties.PERSISTENT_TEXT_PLAIN, "via amq.direct");
        assertEquals("via topic", text(ch.basicGet("audit", true)));
        assertEquals("via amq.direct", text(ch.basicGet("audit", true)));
    }

    @Test
    void aConsistentHashExchangeSendsEachKeyToTheSameQueueAfterARestart() throws Exception {
        server = WarrenServer.start(config());
        Channel ch = open();
        ch.exchangeDeclare("sharded", "x-consistent-hash", true, false, Map.of("hash-header", "shard-by"));
        List<String> queues = List.of("shard.a", "shard.b", "shard.c");
        for (String queue : queues) {
            ch.queueDeclare(queue, true, false, false, null);
            ch.queueBind(queue, "sharded", queue.equals("shard.c") ? "3" : "1");
        }
        Map<String, String> before = shardOfEachKey(ch, queues);

        restart();
        ch = open();
        assertEquals(before, shardOfEachKey(ch, queues), "ring and hash-header restored as they were");
    }

    /** Publishes one message per key (in the hash-header) and tells which queue each reached. */
    private static Map<String, String> shardOfEachKey(Channel ch, List<String> queues) throws Exception {
        ch.confirmSelect();
        for (int k = 0; k < 50; k++) {
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().headers(Map.of("shard-by", "key-" + k)).build();
            ch.basicPublish("sharded", "ignored", props, ("key-" + k).getBytes(StandardCharsets.UTF_8));
        }
        ch.waitForConfirmsOrDie(10_000);
        Map<String, String> shards = new java.util.TreeMap<>();
        for (String queue : queues) {
            for (GetResponse r; (r = ch.basicGet(queue, true)) != null; ) {
                shards.put(text(r), queue);
            }
        }
        assertEquals(50, shards.size());
        return shards;
    }

    @Test
    void exclusiveQueuesNeverSurviveEvenWhenDurable() throws Exception {
        server = WarrenServer.start(config());
        Channel ch = open();
        ch.queueDeclare("mine", true, true, false, null);
        publishConfirmed(ch, "", "mine", MessageProperties.PERSISTENT_TEXT_PLAIN, "private");

        restart();
        IOException e = assertThrows(IOException.class, () -> open().queueDeclarePassive("mine"));
        assertTrue(e.getCause().getMessage().contains("NOT_FOUND"), e.getCause().getMessage());
    }

    @Test
    void ackedMessagesDoNotComeBackButUnackedOnesDoFlaggedRedelivered() throws Exception {
        server = WarrenServer.start(config());
        Channel ch = open();
        ch.queueDeclare("work", true, false, false, null);
        publishConfirmed(ch, "", "work", MessageProperties.PERSISTENT_BASIC, "a", "b", "c", "d");
        GetResponse a = ch.basicGet("work", false);
        GetResponse b = ch.basicGet("work", false);
        assertEquals("a", text(a));
        assertEquals("b", text(b));
        ch.basicAck(a.getEnvelope().getDeliveryTag(), false);
        // b stays unacked when the broker stops; c and d were never delivered

        restart();
        ch = open();
        assertEquals(3, ch.queueDeclarePassive("work").getMessageCount());
        GetResponse first = ch.basicGet("work", true);
        assertEquals("b", text(first));
        assertTrue(first.getEnvelope().isRedeliver(), "b was delivered before the stop");
        GetResponse second = ch.basicGet("work", true);
        assertEquals("c", text(second));
        assertFalse(second.getEnvelope().isRedeliver(), "c was never delivered");
        assertEquals("d", text(ch.basicGet("work", true)));
    }

    @Test
    void deletedAndPurgedQueuesStayEmptyAfterARestart() throws Exception {
        server = WarrenServer.start(config());
        Channel ch = open();
        ch.queueDeclare("purged", true, false, false, null);
        ch.queueDeclare("deleted", true, false, false, null);
        publishConfirmed(ch, "", "purged", MessageProperties.PERSISTENT_BASIC, "x", "y");
        publishConfirmed(ch, "", "deleted", MessageProperties.PERSISTENT_BASIC, "z");
        ch.queuePurge("purged");
        ch.queueDelete("deleted");

        restart();
        ch = open();
        assertEquals(0, ch.queueDeclarePassive("purged").getMessageCount());
        Channel other = open();
        assertThrows(IOException.class, () -> other.queueDeclarePassive("deleted"));
    }

    @Test
    void aQueueLongerThanTheMemoryBudgetIsPagedAndDeliveredInOrder() throws Exception {
        server = WarrenServer.start(config().withStorage(config().storage().withMemoryBudget(64 * 1024)));
        Channel ch = open();
        ch.queueDeclare("long", true, false, false, null);
        ch.queueDeclare("long-transient", false, false, false, null);
        int count = 20_000;
        ch.confirmSelect();
        byte[] body = new byte[100];
        for (int i = 0; i < count; i++) {
            String id = Integer.toString(i);
            AMQP.BasicProperties persistent = MessageProperties.PERSISTENT_BASIC.builder().messageId(id).build();
            AMQP.BasicProperties transientProps = MessageProperties.BASIC.builder().messageId(id).build();
            ch.basicPublish("", "long", persistent, body);
            ch.basicPublish("", "long-transient", transientProps, body);
        }
        ch.waitForConfirmsOrDie(60_000);
        assertEquals(count, ch.queueDeclarePassive("long").getMessageCount());
        assertEquals(count, ch.queueDeclarePassive("long-transient").getMessageCount());
        for (String queue : List.of("long", "long-transient")) {
            for (int i = 0; i < count; i++) {
                GetResponse r = ch.basicGet(queue, true);
                assertNotNull(r, queue + ": message " + i + " missing");
                assertEquals(Integer.toString(i), r.getProps().getMessageId(), queue + " out of order");
            }
            assertNull(ch.basicGet(queue, true));
        }
    }

    @Test
    void aRestartWithAPagedBacklogDeliversAllOfItToAConsumer() throws Exception {
        server = WarrenServer.start(config().withStorage(config().storage().withMemoryBudget(64 * 1024)));
        Channel ch = open();
        ch.queueDeclare("backlog", true, false, false, null);
        int count = 5_000;
        ch.confirmSelect();
        for (int i = 0; i < count; i++) {
            ch.basicPublish("", "backlog", MessageProperties.PERSISTENT_BASIC, Integer.toString(i).getBytes(StandardCharsets.UTF_8));
        }
        ch.waitForConfirmsOrDie(60_000);

        restart();
        ch = open();
        java.util.concurrent.BlockingQueue<String> received = new java.util.concurrent.LinkedBlockingQueue<>();
        ch.basicQos(100);
        Channel consumer = ch;
        ch.basicConsume("backlog", false, (tag, delivery) -> {
            received.add(new String(delivery.getBody(), StandardCharsets.UTF_8));
            consumer.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
        }, tag -> { });
        for (int i = 0; i < count; i++) {
            String next = received.poll(Duration.ofSeconds(20).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            assertEquals(Integer.toString(i), next);
        }
    }
}
