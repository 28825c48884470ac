package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Durable classic queues through a cluster of three Warren processes ({@link ClusterHarness}), one for the whole
 * class, with the RabbitMQ Java client: a classic queue lives on the node that declared it (its home, node A here)
 * and every other node forwards to the home what a client asks of the queue there. Messages published through the
 * other nodes (through an exchange and binding declared on one of them, and through the default exchange) reach the
 * home's queue, confirmed, once each and in each publisher's order; queue.declare through another node reports the
 * home queue's message and consumer counts; basic.get, queue.purge and queue.delete through another node act on the
 * home's queue and answer as it does. While the home node is down the others refuse its queue (a publish to it is
 * nacked, a declare is 404 naming the home node, as RabbitMQ words it), and once the home is back its messages are
 * there again. Logs: target/classic-queue-forwarding-process-it/node{1,2,3}.log.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClassicQueueForwardingProcessIT {
    private static final long WAIT_MS = 30_000;
    private static final int A = 0;
    private static final int B = 1;
    private static final int C = 2;

    @RegisterExtension
    static final ClusterHarness cluster = ClusterHarness.forTests("classic-queue-forwarding-process-it");

    @Test
    @Order(1)
    void messagesPublishedThroughTheOtherNodesReachTheHomeQueueOnceEachAndInEachPublishersOrder() throws Exception {
        String queue = "forward.orders";
        int each = 200;
        try (Connection a = cluster.factory(A).newConnection();
             Connection b = cluster.factory(B).newConnection();
             Connection c = cluster.factory(C).newConnection()) {
            declareOnHome(queue);
            Channel onB = b.createChannel();
            onB.exchangeDeclare("forward.x", "direct", true);
            onB.queueBind(queue, "forward.x", "k"); // a binding to A's queue, made through B

            List<String> returned = new CopyOnWriteArrayList<>();
            Channel fromB = b.createChannel();
            Channel fromC = c.createChannel();
            for (Channel ch : List.of(fromB, fromC)) {
                ch.confirmSelect();
                ch.addReturnListener(r -> returned.add(r.getReplyCode() + " " + r.getReplyText() + ": "
                        + new String(r.getBody(), StandardCharsets.UTF_8)));
            }
            for (int i = 0; i < each; i++) {
                fromB.basicPublish("forward.x", "k", true, MessageProperties.PERSISTENT_BASIC,
                        ("B-" + i).getBytes(StandardCharsets.UTF_8));
                fromC.basicPublish("", queue, true, MessageProperties.PERSISTENT_BASIC,
                        ("C-" + i).getBytes(StandardCharsets.UTF_8));
            }
            fromB.waitForConfirmsOrDie(WAIT_MS);
            fromC.waitForConfirmsOrDie(WAIT_MS);
            assertTrue(returned.isEmpty(), "mandatory messages returned as unroutable: " + returned);

            List<String> received = new CopyOnWriteArrayList<>();
            Channel consumer = a.createChannel();
            consumer.basicQos(50);
            String tag = consumer.basicConsume(queue, false, new DefaultConsumer(consumer) {
                @Override
                public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
                                           byte[] body) throws IOException {
                    received.add(new String(body, StandardCharsets.UTF_8));
                    getChannel().basicAck(envelope.getDeliveryTag(), false);
                }
            });
            ClusterHarness.await("the " + 2 * each + " messages consumed on the home node " + cluster.name(A), WAIT_MS,
                    () -> received.size() >= 2 * each);
            consumer.basicCancel(tag);
            assertEquals(2 * each, received.size(), "more deliveries than messages published: " + received);
            assertEquals(2 * each, new HashSet<>(received).size(), "a message delivered twice: " + received);
            assertEquals(List.of(bodies("B-", each)), from("B-", received), "B's messages in the order B published them");
            assertEquals(List.of(bodies("C-", each)), from("C-", received), "C's messages in the order C published them");
            ClusterHarness.await("every ack applied on " + cluster.name(A), WAIT_MS, () -> messageCount(A, queue) == 0);
        }
    }

    @Test
    @Order(2)
    void queueDeclareThroughAnotherNodeReportsTheHomeQueuesMessageAndConsumerCounts() throws Exception {
        String queue = "forward.counted";
        declareOnHome(queue);
        AMQP.Queue.DeclareOk empty = passive(C, queue);
        assertEquals(queue, empty.getQueue());
        assertEquals(0, empty.getMessageCount());
        assertEquals(0, empty.getConsumerCount());

        publishConfirmed(A, "", queue, MessageProperties.PERSISTENT_BASIC, bodies("m", 5));
        ClusterHarness.await(cluster.name(A) + " counts the 5 messages", WAIT_MS, () -> messageCount(A, queue) == 5);
        AMQP.Queue.DeclareOk passive = passive(C, queue);
        assertEquals(queue, passive.getQueue());
        assertEquals(5, passive.getMessageCount(), "passive declare through C");
        assertEquals(0, passive.getConsumerCount(), "passive declare through C");
        try (Connection c = cluster.factory(C).newConnection()) {
            AMQP.Queue.DeclareOk declared = c.createChannel().queueDeclare(queue, true, false, false, null);
            assertEquals(queue, declared.getQueue());
            assertEquals(5, declared.getMessageCount(), "matching durable declare through C");
            assertEquals(0, declared.getConsumerCount(), "matching durable declare through C");
        }

        try (Connection a = cluster.factory(A).newConnection()) {
            Channel holding = a.createChannel();
            holding.basicQos(1);
            List<String> held = new CopyOnWriteArrayList<>();
            holding.basicConsume(queue, false, new DefaultConsumer(holding) {
                @Override
                public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
                                           byte[] body) {
                    held.add(new String(body, StandardCharsets.UTF_8)); // never acked
                }
            });
            ClusterHarness.await("one delivery to the consumer on " + cluster.name(A), WAIT_MS, () -> held.size() == 1);
            awaitCounts(C, queue, 4, 1); // the unacked one is not ready
            // the management API of another node lists it too, as RabbitMQ's does, with its home node's counts
            com.fasterxml.jackson.databind.JsonNode shown = cluster.api(C, "/api/queues/%2F/" + queue);
            assertEquals(cluster.name(A), shown.path("node").asText(), shown.toString());
            assertEquals("running", shown.path("state").asText(), shown.toString());
            assertEquals(4, shown.path("messages_ready").asInt(), shown.toString());
            assertEquals(1, shown.path("messages_unacknowledged").asInt(), shown.toString());
            assertEquals(1, shown.path("consumers").asInt(), shown.toString());
            boolean listed = false;
            for (com.fasterxml.jackson.databind.JsonNode q : cluster.api(B, "/api/queues/%2F")) {
                listed |= q.path("name").asText().equals(queue) && q.path("messages").asInt() == 5;
            }
            assertTrue(listed, "GET /api/queues through " + cluster.name(B) + " lists " + queue + " with its 5 messages");
            holding.close(); // without acking: it goes back
            awaitCounts(C, queue, 5, 0);
        }
    }

    @Test
    @Order(3)
    void basicGetThroughAnotherNodeTakesTheHomeQueuesNextMessageAndIsEmptyOnceTheQueueIs() throws Exception {
        String queue = "forward.got";
        declareOnHome(queue);
        try (Connection a = cluster.factory(A).newConnection()) {
            Channel ch = a.createChannel();
            ch.exchangeDeclare("forward.got.x", "direct", true);
            ch.queueBind(queue, "forward.got.x", "g");
        }
        AMQP.BasicProperties textual = MessageProperties.PERSISTENT_TEXT_PLAIN;
        publishConfirmed(A, "forward.got.x", "g", textual, "first");
        publishConfirmed(A, "", queue, textual, "second");
        ClusterHarness.await(cluster.name(A) + " counts the 2 messages", WAIT_MS, () -> messageCount(A, queue) == 2);

        try (Connection c = cluster.factory(C).newConnection()) {
            Channel ch = c.createChannel();
            GetResponse first = ch.basicGet(queue, true);
            assertNotNull(first, "basic.get through C of a queue holding 2 messages");
            assertEquals("first", body(first));
            assertEquals("forward.got.x", first.getEnvelope().getExchange());
            assertEquals("g", first.getEnvelope().getRoutingKey());
            assertFalse(first.getEnvelope().isRedeliver());
            assertEquals(1, first.getMessageCount(), "messages left after this one");
            assertEquals("text/plain", first.getProps().getContentType());
            assertEquals(2, first.getProps().getDeliveryMode());

            GetResponse second = ch.basicGet(queue, true);
            assertNotNull(second, "basic.get through C of a queue holding 1 message");
            assertEquals("second", body(second));
            assertEquals("", second.getEnvelope().getExchange());
            assertEquals(queue, second.getEnvelope().getRoutingKey());
            assertEquals(0, second.getMessageCount(), "messages left after this one");

            assertNull(ch.basicGet(queue, true), "get-empty through C once the home queue is empty");
        }
        ClusterHarness.await("the auto-acked messages gone from " + cluster.name(A), WAIT_MS,
                () -> messageCount(A, queue) == 0);
    }

    @Test
    @Order(4)
    void queuePurgeThroughAnotherNodeEmptiesTheHomeQueueAndCountsWhatItRemoved() throws Exception {
        String queue = "forward.purged";
        declareOnHome(queue);
        publishConfirmed(A, "", queue, MessageProperties.PERSISTENT_BASIC, bodies("p", 7));
        ClusterHarness.await(cluster.name(A) + " counts the 7 messages", WAIT_MS, () -> messageCount(A, queue) == 7);

        try (Connection c = cluster.factory(C).newConnection()) {
            AMQP.Queue.PurgeOk purged = c.createChannel().queuePurge(queue);
            assertEquals(7, purged.getMessageCount(), "purge-ok through C");
        }
        assertEquals(0, passive(A, queue).getMessageCount(), "the home queue after the purge through C");
        try (Connection a = cluster.factory(A).newConnection()) {
            assertNull(a.createChannel().basicGet(queue, true), "nothing left on the home node");
        }
    }

    @Test
    @Order(5)
    void queueDeleteThroughAnotherNodeDeletesTheHomeQueueOnEveryNode() throws Exception {
        String queue = "forward.deleted";
        declareOnHome(queue);
        publishConfirmed(A, "", queue, MessageProperties.PERSISTENT_BASIC, bodies("d", 4));
        ClusterHarness.await(cluster.name(A) + " counts the 4 messages", WAIT_MS, () -> messageCount(A, queue) == 4);

        try (Connection b = cluster.factory(B).newConnection()) {
            AMQP.Queue.DeleteOk deleted = b.createChannel().queueDelete(queue);
            assertEquals(4, deleted.getMessageCount(), "delete-ok through B");
        }
        for (int node : new int[] {A, C, B}) {
            ClusterHarness.await("a passive declare of the deleted " + queue + " is 404 on " + cluster.name(node), WAIT_MS,
                    () -> notFoundMessage(node, queue) != null);
        }
    }

    /** Last: it kills the home node and restarts it. */
    @Test
    @Order(6)
    void aConsumerOnAnotherNodeGetsTheHomeQueuesMessagesInOrderWithinItsPrefetchAndItsAcksSettleThem() throws Exception {
        String queue = "forward.consumed";
        declareOnHome(queue);
        publishConfirmed(A, "", queue, MessageProperties.PERSISTENT_BASIC, bodies("m", 60));
        List<String> received = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicInteger mostUnacked = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger unacked = new java.util.concurrent.atomic.AtomicInteger();
        try (Connection b = cluster.factory(B).newConnection()) {
            Channel ch = b.createChannel();
            ch.basicQos(7);
            String tag = ch.basicConsume(queue, false, new DefaultConsumer(ch) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                        throws IOException {
                    mostUnacked.accumulateAndGet(unacked.incrementAndGet(), Math::max);
                    received.add(new String(body, StandardCharsets.UTF_8));
                    unacked.decrementAndGet();
                    getChannel().basicAck(envelope.getDeliveryTag(), false);
                }
            });
            ClusterHarness.await("60 deliveries through " + cluster.name(B), WAIT_MS, () -> received.size() >= 60);
            assertEquals(List.of(bodies("m", 60)), received, "each message once, in the queue's order");
            awaitCounts(A, queue, 0, 1);
            ch.basicCancel(tag);
            awaitCounts(A, queue, 0, 0);
        }
        assertTrue(mostUnacked.get() <= 7, "never more unacked than the prefetch: " + mostUnacked.get());
        try (Connection a = cluster.factory(A).newConnection()) {
            assertNull(a.createChannel().basicGet(queue, true), "acked on the home node: nothing comes back");
        }
    }

    @Test
    @Order(7)
    void whatAConsumerOnAnotherNodeHeldComesBackRedeliveredWhenItsChannelClosesAndNackedOnesAsAsked() throws Exception {
        String queue = "forward.held";
        declareOnHome(queue);
        publishConfirmed(A, "", queue, MessageProperties.PERSISTENT_BASIC, bodies("h", 5));
        try (Connection c = cluster.factory(C).newConnection()) {
            Channel ch = c.createChannel();
            ch.basicQos(3);
            List<Envelope> held = new CopyOnWriteArrayList<>();
            ch.basicConsume(queue, false, new DefaultConsumer(ch) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                    held.add(envelope);
                }
            });
            ClusterHarness.await("3 deliveries (the prefetch) through " + cluster.name(C), WAIT_MS, () -> held.size() == 3);
            ch.basicNack(held.get(2).getDeliveryTag(), false, true); // h2 back to the queue
            ClusterHarness.await("a fourth delivery once a nack made room", WAIT_MS, () -> held.size() == 4);
            assertTrue(held.get(3).isRedeliver(), "the nacked h2 comes again first, redelivered");
            ch.close(); // h0, h1 and h2 go back
        }
        awaitCounts(A, queue, 5, 0);
        try (Connection c = cluster.factory(C).newConnection()) {
            Channel ch = c.createChannel();
            ch.basicQos(2);
            List<Envelope> held = new CopyOnWriteArrayList<>();
            String tag = ch.basicConsume(queue, false, new DefaultConsumer(ch) {
                @Override
                public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
                                           byte[] body) {
                    held.add(envelope);
                }
            });
            ClusterHarness.await("2 deliveries through " + cluster.name(C), WAIT_MS, () -> held.size() == 2);
            ch.basicCancel(tag); // the two stay unacked with the channel
            awaitCounts(A, queue, 3, 0);
            ch.close(); // and go back with it
        }
        awaitCounts(A, queue, 5, 0);
        try (Connection a = cluster.factory(A).newConnection()) {
            Channel ch = a.createChannel();
            for (int i = 0; i < 5; i++) {
                GetResponse got = ch.basicGet(queue, true);
                assertNotNull(got, "message " + i + " is back");
                assertEquals("h" + i, body(got), "back in the queue's order");
                assertTrue(got.getEnvelope().isRedeliver() == (i < 3), "h" + i + " redelivered: " + got.getEnvelope().isRedeliver());
            }
        }
    }

    @Test
    @Order(8)
    void aNoAckConsumerOnAnotherNodeGetsEveryMessageAndTheHomeQueueIsDrained() throws Exception {
        String queue = "forward.noack";
        declareOnHome(queue);
        publishConfirmed(A, "", queue, MessageProperties.PERSISTENT_BASIC, bodies("n", 2000));
        List<String> received = new CopyOnWriteArrayList<>();
        try (Connection b = cluster.factory(B).newConnection()) {
            Channel ch = b.createChannel();
            ch.basicConsume(queue, true, new DefaultConsumer(ch) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                    received.add(new String(body, StandardCharsets.UTF_8));
                }
            });
            ClusterHarness.await("2000 deliveries through " + cluster.name(B), WAIT_MS, () -> received.size() >= 2000);
            assertEquals(List.of(bodies("n", 2000)), received);
        }
        awaitCounts(A, queue, 0, 0);
    }

    @Test
    @Order(9)
    void aBasicGetThroughAnotherNodeThatNeedsAnAckIsHeldUntilAckedRejectedOrItsChannelCloses() throws Exception {
        String queue = "forward.got.acked";
        declareOnHome(queue);
        publishConfirmed(A, "", queue, MessageProperties.PERSISTENT_BASIC, "g0", "g1");
        try (Connection c = cluster.factory(C).newConnection()) {
            Channel ch = c.createChannel();
            GetResponse first = ch.basicGet(queue, false);
            assertEquals("g0", body(first));
            assertFalse(first.getEnvelope().isRedeliver());
            awaitCounts(A, queue, 1, 0); // g0 is held for the ack
            ch.basicReject(first.getEnvelope().getDeliveryTag(), true);
            GetResponse again = ch.basicGet(queue, false);
            assertEquals("g0", body(again), "a rejected and requeued message comes again first");
            assertTrue(again.getEnvelope().isRedeliver());
            ch.basicAck(again.getEnvelope().getDeliveryTag(), false);
            assertEquals("g1", body(ch.basicGet(queue, false))); // not acked: the channel closes holding it
        }
        awaitCounts(A, queue, 1, 0);
        try (Connection a = cluster.factory(A).newConnection()) {
            GetResponse back = a.createChannel().basicGet(queue, true);
            assertEquals("g1", body(back), "what a closed channel held comes back; the acked g0 does not");
            assertTrue(back.getEnvelope().isRedeliver());
        }
    }

    @Test
    @Order(10)
    void theManagementApiOfAnotherNodePurgesAndDeletesTheQueueOnItsHomeNode() throws Exception {
        String queue = "forward.managed";
        declareOnHome(queue);
        publishConfirmed(A, "", queue, MessageProperties.PERSISTENT_BASIC, "m0", "m1");
        awaitCounts(A, queue, 2, 0);
        assertEquals(204, cluster.apiStatus(B, "DELETE", "/api/queues/%2F/" + queue + "/contents"));
        awaitCounts(A, queue, 0, 0);
        publishConfirmed(A, "", queue, MessageProperties.PERSISTENT_BASIC, "m2");
        assertEquals(400, cluster.apiStatus(C, "DELETE", "/api/queues/%2F/" + queue + "?if-empty=true"),
                "not empty: refused by its home node");
        assertEquals(204, cluster.apiStatus(C, "DELETE", "/api/queues/%2F/" + queue));
        ClusterHarness.await(queue + " gone on its home node", WAIT_MS, () -> messageCount(A, queue) == -1);
        assertEquals(404, cluster.apiStatus(B, "DELETE", "/api/queues/%2F/" + queue + "/contents"));
    }

    @Test
    @Order(20)
    void whileTheHomeNodeIsDownTheOthersRefuseItsQueueAndOnceItIsBackItsMessagesAreThere() throws Exception {
        String queue = "forward.down";
        declareOnHome(queue);
        publishConfirmed(A, "", queue, MessageProperties.PERSISTENT_BASIC, "d0", "d1", "d2");
        ClusterHarness.await(cluster.name(A) + " counts the 3 messages", WAIT_MS, () -> messageCount(A, queue) == 3);

        declareOnHome("forward.down.consumed");
        Connection watching = cluster.factory(B).newConnection();
        java.util.concurrent.CountDownLatch cancelled = new java.util.concurrent.CountDownLatch(1);
        Channel watch = watching.createChannel();
        watch.basicConsume("forward.down.consumed", false, new DefaultConsumer(watch) {
            @Override
            public void handleCancel(String consumerTag) {
                cancelled.countDown();
            }
        });
        awaitCounts(A, "forward.down.consumed", 0, 1);

        cluster.kill(A);
        assertTrue(cancelled.await(WAIT_MS, TimeUnit.MILLISECONDS),
                "a consumer on another node is cancelled (basic.cancel) when the queue's home node dies");
        assertEquals("down", cluster.api(B, "/api/queues/%2F/" + queue).path("state").asText(),
                "the management API shows a queue whose home node is down as down");
        watching.close();
        try (Connection b = cluster.factory(B).newConnection()) {
            Channel ch = b.createChannel();
            ch.confirmSelect();
            ch.basicPublish("", queue, MessageProperties.PERSISTENT_BASIC,
                    "while the home node is down".getBytes(StandardCharsets.UTF_8));
            assertFalse(ch.waitForConfirms(WAIT_MS), "a publish to a queue whose home node is down is nacked");
            assertTrue(ch.isOpen(), "a nack, not a channel error");
            ch.exchangeDeclarePassive("amq.direct"); // and the channel goes on

            Channel declaring = b.createChannel();
            IOException refused = assertThrows(IOException.class, () -> declaring.queueDeclarePassive(queue));
            ShutdownSignalException closed = (ShutdownSignalException) refused.getCause();
            assertEquals(404, ((AMQP.Channel.Close) closed.getReason()).getReplyCode(), closed.getMessage());
            assertTrue(closed.getMessage().contains("home node '" + cluster.name(A) + "' of durable queue '" + queue + "'"),
                    closed.getMessage());
            assertTrue(closed.getMessage().contains("is down or inaccessible"), closed.getMessage());
        }

        cluster.restart(A);
        GetResponse first = awaitResult("basic.get through " + cluster.name(B) + " once the home node is back", () -> {
            try (Connection b = cluster.factory(B).newConnection()) {
                return b.createChannel().basicGet(queue, true);
            }
        });
        assertEquals("d0", body(first), "the first message published before the kill");
        try (Connection b = cluster.factory(B).newConnection()) {
            Channel ch = b.createChannel();
            for (String expected : List.of("d1", "d2")) {
                GetResponse next = ch.basicGet(queue, true);
                assertNotNull(next, "no " + expected + " after the restart");
                assertEquals(expected, body(next));
            }
            assertNull(ch.basicGet(queue, true), "the nacked message was not taken");
        }
    }

    /** Declares the durable classic queue on its home, node A, and waits until B and C know it. */
    private static void declareOnHome(String queue) throws Exception {
        try (Connection a = cluster.factory(A).newConnection()) {
            AMQP.Queue.DeclareOk ok = a.createChannel().queueDeclare(queue, true, false, false, null);
            assertEquals(0, ok.getMessageCount());
        }
        for (int node : new int[] {B, C}) {
            awaitResult("the queue " + queue + " reaches " + cluster.name(node), () -> passive(node, queue));
        }
    }

    /** Publishes through the node with publisher confirms, waiting for them. */
    private static void publishConfirmed(int node, String exchange, String routingKey, AMQP.BasicProperties properties,
                                         String... bodies) throws Exception {
        try (Connection connection = cluster.factory(node).newConnection()) {
            Channel ch = connection.createChannel();
            ch.confirmSelect();
            for (String body : bodies) {
                ch.basicPublish(exchange, routingKey, properties, body.getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(WAIT_MS);
        }
    }

    /** A passive queue.declare through the node, on a connection of its own. */
    private static AMQP.Queue.DeclareOk passive(int node, String queue) throws IOException, TimeoutException {
        try (Connection connection = cluster.factory(node).newConnection()) {
            return connection.createChannel().queueDeclarePassive(queue);
        }
    }

    /** The ready messages a passive declare through the node reports, or -1 if it fails. */
    private static long messageCount(int node, String queue) {
        try {
            return passive(node, queue).getMessageCount();
        } catch (Exception e) {
            return -1;
        }
    }

    /** Waits until a passive declare through the node reports these counts; fails with the last it reported. */
    private static void awaitCounts(int node, String queue, int messages, int consumers) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        String last = "nothing";
        while (System.nanoTime() < deadline) {
            try {
                AMQP.Queue.DeclareOk ok = passive(node, queue);
                if (ok.getMessageCount() == messages && ok.getConsumerCount() == consumers) {
                    return;
                }
                last = ok.getMessageCount() + " messages, " + ok.getConsumerCount() + " consumers";
            } catch (Exception e) {
                last = e.toString();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("not within " + WAIT_MS + " ms: a passive declare of " + queue + " through "
                + cluster.name(node) + " reporting " + messages + " messages, " + consumers + " consumers; last: " + last);
    }

    /** The 404's text when a passive declare of the queue through the node fails with one; null otherwise. */
    private static String notFoundMessage(int node, String queue) {
        try (Connection connection = cluster.factory(node).newConnection()) {
            connection.createChannel().queueDeclarePassive(queue);
            return null;
        } catch (IOException e) {
            if (e.getCause() instanceof ShutdownSignalException closed
                    && closed.getReason() instanceof AMQP.Channel.Close close && close.getReplyCode() == 404) {
                return closed.getMessage();
            }
            return null;
        } catch (TimeoutException e) {
            return null;
        }
    }

    /** Retries until the attempt returns something (not null, no exception), up to the wait. */
    private static <T> T awaitResult(String what, ClusterHarness.Attempt<T> attempt) throws InterruptedException {
        return ClusterHarness.awaitResult(what, WAIT_MS, attempt);
    }

    /** prefix0 .. prefix(n-1). */
    private static String[] bodies(String prefix, int n) {
        String[] bodies = new String[n];
        for (int i = 0; i < n; i++) {
            bodies[i] = prefix + i;
        }
        return bodies;
    }

    private static List<String> from(String prefix, List<String> received) {
        List<String> matching = new ArrayList<>();
        for (String body : received) {
            if (body.startsWith(prefix)) {
                matching.add(body);
            }
        }
        return matching;
    }

    private static String body(GetResponse response) {
        return new String(response.getBody(), StandardCharsets.UTF_8);
    }
}
