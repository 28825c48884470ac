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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Quorum queues through a cluster of three Warren processes ({@link ClusterHarness}) with the RabbitMQ Java client:
 * declared through one node, published to and consumed from through every node, confirmed once the queue's Raft
 * group committed the message, unacked messages redelivered (with x-delivery-count) when a consumer's channel
 * closes, basic.get, purge and delete, and RabbitMQ's refusals of a quorum queue that is not durable, or exclusive,
 * or auto-delete. Logs: target/quorum-queue-process-it/node{1,2,3}.log.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QuorumQueueProcessIT {
    private static final Map<String, Object> QUORUM = Map.of("x-queue-type", "quorum");
    private static final long WAIT_MS = 30_000;
    private static final int A = 0;
    private static final int B = 1;
    private static final int C = 2;

    @RegisterExtension
    static final ClusterHarness cluster = ClusterHarness.forTests("quorum-queue-process-it");

    @Test
    @Order(1)
    void messagesPublishedThroughEveryNodeAreConsumedThroughEveryNodeOnceEach() throws Exception {
        try (Connection a = cluster.factory(A).newConnection();
             Connection b = cluster.factory(B).newConnection();
             Connection c = cluster.factory(C).newConnection()) {
            AMQP.Queue.DeclareOk ok = a.createChannel().queueDeclare("orders", true, false, false, QUORUM);
            assertEquals(0, ok.getMessageCount());
            Set<String> received = ConcurrentHashMap.newKeySet();
            List<String> duplicates = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (Connection connection : List.of(a, b, c)) {
                Channel ch = connection.createChannel();
                ch.basicQos(10);
                ch.basicConsume("orders", false, new DefaultConsumer(ch) {
                    @Override
                    public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                            throws IOException {
                        if (!received.add(new String(body, StandardCharsets.UTF_8))) {
                            duplicates.add(new String(body, StandardCharsets.UTF_8));
                        }
                        getChannel().basicAck(envelope.getDeliveryTag(), false);
                    }
                });
            }
            int each = 40;
            for (Connection connection : List.of(a, b, c)) {
                Channel ch = connection.createChannel();
                ch.confirmSelect();
                for (int i = 0; i < each; i++) {
                    ch.basicPublish("", "orders", MessageProperties.PERSISTENT_BASIC,
                            (connection.getPort() + "-" + i).getBytes(StandardCharsets.UTF_8));
                }
                ch.waitForConfirmsOrDie(WAIT_MS);
            }
            ClusterHarness.await("every message consumed", WAIT_MS, () -> received.size() == 3 * each);
            assertTrue(duplicates.isEmpty(), duplicates.toString());
            ClusterHarness.await("every ack applied", WAIT_MS, () -> messageCount(B, "orders") == 0);
            assertEquals(3, cluster.factory(C).newConnection().createChannel().queueDeclarePassive("orders").getConsumerCount());
        }
    }

    @Test
    @Order(2)
    void unackedMessagesComeBackRedeliveredWithTheirDeliveryCountWhenTheConsumersChannelCloses() throws Exception {
        try (Connection a = cluster.factory(A).newConnection();
             Connection b = cluster.factory(B).newConnection();
             Connection c = cluster.factory(C).newConnection()) {
            Channel declare = b.createChannel();
            declare.queueDeclare("unacked", true, false, false, QUORUM);
            Channel publish = a.createChannel();
            publish.confirmSelect();
            for (int i = 0; i < 5; i++) {
                publish.basicPublish("", "unacked", null, ("m" + i).getBytes(StandardCharsets.UTF_8));
            }
            publish.waitForConfirmsOrDie(WAIT_MS);

            Channel first = c.createChannel();
            List<String> firstTime = new java.util.concurrent.CopyOnWriteArrayList<>();
            first.basicConsume("unacked", false, new DefaultConsumer(first) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                    assertFalse(envelope.isRedeliver());
                    firstTime.add(new String(body, StandardCharsets.UTF_8));
                }
            });
            ClusterHarness.await("five deliveries on " + cluster.name(C), WAIT_MS, () -> firstTime.size() == 5);
            first.close(); // without acking: they go back

            Channel second = b.createChannel();
            GetResponse again = awaitGet(second, "unacked");
            assertTrue(again.getEnvelope().isRedeliver());
            assertEquals(1L, ((Number) again.getProps().getHeaders().get("x-delivery-count")).longValue());
            assertEquals("m0", new String(again.getBody(), StandardCharsets.UTF_8), "requeued in their order");
            assertEquals(4, again.getMessageCount());
            // a nacked message goes back behind the others returned before it, as in RabbitMQ's quorum queues
            second.basicNack(again.getEnvelope().getDeliveryTag(), false, true);
            for (String expected : List.of("m1", "m2", "m3", "m4")) {
                GetResponse next = awaitGet(second, "unacked");
                assertEquals(expected, new String(next.getBody(), StandardCharsets.UTF_8));
                assertEquals(1L, ((Number) next.getProps().getHeaders().get("x-delivery-count")).longValue());
                second.basicAck(next.getEnvelope().getDeliveryTag(), false);
            }
            GetResponse last = awaitGet(second, "unacked");
            assertEquals("m0", new String(last.getBody(), StandardCharsets.UTF_8));
            assertEquals(2L, ((Number) last.getProps().getHeaders().get("x-delivery-count")).longValue());
            second.basicAck(last.getEnvelope().getDeliveryTag(), false);

            for (int i = 0; i < 3; i++) {
                publish.basicPublish("", "unacked", null, ("later" + i).getBytes(StandardCharsets.UTF_8));
            }
            publish.waitForConfirmsOrDie(WAIT_MS);
            AMQP.Queue.PurgeOk purged = second.queuePurge("unacked");
            assertEquals(3, purged.getMessageCount());
            assertNull(second.basicGet("unacked", true));
            AMQP.Queue.DeleteOk deleted = a.createChannel().queueDelete("unacked");
            assertEquals(0, deleted.getMessageCount());
            ClusterHarness.await("the delete reaches " + cluster.name(C), WAIT_MS, () -> {
                try (Channel check = c.createChannel()) {
                    check.queueDeclarePassive("unacked");
                    return false;
                } catch (IOException | java.util.concurrent.TimeoutException gone) {
                    return true;
                }
            });
        }
    }

    @Test
    @Order(3)
    void deadLetteringIntoAndOutOfQuorumQueuesAndWarrenctlListsTheirLeaderAndMembers() throws Exception {
        try (Connection b = cluster.factory(B).newConnection()) {
            Channel ch = b.createChannel();
            ch.exchangeDeclare("dlx", "fanout", true);
            ch.queueDeclare("dead", true, false, false, QUORUM);
            ch.queueBind("dead", "dlx", "");
            ch.queueDeclare("work", true, false, false, Map.of("x-dead-letter-exchange", "dlx"));
            ch.confirmSelect();
            ch.basicPublish("", "work", null, "rejected".getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(WAIT_MS);
            GetResponse work = awaitGet(ch, "work");
            ch.basicReject(work.getEnvelope().getDeliveryTag(), false);
            Channel onC = cluster.factory(C).newConnection().createChannel();
            GetResponse dead = awaitGet(onC, "dead");
            assertEquals("rejected", new String(dead.getBody(), StandardCharsets.UTF_8));
            assertNotNull(dead.getProps().getHeaders().get("x-death"));
            onC.basicAck(dead.getEnvelope().getDeliveryTag(), false);

            // and out of a quorum queue: rejected, or returned more often than its delivery limit
            ch.queueDeclare("limited", true, false, false, Map.of("x-queue-type", "quorum", "x-delivery-limit", 1,
                    "x-dead-letter-exchange", "dlx"));
            ch.basicPublish("", "limited", null, "refused".getBytes(StandardCharsets.UTF_8));
            ch.basicPublish("", "limited", null, "returned".getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(WAIT_MS);
            ch.basicReject(awaitGet(ch, "limited").getEnvelope().getDeliveryTag(), false);
            assertEquals("refused", deathOf(awaitGet(onC, "dead"), "rejected", "limited"));
            for (int i = 0; i < 2; i++) {
                GetResponse returned = awaitGet(ch, "limited");
                assertEquals("returned", new String(returned.getBody(), StandardCharsets.UTF_8));
                ch.basicNack(returned.getEnvelope().getDeliveryTag(), false, true);
            }
            assertEquals("returned", deathOf(awaitGet(onC, "dead"), "delivery_limit", "limited"));
            assertEquals(0, ch.queueDeclarePassive("limited").getMessageCount());
        }
        com.fasterxml.jackson.databind.JsonNode queues = cluster.warrenctlJson(A, "list_queues", "name", "type", "leader", "members");
        com.fasterxml.jackson.databind.JsonNode dead = null;
        for (com.fasterxml.jackson.databind.JsonNode queue : queues) {
            if (queue.path("name").asText().equals("dead")) {
                dead = queue;
            }
        }
        assertNotNull(dead, queues.toString());
        assertEquals("quorum", dead.path("type").asText());
        assertEquals(3, dead.path("members").size(), dead.toString());
        assertTrue(dead.path("members").toString().contains(dead.path("leader").asText()), dead.toString());
    }

    @Test
    @Order(4)
    void aQuorumQueueMustBeDurableNotExclusiveAndNotAutoDelete() throws Exception {
        try (Connection a = cluster.factory(A).newConnection()) {
            assertRefused(a, "transient", false, false, false, "invalid property 'non-durable' for queue 'transient' in vhost '/'");
            assertRefused(a, "mine", true, true, false, "invalid property 'exclusive-owner' for queue 'mine' in vhost '/'");
            assertRefused(a, "fleeting", true, false, true, "invalid property 'auto-delete' for queue 'fleeting' in vhost '/'");
        }
    }

    /**
     * SIGKILL of the queue's leader while a publisher confirms through it and a consumer there holds unacked
     * messages: the publisher carries on through another node, every confirmed message is consumed through a third,
     * and what the dead node's consumer held comes again marked redelivered. The node then restarts and catches up.
     */
    @Test
    @Order(5)
    void killingTheLeaderUnderConfirmedLoadLosesNoConfirmedMessage() throws Exception {
        int leader = declaredWithLeader("failover");
        int publisherNode = leader;
        int survivor = (leader + 1) % ClusterHarness.SIZE;

        Connection onLeader = cluster.factory(leader).newConnection();
        Channel holding = onLeader.createChannel();
        holding.basicQos(20);
        Set<String> heldByTheDead = ConcurrentHashMap.newKeySet();
        holding.basicConsume("failover", false, new DefaultConsumer(holding) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                heldByTheDead.add(new String(body, StandardCharsets.UTF_8)); // never acked
            }
        });
        Map<String, Boolean> consumed = new ConcurrentHashMap<>(); // body -> redelivered the last time
        Connection onSurvivor = cluster.factory(survivor).newConnection();
        Channel consuming = onSurvivor.createChannel();
        consuming.basicQos(20);
        consuming.basicConsume("failover", false, new DefaultConsumer(consuming) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                    throws IOException {
                consumed.put(new String(body, StandardCharsets.UTF_8), envelope.isRedeliver());
                getChannel().basicAck(envelope.getDeliveryTag(), false);
            }
        });

        Set<String> confirmed = ConcurrentHashMap.newKeySet();
        int total = 600;
        int killAt = 200;
        int next = 0;
        Connection publishing = cluster.factory(publisherNode).newConnection();
        Channel ch = publishing.createChannel();
        ch.confirmSelect();
        long killedAt = 0;
        while (next < total) {
            if (next == killAt && killedAt == 0) {
                ClusterHarness.await("the dead node's consumer holds messages", WAIT_MS, () -> !heldByTheDead.isEmpty());
                cluster.kill(leader);
                killedAt = System.nanoTime();
            }
            List<String> batch = new java.util.ArrayList<>();
            for (int i = 0; i < 10; i++) {
                batch.add("f" + (next + i));
            }
            try {
                for (String body : batch) {
                    ch.basicPublish("", "failover", MessageProperties.PERSISTENT_BASIC, body.getBytes(StandardCharsets.UTF_8));
                }
                ch.waitForConfirmsOrDie(WAIT_MS);
                confirmed.addAll(batch);
                next += batch.size();
            } catch (IOException | ShutdownSignalException | java.util.concurrent.TimeoutException e) {
                // the node went away with the batch unconfirmed: publish it again through another node
                publisherNode = (publisherNode + 1) % ClusterHarness.SIZE;
                if (publisherNode == leader) {
                    publisherNode = (publisherNode + 1) % ClusterHarness.SIZE;
                }
                publishing = cluster.factory(publisherNode).newConnection();
                ch = publishing.createChannel();
                ch.confirmSelect();
            }
        }
        String newLeader = awaitLeader(survivor, "failover", cluster.name(leader));
        long electedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        System.out.printf("quorum queue failover: new leader %s seen %d ms after the SIGKILL%n", newLeader, electedMillis);

        ClusterHarness.await("every confirmed message consumed through " + cluster.name(survivor), 60_000,
                () -> consumed.keySet().containsAll(confirmed));
        assertEquals(total, confirmed.size());
        for (String held : heldByTheDead) {
            ClusterHarness.await(held + ", held by the dead node's consumer, comes again", WAIT_MS,
                    () -> consumed.containsKey(held));
            assertTrue(consumed.get(held), held + " was redelivered");
        }
        publishing.close();
        onSurvivor.close();

        cluster.restart(leader);
        ClusterHarness.await(cluster.name(leader) + " catches up (nothing left ready)", WAIT_MS,
                () -> messageCount(leader, "failover") == 0);
        try (Connection back = cluster.factory(leader).newConnection()) {
            Channel again = back.createChannel();
            again.confirmSelect();
            again.basicPublish("", "failover", null, "after".getBytes(StandardCharsets.UTF_8));
            again.waitForConfirmsOrDie(WAIT_MS);
            assertEquals("after", new String(awaitGet(again, "failover").getBody(), StandardCharsets.UTF_8));
        }
    }

    /** A quorum queue declared while a member is down is made on the others; the member joins it when it starts. */
    @Test
    @Order(6)
    void aMemberThatWasDownWhenTheQueueWasDeclaredJoinsItsGroupWhenItStarts() throws Exception {
        cluster.kill(C);
        try (Connection a = cluster.factory(A).newConnection()) {
            Channel ch = a.createChannel();
            ch.queueDeclare("declared-without-c", true, false, false, QUORUM);
            ch.confirmSelect();
            for (int i = 0; i < 10; i++) {
                ch.basicPublish("", "declared-without-c", null, ("w" + i).getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(WAIT_MS);
        }
        cluster.restart(C);
        try (Connection c = cluster.factory(C).newConnection()) {
            // deliveries to a consumer on C come from C's own replica: they prove it joined and caught up
            Channel ch = c.createChannel();
            List<String> received = consumeBodies(ch, "declared-without-c");
            ClusterHarness.await("ten deliveries through " + cluster.name(C), WAIT_MS, () -> received.size() == 10);
            assertEquals(List.of("w0", "w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "w9"), received);
        }
    }

    /**
     * SIGSTOP of the leader for 10 s: the other two elect a new one and confirmed publishing and consuming go on
     * through them; once resumed, the paused node follows again and catches up.
     */
    @Test
    @Order(7)
    void pausingTheLeaderForTenSecondsDoesNotStopTheQueue() throws Exception {
        int leader = declaredWithLeader("paused");
        int publisherNode = (leader + 1) % ClusterHarness.SIZE;
        int consumerNode = (leader + 2) % ClusterHarness.SIZE;
        try (Connection publishing = cluster.factory(publisherNode).newConnection();
             Connection consuming = cluster.factory(consumerNode).newConnection()) {
            Set<String> received = ConcurrentHashMap.newKeySet();
            Channel consumer = consuming.createChannel();
            consumer.basicConsume("paused", false, new DefaultConsumer(consumer) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                        throws IOException {
                    received.add(new String(body, StandardCharsets.UTF_8));
                    getChannel().basicAck(envelope.getDeliveryTag(), false);
                }
            });
            Channel ch = publishing.createChannel();
            ch.confirmSelect();
            long pausedAt = System.nanoTime();
            cluster.signal(leader, "STOP");
            try {
                for (int i = 0; i < 100; i++) {
                    ch.basicPublish("", "paused", MessageProperties.PERSISTENT_BASIC, ("p" + i).getBytes(StandardCharsets.UTF_8));
                }
                String newLeader = awaitLeader(publisherNode, "paused", cluster.name(leader));
                System.out.printf("quorum queue SIGSTOP: new leader %s seen %d ms after the pause%n", newLeader,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pausedAt));
                ch.waitForConfirmsOrDie(WAIT_MS);
                ClusterHarness.await("the messages published while the leader is paused consumed", WAIT_MS,
                        () -> received.size() == 100);
                long pausedFor = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pausedAt);
                if (pausedFor < 10_000) {
                    Thread.sleep(10_000 - pausedFor); // the pause itself is what is tested: 10 s of it
                }
            } finally {
                cluster.signal(leader, "CONT");
            }
            ch.basicPublish("", "paused", null, "after the pause".getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(WAIT_MS);
            ClusterHarness.await("the message published after the pause consumed", WAIT_MS,
                    () -> received.contains("after the pause"));
        }
        // a consumer on the resumed node is served by its own replica: a delivery there shows it caught up
        try (Connection resumed = cluster.factory(leader).newConnection()) {
            Channel ch = resumed.createChannel();
            List<String> got = consumeBodies(ch, "paused");
            Channel publish = resumed.createChannel();
            publish.confirmSelect();
            publish.basicPublish("", "paused", null, "on the resumed node".getBytes(StandardCharsets.UTF_8));
            publish.waitForConfirmsOrDie(WAIT_MS);
            ClusterHarness.await("a delivery through " + cluster.name(leader), WAIT_MS, () -> got.contains("on the resumed node"));
            assertEquals(List.of("on the resumed node"), got, "nothing from before the pause is left");
        }
    }

    /**
     * x-quorum-initial-group-size 2: the queue has no replica on the third node, which refuses its consumers; warrenctl
     * add_member makes it one (its consumer is served), delete_member takes another away, and the queue goes on.
     */
    @Test
    @Order(8)
    void membersAreAddedAndRemovedWithWarrenctl() throws Exception {
        try (Connection a = cluster.factory(A).newConnection()) {
            Channel ch = a.createChannel();
            ch.queueDeclare("members", true, false, false, Map.of("x-queue-type", "quorum", "x-quorum-initial-group-size", 2));
            ch.confirmSelect();
            ch.basicPublish("", "members", null, "before".getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(WAIT_MS);
        }
        assertEquals(List.of(cluster.name(A), cluster.name(B)), members(A, "members"));

        cluster.warrenctl(A, "add_member", "members", cluster.name(C));
        assertEquals(List.of(cluster.name(A), cluster.name(B), cluster.name(C)), members(A, "members"));
        cluster.warrenctl(B, "delete_member", "members", cluster.name(A));
        ClusterHarness.await("the members without " + cluster.name(A), WAIT_MS, () -> {
            try {
                return members(B, "members").equals(List.of(cluster.name(B), cluster.name(C)));
            } catch (Exception e) {
                return false;
            }
        });
        try (Connection c = cluster.factory(C).newConnection()) {
            Channel ch = c.createChannel();
            List<String> got = consumeBodies(ch, "members");
            Channel publish = c.createChannel();
            publish.confirmSelect();
            publish.basicPublish("", "members", null, "after".getBytes(StandardCharsets.UTF_8));
            publish.waitForConfirmsOrDie(WAIT_MS);
            ClusterHarness.await("both messages through the new member " + cluster.name(C), WAIT_MS, () -> got.size() == 2);
            assertEquals(List.of("before", "after"), got);
        }
    }

    @Test
    @Order(9)
    void aConsumerOnANodeWithoutAReplicaIsServedByAMember() throws Exception {
        String queue = "served";
        try (Connection a = cluster.factory(A).newConnection()) {
            Channel ch = a.createChannel();
            ch.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "quorum", "x-quorum-initial-group-size", 2));
            ch.confirmSelect();
            for (int i = 0; i < 10; i++) {
                ch.basicPublish("", queue, null, ("s" + i).getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(WAIT_MS);
        }
        assertEquals(List.of(cluster.name(A), cluster.name(B)), members(A, queue), "node C has no replica");
        List<String> expected = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            expected.add("s" + i);
        }
        try (Connection c = cluster.factory(C).newConnection()) {
            Channel ch = c.createChannel();
            ch.basicQos(3);
            List<String> got = new java.util.concurrent.CopyOnWriteArrayList<>();
            ch.basicConsume(queue, false, new DefaultConsumer(ch) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                        throws IOException {
                    got.add(new String(body, StandardCharsets.UTF_8));
                    getChannel().basicAck(envelope.getDeliveryTag(), false);
                }
            });
            ClusterHarness.await("10 deliveries through " + cluster.name(C), WAIT_MS, () -> got.size() >= 10);
            assertEquals(expected, got, "each once, in order");
        }
        ClusterHarness.await("the acks settled the queue", WAIT_MS, () -> messageCount(A, queue) == 0);

        try (Connection a = cluster.factory(A).newConnection()) {
            Channel ch = a.createChannel();
            ch.confirmSelect();
            ch.basicPublish("", queue, null, "held".getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(WAIT_MS);
        }
        try (Connection c = cluster.factory(C).newConnection()) {
            Channel ch = c.createChannel();
            List<String> held = consumeBodiesUnacked(ch, queue);
            ClusterHarness.await("the message held through " + cluster.name(C), WAIT_MS, () -> held.size() == 1);
        } // its channel closes without the ack: the message goes back
        ClusterHarness.await("the unacked message back in the queue", WAIT_MS, () -> messageCount(A, queue) == 1);
        try (Connection c = cluster.factory(C).newConnection()) {
            List<String> got = consumeBodies(c.createChannel(), queue);
            ClusterHarness.await("the message again, no-ack, through " + cluster.name(C), WAIT_MS, () -> got.size() == 1);
            assertEquals(List.of("held"), got);
        }
    }

    /** Consumes with manual acks and never acks; the bodies of the deliveries, in order, as they come. */
    @Test
    @Order(10)
    void lengthLimitsRejectPublishesOrDeadLetterTheHeadAndAPolicyLowersThem() throws Exception {
        try (Connection b = cluster.factory(B).newConnection()) {
            Channel ch = b.createChannel();
            ch.confirmSelect();
            ch.queueDeclare("capped", true, false, false, Map.of("x-queue-type", "quorum", "x-max-length", 2,
                    "x-overflow", "reject-publish"));
            List<Boolean> confirmed = new java.util.ArrayList<>();
            for (String body : List.of("c1", "c2", "c3")) {
                ch.basicPublish("", "capped", null, body.getBytes(StandardCharsets.UTF_8));
                confirmed.add(ch.waitForConfirms(WAIT_MS));
            }
            assertEquals(List.of(true, true, false), confirmed, "the third publish to a full queue is nacked");
            assertTrue(ch.isOpen(), "a nack, not a channel error");
            assertEquals("c1", new String(awaitGet(ch, "capped").getBody(), StandardCharsets.UTF_8));
            ch.basicPublish("", "capped", null, "c4".getBytes(StandardCharsets.UTF_8));
            assertTrue(ch.waitForConfirms(WAIT_MS), "confirmed: only ready messages count, and c1 is out");

            ch.exchangeDeclare("maxlen-dlx", "fanout", true);
            ch.queueDeclare("maxlen-dead", true, false, false, null);
            ch.queueBind("maxlen-dead", "maxlen-dlx", "");
            ch.queueDeclare("rolling", true, false, false, Map.of("x-queue-type", "quorum", "x-max-length", 2,
                    "x-dead-letter-exchange", "maxlen-dlx"));
            for (String body : List.of("r1", "r2", "r3")) {
                ch.basicPublish("", "rolling", null, body.getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(WAIT_MS);
            assertEquals("r1", deathOf(awaitGet(ch, "maxlen-dead"), "maxlen", "rolling"));
            assertEquals(2, ch.queueDeclarePassive("rolling").getMessageCount());

            cluster.warrenctl(A, "set_policy", "--apply-to", "queues", "one-only", "^rolling$", "{\"max-length\": 1}");
            assertEquals("r2", deathOf(awaitGet(ch, "maxlen-dead"), "maxlen", "rolling"));
            ClusterHarness.await("rolling down to one message on " + cluster.name(C), WAIT_MS,
                    () -> messageCount(C, "rolling") == 1);
            cluster.warrenctl(A, "clear_policy", "one-only");
        }
    }

    @Test
    @Order(11)
    void aSingleActiveConsumerGetsEveryMessageAndTheNextTakesOverWhenItsChannelCloses() throws Exception {
        try (Connection a = cluster.factory(A).newConnection(); Connection c = cluster.factory(C).newConnection()) {
            Channel first = a.createChannel();
            first.queueDeclare("sac", true, false, false, Map.of("x-queue-type", "quorum", "x-single-active-consumer", true));
            first.basicQos(10);
            List<String> toFirst = consumeBodiesUnacked(first, "sac");
            Channel second = c.createChannel();
            second.basicQos(10);
            List<String> toSecond = new java.util.concurrent.CopyOnWriteArrayList<>();
            // subscribed after the first: its consume-ok comes once the log has it, so the order is settled
            second.basicConsume("sac", false, new DefaultConsumer(second) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                        throws IOException {
                    toSecond.add(new String(body, StandardCharsets.UTF_8) + (envelope.isRedeliver() ? " again" : ""));
                    second.basicAck(envelope.getDeliveryTag(), false);
                }
            });
            Channel publisher = cluster.factory(B).newConnection().createChannel();
            publisher.confirmSelect();
            for (int i = 1; i <= 3; i++) {
                publisher.basicPublish("", "sac", null, ("s" + i).getBytes(StandardCharsets.UTF_8));
            }
            publisher.waitForConfirmsOrDie(WAIT_MS);
            ClusterHarness.await("three deliveries to the first consumer", WAIT_MS, () -> toFirst.size() == 3);
            assertEquals(List.of("s1", "s2", "s3"), toFirst);
            assertTrue(toSecond.isEmpty(), "the second consumer waits: " + toSecond);

            first.close(); // unacked: they come back, to the consumer that takes over
            // (the close reaches the log after close-ok: a message published before it is applied would go to the
            // first consumer and come back redelivered too, so s4 waits until the takeover is seen)
            ClusterHarness.await("the second consumer took over", WAIT_MS, () -> toSecond.size() == 3);
            publisher.basicPublish("", "sac", null, "s4".getBytes(StandardCharsets.UTF_8));
            publisher.waitForConfirmsOrDie(WAIT_MS);
            ClusterHarness.await("four deliveries to the second consumer", WAIT_MS, () -> toSecond.size() == 4);
            assertEquals(List.of("s1 again", "s2 again", "s3 again", "s4"), toSecond);
            publisher.getConnection().close();
        }
    }

    @Test
    @Order(12)
    void expiredMessagesAreDeadLetteredWithReasonExpiredByQueueTtlOrTheirOwnExpiration() throws Exception {
        try (Connection c = cluster.factory(C).newConnection()) {
            Channel ch = c.createChannel();
            ch.confirmSelect();
            ch.exchangeDeclare("ttl-dlx", "fanout", true);
            ch.queueDeclare("ttl-dead", true, false, false, null);
            ch.queueBind("ttl-dead", "ttl-dlx", "");
            ch.queueDeclare("short-lived", true, false, false, Map.of("x-queue-type", "quorum", "x-message-ttl", 300,
                    "x-dead-letter-exchange", "ttl-dlx"));
            ch.basicPublish("", "short-lived", null, "by queue ttl".getBytes(StandardCharsets.UTF_8));
            ch.basicPublish("", "short-lived", new AMQP.BasicProperties.Builder().expiration("100").build(),
                    "by its own expiration".getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(WAIT_MS);
            List<String> dead = List.of(deathOf(awaitGet(ch, "ttl-dead"), "expired", "short-lived"),
                    deathOf(awaitGet(ch, "ttl-dead"), "expired", "short-lived"));
            assertEquals(Set.of("by queue ttl", "by its own expiration"), Set.copyOf(dead));
            assertEquals(0, ch.queueDeclarePassive("short-lived").getMessageCount());
            assertNull(ch.basicGet("short-lived", true), "nothing left to get");
        }
    }

    @Test
    @Order(13)
    void txCommitOkWaitsUntilTheQuorumQueueCommittedTheTransactionsPublishes() throws Exception {
        try (Connection a = cluster.factory(A).newConnection()) {
            Channel ch = a.createChannel();
            ch.queueDeclare("tx-orders", true, false, false, QUORUM);
            assertEquals(3, members(A, "tx-orders").size());
            cluster.kill(B);
            cluster.kill(C); // no majority: nothing can be committed
            ch.txSelect();
            ch.basicPublish("", "tx-orders", null, "in a transaction".getBytes(StandardCharsets.UTF_8));
            java.util.concurrent.CompletableFuture<Void> commit = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    ch.txCommit();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, task -> new Thread(task, "tx-commit").start());
            Thread.sleep(2_000); // commit-ok must not come while the queue cannot commit (it came at once before)
            assertFalse(commit.isDone(), "commit-ok before the quorum queue committed the publish");
            cluster.restart(B, C);
            commit.get(WAIT_MS, TimeUnit.MILLISECONDS);
            GetResponse got = awaitGet(a.createChannel(), "tx-orders");
            assertEquals("in a transaction", new String(got.getBody(), StandardCharsets.UTF_8));
        }
    }

    @Test
    @Order(14)
    void anExclusiveConsumerKeepsOthersOutAndHigherPriorityConsumersAreServedFirst() throws Exception {
        try (Connection a = cluster.factory(A).newConnection(); Connection c = cluster.factory(C).newConnection()) {
            Channel owner = a.createChannel();
            owner.queueDeclare("excl", true, false, false, QUORUM);
            owner.basicConsume("excl", false, "owner", false, true, null, new DefaultConsumer(owner));
            Channel other = c.createChannel();
            IOException refused = assertThrows(IOException.class, () -> other.basicConsume("excl", false,
                    new DefaultConsumer(other)));
            ShutdownSignalException closed = (ShutdownSignalException) refused.getCause();
            assertEquals(403, ((AMQP.Channel.Close) closed.getReason()).getReplyCode(), closed.getMessage());
            assertTrue(closed.getMessage().contains("queue 'excl' in vhost '/' in exclusive use"), closed.getMessage());

            Channel low = a.createChannel();
            low.queueDeclare("prio", true, false, false, QUORUM);
            low.basicQos(100);
            List<String> toLow = consumeBodiesUnacked(low, "prio");
            Channel high = c.createChannel();
            high.basicQos(100);
            List<String> toHigh = new java.util.concurrent.CopyOnWriteArrayList<>();
            high.basicConsume("prio", false, "", false, false, Map.of("x-priority", 10), new DefaultConsumer(high) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                    toHigh.add(new String(body, StandardCharsets.UTF_8));
                }
            });
            Channel publisher = a.createChannel();
            publisher.confirmSelect();
            for (int i = 1; i <= 5; i++) {
                publisher.basicPublish("", "prio", null, ("p" + i).getBytes(StandardCharsets.UTF_8));
            }
            publisher.waitForConfirmsOrDie(WAIT_MS);
            ClusterHarness.await("five deliveries to the x-priority 10 consumer", WAIT_MS, () -> toHigh.size() == 5);
            assertEquals(List.of("p1", "p2", "p3", "p4", "p5"), toHigh);
            assertTrue(toLow.isEmpty(), "the priority 0 consumer waits while the other has credit: " + toLow);
        }
    }

    @Test
    @Order(15)
    void highPriorityMessagesGoOutFirstTwoForEveryNormalOneAsInRabbitMq4() throws Exception {
        try (Connection b = cluster.factory(B).newConnection(); Connection c = cluster.factory(C).newConnection()) {
            Channel ch = b.createChannel();
            ch.queueDeclare("prioritized", true, false, false, QUORUM);
            ch.confirmSelect();
            for (String body : List.of("n1", "n2", "n3")) {
                ch.basicPublish("", "prioritized", new AMQP.BasicProperties.Builder().priority(4).build(),
                        body.getBytes(StandardCharsets.UTF_8));
            }
            for (String body : List.of("h1", "h2", "h3")) {
                ch.basicPublish("", "prioritized", new AMQP.BasicProperties.Builder().priority(9).build(),
                        body.getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(WAIT_MS);
            Channel getting = c.createChannel();
            List<String> order = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) {
                order.add(new String(awaitGet(getting, "prioritized").getBody(), StandardCharsets.UTF_8));
            }
            assertEquals(List.of("h1", "h2", "n1", "h3", "n2", "n3"), order);
        }
    }

    @Test
    @Order(16)
    void theManagementApiGetsMessagesFromAQuorumQueueThroughAnyNode() throws Exception {
        try (Connection a = cluster.factory(A).newConnection()) {
            Channel ch = a.createChannel();
            ch.queueDeclare("peek", true, false, false, QUORUM);
            ch.confirmSelect();
            ch.basicPublish("", "peek", null, "first".getBytes(StandardCharsets.UTF_8));
            ch.basicPublish("", "peek", null, "second".getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(WAIT_MS);
        }
        String get = "{\"count\": 5, \"ackmode\": \"%s\", \"encoding\": \"auto\"}";
        com.fasterxml.jackson.databind.JsonNode peeked = cluster.api(C, "POST", "/api/queues/%2F/peek/get",
                String.format(get, "ack_requeue_true"));
        assertEquals(2, peeked.size(), peeked.toString());
        assertEquals("first", peeked.get(0).path("payload").asText());
        assertEquals(1, peeked.get(0).path("message_count").asInt(), "one more after it");
        assertEquals("second", peeked.get(1).path("payload").asText());
        ClusterHarness.await("both back in the queue", WAIT_MS, () -> messageCount(A, "peek") == 2);

        com.fasterxml.jackson.databind.JsonNode taken = cluster.api(B, "POST", "/api/queues/%2F/peek/get",
                String.format(get, "ack_requeue_false"));
        assertEquals(2, taken.size(), taken.toString());
        assertTrue(taken.get(0).path("redelivered").asBoolean(), "got and requeued before");
        ClusterHarness.await("the queue empty after an acking get", WAIT_MS, () -> messageCount(A, "peek") == 0);
    }

    private static List<String> consumeBodiesUnacked(Channel ch, String queue) throws IOException {
        List<String> bodies = new java.util.concurrent.CopyOnWriteArrayList<>();
        ch.basicConsume(queue, false, new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                bodies.add(new String(body, StandardCharsets.UTF_8));
            }
        });
        return bodies;
    }

    /** Consumes with auto-ack; the bodies of the deliveries, in order, as they come. */
    private static List<String> consumeBodies(Channel ch, String queue) throws IOException {
        List<String> bodies = new java.util.concurrent.CopyOnWriteArrayList<>();
        ch.basicConsume(queue, true, new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                bodies.add(new String(body, StandardCharsets.UTF_8));
            }
        });
        return bodies;
    }

    private static List<String> members(int node, String queue) throws Exception {
        List<String> members = new java.util.ArrayList<>();
        cluster.api(node, "/api/queues/%2F/" + queue).path("members").forEach(m -> members.add(m.asText()));
        return members;
    }

    /** The body of a dead-lettered message, once its x-death names the reason and queue. */
    @SuppressWarnings("unchecked")
    private static String deathOf(GetResponse dead, String reason, String queue) {
        List<Map<String, Object>> deaths = (List<Map<String, Object>>) dead.getProps().getHeaders().get("x-death");
        assertEquals(reason, deaths.get(0).get("reason").toString());
        assertEquals(queue, deaths.get(0).get("queue").toString());
        return new String(dead.getBody(), StandardCharsets.UTF_8);
    }

    /** Declares a quorum queue through node A; the index of the node that leads it. */
    private static int declaredWithLeader(String queue) throws Exception {
        try (Connection a = cluster.factory(A).newConnection()) {
            a.createChannel().queueDeclare(queue, true, false, false, QUORUM);
        }
        return cluster.index(awaitLeader(A, queue, null));
    }

    /** The queue's leader as the node's management API reports it, once it is not {@code not} (null: any). */
    private static String awaitLeader(int node, String queue, String not) throws Exception {
        String[] leader = new String[1];
        ClusterHarness.await("a leader of " + queue + " other than " + not, WAIT_MS, () -> {
            try {
                String now = cluster.api(node, "/api/queues/%2F/" + queue).path("leader").asText(null);
                leader[0] = now;
                return now != null && !now.equals(not);
            } catch (IOException | InterruptedException | AssertionError e) {
                return false;
            }
        });
        return leader[0];
    }

    private static void assertRefused(Connection connection, String queue, boolean durable, boolean exclusive,
                                      boolean autoDelete, String text) throws IOException {
        Channel ch = connection.createChannel();
        IOException e = assertThrows(IOException.class, () -> ch.queueDeclare(queue, durable, exclusive, autoDelete, QUORUM));
        ShutdownSignalException closed = (ShutdownSignalException) e.getCause();
        assertEquals(406, ((AMQP.Channel.Close) closed.getReason()).getReplyCode());
        assertTrue(closed.getMessage().contains(text), closed.getMessage());
    }

    private static GetResponse awaitGet(Channel ch, String queue) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (System.nanoTime() < deadline) {
            GetResponse response = ch.basicGet(queue, false);
            if (response != null) {
                return response;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no message in " + queue + " within " + WAIT_MS + " ms");
    }

    private static long messageCount(int node, String queue) {
        try (Connection connection = cluster.factory(node).newConnection()) {
            return connection.createChannel().queueDeclarePassive(queue).getMessageCount();
        } catch (Exception e) {
            return -1;
        }
    }
}
