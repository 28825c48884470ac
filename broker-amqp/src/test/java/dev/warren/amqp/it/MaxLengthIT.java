package dev.warren.amqp.it;

import static dev.warren.amqp.it.Queues.awaitCount;
import static dev.warren.amqp.it.Queues.awaitGet;
import static dev.warren.amqp.it.Queues.body;
import static dev.warren.amqp.it.Queues.deaths;
import static dev.warren.amqp.it.Queues.drain;
import static dev.warren.amqp.it.Queues.publish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** x-max-length and x-max-length-bytes with each x-overflow mode, with and without publisher confirms. */
@Timeout(60)
class MaxLengthIT extends LifecycleITBase {

    @Test
    void dropHeadKeepsTheNewestMessagesUpToTheLimit() throws Exception {
        declare("ml.drop-head", Map.of("x-max-length", 3));
        for (int i = 1; i <= 10; i++) {
            publish(channel, "ml.drop-head", "m" + i);
        }
        awaitCount(channel, "ml.drop-head", 3);
        assertEquals(List.of("m8", "m9", "m10"), drain(channel, "ml.drop-head"));
    }

    @Test
    void aByteLimitCountsBodyBytes() throws Exception {
        declare("ml.bytes", Map.of("x-max-length-bytes", 10));
        for (String body : List.of("aaaa", "bbbb", "cccc", "dd")) {
            publish(channel, "ml.bytes", body);
        }
        awaitCount(channel, "ml.bytes", 3);
        assertEquals(List.of("bbbb", "cccc", "dd"), drain(channel, "ml.bytes"));
    }

    @Test
    void unacknowledgedDeliveriesDoNotCountTowardsTheLimit() throws Exception {
        declare("ml.unacked", Map.of("x-max-length", 2));
        publish(channel, "ml.unacked", "a");
        publish(channel, "ml.unacked", "b");
        GetResponse taken = channel.basicGet("ml.unacked", false);
        assertEquals("a", body(taken));
        publish(channel, "ml.unacked", "c");
        awaitCount(channel, "ml.unacked", 2);
        assertEquals(List.of("b", "c"), drain(channel, "ml.unacked"));
        channel.basicAck(taken.getEnvelope().getDeliveryTag(), false);
    }

    @Test
    void aDroppedHeadIsDeadLetteredWhenTheQueueSaysSo() throws Exception {
        declare("ml.dead", null);
        declare("ml.bounded", Map.of("x-max-length", 1, "x-dead-letter-exchange", "", "x-dead-letter-routing-key", "ml.dead"));
        publish(channel, "ml.bounded", "old");
        publish(channel, "ml.bounded", "new");
        GetResponse dead = awaitGet(channel, "ml.dead");
        assertEquals("old", body(dead));
        assertEquals("maxlen", String.valueOf(deaths(dead).get(0).get("reason")));
        assertEquals(List.of("new"), drain(channel, "ml.bounded"));
    }

    @Test
    void rejectPublishNacksWhatAFullQueueRefusesWhenConfirming() throws Exception {
        declare("ml.reject", Map.of("x-max-length", 2, "x-overflow", "reject-publish"));
        channel.confirmSelect();
        publish(channel, "ml.reject", "1");
        publish(channel, "ml.reject", "2");
        assertTrue(channel.waitForConfirms(5_000));
        publish(channel, "ml.reject", "3");
        assertFalse(channel.waitForConfirms(5_000), "basic.nack for the refused publish");
        assertTrue(channel.isOpen());
        assertEquals(List.of("1", "2"), drain(channel, "ml.reject"));
        publish(channel, "ml.reject", "4");
        assertTrue(channel.waitForConfirms(5_000), "room again once consumed");
    }

    @Test
    void rejectPublishDropsWhatAFullQueueRefusesWithoutConfirms() throws Exception {
        declare("ml.reject-quiet", Map.of("x-max-length", 1, "x-overflow", "reject-publish"));
        publish(channel, "ml.reject-quiet", "kept");
        publish(channel, "ml.reject-quiet", "dropped");
        publish(channel, "ml.reject-quiet", "dropped too");
        awaitCount(channel, "ml.reject-quiet", 1);
        assertEquals(List.of("kept"), drain(channel, "ml.reject-quiet"));
        assertTrue(channel.isOpen());
    }

