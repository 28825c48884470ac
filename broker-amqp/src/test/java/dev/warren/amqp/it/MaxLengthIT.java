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

import com.rabbitmq.client.GetResponse;
import java.util.List;
import java.util.Map;
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
}
