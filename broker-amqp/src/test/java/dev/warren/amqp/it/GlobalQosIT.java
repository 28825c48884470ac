package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.GetResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A channel-wide prefetch limit (basic.qos global=true) with RabbitMQ 3.x's semantics, which Warren keeps
 * (4.3 changed them); each test passes against RabbitMQ 3.10.8 with -Dwarren.it.port. Only deliveries that
 * need an ack count against the limit, but a no-ack consumer on the channel waits while it is reached;
 * consumers of one channel share freed credit fairly; basic.get deliveries do not count.
 */
@Timeout(60)
class GlobalQosIT extends LifecycleITBase {

    private void fill(String queue, int count) throws Exception {
        channel.confirmSelect();
        for (int i = 0; i < count; i++) {
            Queues.publish(channel, queue, queue + "-" + i);
        }
        channel.waitForConfirmsOrDie(10_000);
    }

    private int ready(String queue) throws Exception {
        return channel.queueDeclarePassive(queue).getMessageCount();
    }

    @Test
    void aNoAckConsumerWaitsWhileTheChannelsLimitIsReachedAndGoesOnOnceCreditComesBack() throws Exception {
        declare("gqos.acked", Map.of());
        declare("gqos.noack", Map.of());
        fill("gqos.acked", 1);
        fill("gqos.noack", 5);
        Channel consuming = connection.createChannel();
        consuming.basicQos(1, true);
        List<Delivery> acked = new CopyOnWriteArrayList<>();
        AtomicInteger noAck = new AtomicInteger();
        consuming.basicConsume("gqos.acked", false, (tag, d) -> acked.add(d), tag -> { });
        BrokerFixture.await("the one acked delivery", 5_000, () -> acked.size() == 1);

        consuming.basicConsume("gqos.noack", true, (tag, d) -> noAck.incrementAndGet(), tag -> { });
        assertEquals(5, ready("gqos.noack"), "the no-ack consumer was sent messages while the channel's limit was reached");
        assertEquals(0, noAck.get());

        consuming.basicAck(acked.get(0).getEnvelope().getDeliveryTag(), false);
        BrokerFixture.await("the no-ack consumer to get all five", 5_000, () -> noAck.get() == 5);
        assertEquals(0, ready("gqos.noack"));
    }

    @Test
    void noAckDeliveriesDoNotTakeTheChannelsCredit() throws Exception {
        declare("gqos.noack-first", Map.of());
        declare("gqos.acked-after", Map.of());
        fill("gqos.noack-first", 20);
        fill("gqos.acked-after", 3);
        Channel consuming = connection.createChannel();
        consuming.basicQos(2, true);
        AtomicInteger noAck = new AtomicInteger();
        AtomicInteger acked = new AtomicInteger();
        consuming.basicConsume("gqos.noack-first", true, (tag, d) -> noAck.incrementAndGet(), tag -> { });
        BrokerFixture.await("twenty no-ack deliveries", 5_000, () -> noAck.get() == 20);
        consuming.basicConsume("gqos.acked-after", false, (tag, d) -> acked.incrementAndGet(), tag -> { });
        BrokerFixture.await("the channel's two credits for the acking consumer", 5_000, () -> acked.get() == 2);
        assertEquals(1, ready("gqos.acked-after"));
    }

    @Test
    void consumersOfOneChannelShareTheChannelsLimitFairly() throws Exception {
        int each = 600;
        int stopAt = 400;
        declare("gqos.fair-1", Map.of());
        declare("gqos.fair-2", Map.of());
        fill("gqos.fair-1", each);
        fill("gqos.fair-2", each);
        Channel consuming = connection.createChannel();
        consuming.basicQos(10, true);
        AtomicInteger first = new AtomicInteger();
        AtomicInteger second = new AtomicInteger();
        AtomicInteger total = new AtomicInteger();
        for (String queue : List.of("gqos.fair-1", "gqos.fair-2")) {
            AtomicInteger count = queue.endsWith("1") ? first : second;
            consuming.basicConsume(queue, false, (tag, d) -> {
                if (total.incrementAndGet() <= stopAt) {
                    count.incrementAndGet();
                    consuming.basicAck(d.getEnvelope().getDeliveryTag(), false);
                }
            }, tag -> { });
        }
        BrokerFixture.await(stopAt + " deliveries", 20_000, () -> total.get() >= stopAt);
        // RabbitMQ splits about evenly (it notifies a random queue first); a quarter is far from starvation
        assertTrue(first.get() >= stopAt / 4 && second.get() >= stopAt / 4,
                "one consumer was starved: " + first.get() + " / " + second.get());
    }

    @Test
    void anUnackedBasicGetDoesNotCountAgainstTheChannelsLimit() throws Exception {
        declare("gqos.get", Map.of());
        fill("gqos.get", 3);
        Channel consuming = connection.createChannel();
        consuming.basicQos(1, true);
        GetResponse got = consuming.basicGet("gqos.get", false);
        assertNotNull(got);
        AtomicInteger consumed = new AtomicInteger();
        consuming.basicConsume("gqos.get", false, (tag, d) -> consumed.incrementAndGet(), tag -> { });
        BrokerFixture.await("one delivery to the consumer despite the unacked get", 5_000, () -> consumed.get() == 1);
        assertEquals(1, ready("gqos.get"), "the consumer got more than the channel's limit");
    }
}