    @Test
    void rejectPublishDlxNacksAndDeadLettersTheRefusedMessage() throws Exception {
        declare("ml.refused", null);
        declare("ml.reject-dlx", Map.of("x-max-length", 1, "x-overflow", "reject-publish-dlx",
                "x-dead-letter-exchange", "", "x-dead-letter-routing-key", "ml.refused"));
        channel.confirmSelect();
        publish(channel, "ml.reject-dlx", "in");
        assertTrue(channel.waitForConfirms(5_000));
        publish(channel, "ml.reject-dlx", "out");
        assertFalse(channel.waitForConfirms(5_000));
        GetResponse dead = awaitGet(channel, "ml.refused");
        assertEquals("out", body(dead));
        assertEquals("maxlen", String.valueOf(deaths(dead).get(0).get("reason")));
        assertEquals(List.of("in"), drain(channel, "ml.reject-dlx"));
    }

    /** Arguments for a queue whose dropped or refused messages go to {@code ml.dead} on the default exchange. */
    private static Map<String, Object> deadLettering(Object... more) {
        Map<String, Object> arguments = new HashMap<>(Map.of("x-dead-letter-exchange", "", "x-dead-letter-routing-key", "ml.dead"));
        for (int i = 0; i < more.length; i += 2) {
            arguments.put((String) more[i], more[i + 1]);
        }
        return arguments;
    }

    @Test
    void aMaxLengthOfZeroConfirmsEveryMessageAndDeadLettersItAtOnce() throws Exception {
        declare("ml.dead", null);
        declare("ml.zero", deadLettering("x-max-length", 0));
        channel.confirmSelect();
        publish(channel, "ml.zero", "gone");
        assertTrue(channel.waitForConfirms(5_000), "drop-head accepts the message, then drops it");
        GetResponse dead = awaitGet(channel, "ml.dead");
        assertEquals("gone", body(dead));
        Map<String, Object> death = deaths(dead).get(0);
        assertEquals("maxlen", String.valueOf(death.get("reason")));
        assertEquals("ml.zero", String.valueOf(death.get("queue")));
        assertEquals("", String.valueOf(death.get("exchange")));
        assertEquals(1L, ((Number) death.get("count")).longValue());
        assertEquals(List.of("ml.zero"), ((List<?>) death.get("routing-keys")).stream().map(String::valueOf).toList());
        assertEquals("maxlen", String.valueOf(dead.getProps().getHeaders().get("x-first-death-reason")));
        assertEquals(0, Queues.count(channel, "ml.zero"));
    }

    @Test
    void aMaxLengthOfZeroWithRejectPublishNacksEveryMessage() throws Exception {
        declare("ml.zero-reject", Map.of("x-max-length", 0, "x-overflow", "reject-publish"));
        channel.confirmSelect();
        publish(channel, "ml.zero-reject", "refused");
        assertFalse(channel.waitForConfirms(5_000));
        assertEquals(0, Queues.count(channel, "ml.zero-reject"));
    }

    @Test
    void aMessageRequeuedIntoAFullDropHeadQueueIsTheHeadThatIsDropped() throws Exception {
        declare("ml.dead", null);
        declare("ml.requeue", deadLettering("x-max-length", 2));
        publish(channel, "ml.requeue", "a");
        publish(channel, "ml.requeue", "b");
        Channel consumer = connection.createChannel();
        GetResponse a = Queues.awaitGet(consumer, "ml.requeue", false);
        assertEquals("a", body(a));
        publish(channel, "ml.requeue", "c");
        awaitCount(channel, "ml.requeue", 2);
        assertEquals(0, Queues.count(channel, "ml.dead"), "the unacked a does not count: nothing dropped yet");

        consumer.basicNack(a.getEnvelope().getDeliveryTag(), false, true);
        GetResponse dead = awaitGet(channel, "ml.dead");
        assertEquals("a", body(dead), "a goes back to the head, over the limit, and is dropped from there");
        assertEquals("maxlen", String.valueOf(deaths(dead).get(0).get("reason")));
        assertEquals(List.of("b", "c"), drain(channel, "ml.requeue"));
    }

