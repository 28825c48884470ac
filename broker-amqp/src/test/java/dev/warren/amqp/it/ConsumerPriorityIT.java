package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Consumer priorities (the consume argument x-priority): higher-priority consumers get messages while they
 * have credit, equal priorities share round-robin, lower ones get what the higher ones cannot take
 * (checked against RabbitMQ 3.10.8 with -Dwarren.it.port).
 */
@Timeout(60)
class ConsumerPriorityIT extends LifecycleITBase {

    /** A consumer on its own channel that records what it gets and acks only when told to. */
    private final class Recorder extends DefaultConsumer {
        final String name;
        final BlockingQueue<Long> tags = new LinkedBlockingQueue<>();
        final List<String> bodies = new java.util.concurrent.CopyOnWriteArrayList<>();

        Recorder(String name, int prefetch, Integer priority) throws IOException {
            super(connection.createChannel());
            this.name = name;
            getChannel().basicQos(prefetch);
            getChannel().basicConsume("cp.q", false, priority == null ? Map.of() : Map.of("x-priority", priority), this);
        }

        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            bodies.add(new String(body));
            tags.add(envelope.getDeliveryTag());
        }

        void ackAll() throws IOException {
            for (Long tag; (tag = tags.poll()) != null; ) {
                getChannel().basicAck(tag, false);
            }
        }
    }

    private void publish(int count, String prefix) throws Exception {
        channel.confirmSelect();
        for (int i = 0; i < count; i++) {
            Queues.publish(channel, "cp.q", prefix + i);
        }
        channel.waitForConfirmsOrDie(5_000);
    }

    @Test
    void theHigherPriorityConsumerGetsEverythingWhileItHasCredit() throws Exception {
        declare("cp.q", null);
        Recorder low = new Recorder("low", 100, 1);
        Recorder high = new Recorder("high", 100, 10);
        Recorder none = new Recorder("none", 100, null);
        publish(50, "m");
        BrokerFixture.await("50 deliveries to the high-priority consumer", 5_000, () -> high.bodies.size() == 50);
        assertEquals(0, low.bodies.size());
        assertEquals(0, none.bodies.size());
    }

    @Test
    void lowerPriorityConsumersGetWhatTheHigherOneHasNoCreditFor() throws Exception {
        declare("cp.q", null);
        Recorder high = new Recorder("high", 2, 5);
        Recorder low = new Recorder("low", 100, 0);
        publish(10, "m");
        BrokerFixture.await("all 10 delivered", 5_000, () -> high.bodies.size() + low.bodies.size() == 10);
        assertEquals(List.of("m0", "m1"), high.bodies, "the high one first, up to its prefetch");
        assertEquals(8, low.bodies.size());
        high.ackAll();
        low.ackAll();
    }

    @Test
    void consumersOfEqualPriorityShareRoundRobin() throws Exception {
        declare("cp.q", null);
        Recorder a = new Recorder("a", 100, 3);
        Recorder b = new Recorder("b", 100, 3);
        Recorder lower = new Recorder("lower", 100, 1);
        publish(10, "m");
        BrokerFixture.await("all 10 delivered", 5_000, () -> a.bodies.size() + b.bodies.size() == 10);
        assertEquals(5, a.bodies.size(), "a got " + a.bodies + ", b got " + b.bodies);
        assertEquals(5, b.bodies.size());
        assertTrue(lower.bodies.isEmpty());
    }

    @Test
    void whenTheHigherConsumerLeavesTheLowerOneTakesOver() throws Exception {
        declare("cp.q", null);
        Recorder high = new Recorder("high", 100, 10);
        Recorder low = new Recorder("low", 100, 0);
        publish(3, "before");
        BrokerFixture.await("3 deliveries to high", 5_000, () -> high.bodies.size() == 3);
        high.getChannel().close(); // its unacked messages go back
        BrokerFixture.await("the requeued 3 to low", 5_000, () -> low.bodies.size() == 3);
        publish(2, "after");
        BrokerFixture.await("5 to low", 5_000, () -> low.bodies.size() == 5);
        low.ackAll();
        assertEquals(0, low.tags.size());
    }
}
