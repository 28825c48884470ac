package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import dev.warren.core.stats.MessageStats;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The broker-wide message counters (RabbitMQ's message_stats) and the confirm latency samples move with traffic. */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MessageStatsIT extends SharedBrokerIT {

    @Test
    void countersFollowPublishesDeliveriesAcksAndReturns() throws Exception {
        MessageStats stats = broker.broker().stats();
        ConcurrentLinkedQueue<Long> confirmLatencies = new ConcurrentLinkedQueue<>();
        stats.recordLatenciesWith(confirmLatencies::add, nanos -> { });
        long published = stats.publish.sum();
        long returned = stats.returnUnroutable.sum();
        long dropped = stats.dropUnroutable.sum();
        long confirmed = stats.confirm.sum();
        long delivered = stats.deliver.sum();
        long acked = stats.ack.sum();
        long gotNoAck = stats.getNoAck.sum();
        long redelivered = stats.redeliver.sum();

        Channel ch = channel();
        String q = ch.queueDeclare().getQueue();
        ch.confirmSelect();
        ch.basicPublish("", q, null, bytes("1"));
        ch.basicPublish("", q, null, bytes("2"));
        ch.basicPublish("", "no-such-queue", true, null, bytes("returned"));
        ch.basicPublish("", "no-such-queue", false, null, bytes("dropped"));
        assertTrue(ch.waitForConfirms(5_000));

        GetResponse first = ch.basicGet(q, false);
        assertNotNull(first);
        ch.basicNack(first.getEnvelope().getDeliveryTag(), false, true);
        GetResponse again = ch.basicGet(q, true);
        assertTrue(again.getEnvelope().isRedeliver());
        ch.basicConsume(q, false, (tag, d) -> ch.basicAck(d.getEnvelope().getDeliveryTag(), false), tag -> { });

        BrokerFixture.await("the ack", WAIT_MILLIS, () -> stats.ack.sum() == acked + 1);
        assertEquals(published + 4, stats.publish.sum());
        assertEquals(returned + 1, stats.returnUnroutable.sum());
        assertEquals(dropped + 1, stats.dropUnroutable.sum());
        assertEquals(confirmed + 4, stats.confirm.sum());
        assertEquals(delivered + 1, stats.deliver.sum());
        assertEquals(gotNoAck + 1, stats.getNoAck.sum());
        assertEquals(redelivered + 1, stats.redeliver.sum());
        BrokerFixture.await("a latency per confirmed publish", WAIT_MILLIS, () -> confirmLatencies.size() >= 4);
        assertTrue(confirmLatencies.stream().allMatch(n -> n >= 0 && n < TimeUnit.SECONDS.toNanos(30)));
        stats.recordLatenciesWith(nanos -> { }, nanos -> { });
    }

    @Test
    void aQueueCountsItsUnacknowledgedDeliveries() throws Exception {
        Channel ch = channel();
        String q = ch.queueDeclare().getQueue();
        publish(ch, q, "a", "b", "c");
        BrokerFixture.await("three ready", WAIT_MILLIS, () -> messageCount(ch, q) == 3);
        var queue = broker.broker().vhost("/").queue(q);
        assertTrue(queue.memoryBytes() > 0, "ready messages are held in memory");
        GetResponse one = ch.basicGet(q, false);
        ch.basicGet(q, false);
        assertEquals(2, queue.unacknowledgedCount());
        assertEquals(1, queue.messageCount());
        ch.basicAck(one.getEnvelope().getDeliveryTag(), false);
        BrokerFixture.await("one unacked left", WAIT_MILLIS, () -> queue.unacknowledgedCount() == 1);
        ch.basicRecover(true);
        BrokerFixture.await("none unacked after recover", WAIT_MILLIS, () -> queue.unacknowledgedCount() == 0);
        BrokerFixture.await("two ready again", WAIT_MILLIS, () -> queue.messageCount() == 2);
    }
}