    @Test
    void aRequeueMayTakeARejectPublishQueuePastItsLimitAndTheNextPublishIsNacked() throws Exception {
        declare("ml.reject-requeue", Map.of("x-max-length", 2, "x-overflow", "reject-publish"));
        channel.confirmSelect();
        publish(channel, "ml.reject-requeue", "a");
        publish(channel, "ml.reject-requeue", "b");
        assertTrue(channel.waitForConfirms(5_000));
        Channel consumer = connection.createChannel();
        GetResponse a = Queues.awaitGet(consumer, "ml.reject-requeue", false);
        publish(channel, "ml.reject-requeue", "c");
        assertTrue(channel.waitForConfirms(5_000), "accepted: the unacked a does not count");

        consumer.basicNack(a.getEnvelope().getDeliveryTag(), false, true);
        awaitCount(channel, "ml.reject-requeue", 3);
        publish(channel, "ml.reject-requeue", "d");
        assertFalse(channel.waitForConfirms(5_000));
        assertEquals(List.of("a", "b", "c"), drain(channel, "ml.reject-requeue"));
    }

    @Test
    void theByteLimitCountsBodiesNotHeaders() throws Exception {
        declare("ml.bytes-headers", Map.of("x-max-length-bytes", 10));
        AMQP.BasicProperties bulky = new AMQP.BasicProperties.Builder().headers(Map.of("pad", "x".repeat(200))).build();
        Queues.publish(channel, "ml.bytes-headers", bulky, "1234");
        Queues.publish(channel, "ml.bytes-headers", bulky, "5678");
        awaitCount(channel, "ml.bytes-headers", 2);
        assertEquals(List.of("1234", "5678"), drain(channel, "ml.bytes-headers"));
    }

    @Test
    void aMessageLargerThanTheByteLimitIsAcceptedAndDroppedByDropHeadButNackedByRejectPublish() throws Exception {
        declare("ml.dead", null);
        declare("ml.bytes-big", deadLettering("x-max-length-bytes", 10));
        declare("ml.bytes-big-reject", Map.of("x-max-length-bytes", 10, "x-overflow", "reject-publish"));
        channel.confirmSelect();
        publish(channel, "ml.bytes-big", "x".repeat(20));
        assertTrue(channel.waitForConfirms(5_000));
        assertEquals("x".repeat(20), body(awaitGet(channel, "ml.dead")));
        assertEquals(0, Queues.count(channel, "ml.bytes-big"));

        publish(channel, "ml.bytes-big-reject", "x".repeat(20));
        assertFalse(channel.waitForConfirms(5_000));
        assertEquals(0, Queues.count(channel, "ml.bytes-big-reject"));
    }

    @Test
    void rejectPublishWithAByteLimitCountsTheNewMessageAndTakesExactlyTheLimit() throws Exception {
        declare("ml.bytes-reject", Map.of("x-max-length-bytes", 10, "x-overflow", "reject-publish"));
        channel.confirmSelect();
        publish(channel, "ml.bytes-reject", "123456");
        assertTrue(channel.waitForConfirms(5_000));
        publish(channel, "ml.bytes-reject", "12345");
        assertFalse(channel.waitForConfirms(5_000), "6 + 5 bytes is over 10");
        publish(channel, "ml.bytes-reject", "1234");
        assertTrue(channel.waitForConfirms(5_000), "6 + 4 bytes is exactly 10");
        assertEquals(List.of("123456", "1234"), drain(channel, "ml.bytes-reject"));
    }

    @Test
    void whenBothLimitsAreSetTheFirstOneReachedApplies() throws Exception {
        declare("ml.both", Map.of("x-max-length", 2, "x-max-length-bytes", 100));
        for (String b : List.of("a", "b", "c")) {
            publish(channel, "ml.both", b);
        }
        awaitCount(channel, "ml.both", 2);
        assertEquals(List.of("b", "c"), drain(channel, "ml.both"));
        declare("ml.both", Map.of("x-max-length", 100, "x-max-length-bytes", 2));
        for (String b : List.of("a", "b", "c")) {
            publish(channel, "ml.both", b);
        }
        awaitCount(channel, "ml.both", 2);
        assertEquals(List.of("b", "c"), drain(channel, "ml.both"));
    }

    @Test
    void rejectPublishDoesNotDeadLetterNorReturnAMandatoryMessageItRefuses() throws Exception {
        declare("ml.dead", null);
        declare("ml.reject-mandatory", deadLettering("x-max-length", 1, "x-overflow", "reject-publish"));
        List<String> returned = new CopyOnWriteArrayList<>();
        channel.addReturnListener(r -> returned.add(new String(r.getBody(), StandardCharsets.UTF_8)));
        channel.confirmSelect();
        for (String b : List.of("kept", "refused")) {
            channel.basicPublish("", "ml.reject-mandatory", true, null, b.getBytes(StandardCharsets.UTF_8));
        }
        assertFalse(channel.waitForConfirms(5_000));
        assertEquals(List.of(), returned, "the message was routed; refusing it is not a return");
        assertEquals(List.of("kept"), drain(channel, "ml.reject-mandatory"));
        assertEquals(0, Queues.count(channel, "ml.dead"), "reject-publish only refuses; reject-publish-dlx also dead-letters");
    }

    @Test
    void rejectPublishDlxDeadLettersWhatItRefusesWithoutConfirmsToo() throws Exception {
        declare("ml.dead", null);
        declare("ml.reject-dlx-quiet", deadLettering("x-max-length", 1, "x-overflow", "reject-publish-dlx"));
        for (String b : List.of("n1", "n2", "n3")) {
            publish(channel, "ml.reject-dlx-quiet", b);
        }
        awaitCount(channel, "ml.dead", 2);
        assertEquals(List.of("n2", "n3"), drain(channel, "ml.dead"));
        assertEquals(List.of("n1"), drain(channel, "ml.reject-dlx-quiet"));
        assertTrue(channel.isOpen());
    }

    @Test
    void dropHeadOnAPriorityQueueDropsTheMessageThatWouldBeDeliveredNextTheHighestPriority() throws Exception {
        declare("ml.dead", null);
        declare("ml.priority", deadLettering("x-max-length", 2, "x-max-priority", 5));
        Queues.publish(channel, "ml.priority", Queues.priority(1), "a-p1");
        Queues.publish(channel, "ml.priority", Queues.priority(5), "b-p5");
        Queues.publish(channel, "ml.priority", Queues.priority(3), "c-p3");
        assertEquals("b-p5", body(awaitGet(channel, "ml.dead")));
        assertEquals(List.of("c-p3", "a-p1"), drain(channel, "ml.priority"));
    }

    @Test
    void dropHeadConfirmsEveryMessageIncludingTheOnesItDrops() throws Exception {
        declare("ml.drop-confirmed", Map.of("x-max-length", 1));
        channel.confirmSelect();
        for (String b : List.of("d0", "d1", "d2")) {
            publish(channel, "ml.drop-confirmed", b);
        }
        assertTrue(channel.waitForConfirms(5_000), "basic.ack for all three");
        assertEquals(List.of("d2"), drain(channel, "ml.drop-confirmed"));
    }

    @Test
    void rejectPublishDlxWithoutADeadLetterExchangeOnlyNacks() throws Exception {
        declare("ml.reject-dlx-nowhere", Map.of("x-max-length", 1, "x-overflow", "reject-publish-dlx"));
        channel.confirmSelect();
        publish(channel, "ml.reject-dlx-nowhere", "in");
        publish(channel, "ml.reject-dlx-nowhere", "out");
        assertFalse(channel.waitForConfirms(5_000));
        assertTrue(channel.isOpen());
        assertEquals(List.of("in"), drain(channel, "ml.reject-dlx-nowhere"));
    }
}
