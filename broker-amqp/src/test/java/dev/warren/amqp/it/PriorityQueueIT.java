package dev.warren.amqp.it;

import static dev.warren.amqp.it.Queues.awaitCount;
import static dev.warren.amqp.it.Queues.body;
import static dev.warren.amqp.it.Queues.drain;
import static dev.warren.amqp.it.Queues.priority;
import static dev.warren.amqp.it.Queues.publish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** x-max-priority: higher priority first, FIFO within a priority, requeues back in place, limits. */
@Timeout(60)
class PriorityQueueIT extends LifecycleITBase {

    private void publishAll(String queue, int... priorities) throws Exception {
        channel.confirmSelect();
        for (int i = 0; i < priorities.length; i++) {
            int p = priorities[i];
            publish(channel, queue, p < 0 ? null : priority(p), "m" + i + (p < 0 ? "-none" : "-p" + p));
        }
        channel.waitForConfirmsOrDie(5_000);
    }

    @Test
    void higherPriorityGoesFirstFifoWithinAPriorityAbsentIsZeroAndAboveTheMaximumIsTheMaximum() throws Exception {
        declare("prio.order", Map.of("x-max-priority", 5));
        publishAll("prio.order", 1, -1, 5, 3, 9, 1, 0, 200);
        assertEquals(List.of("m2-p5", "m4-p9", "m7-p200", "m3-p3", "m0-p1", "m5-p1", "m1-none", "m6-p0"),
                drain(channel, "prio.order"));
    }

    @Test
    void aConsumerReceivesMessagesPublishedBeforeItCameInPriorityOrder() throws Exception {
        declare("prio.consumer", Map.of("x-max-priority", 10));
        publishAll("prio.consumer", 2, 8, 2, 10, 0);
        List<String> got = new CopyOnWriteArrayList<>();
        Channel consumer = connection.createChannel();
        consumer.basicQos(1);
        consumer.basicConsume("prio.consumer", false, new DefaultConsumer(consumer) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                    throws java.io.IOException {
                got.add(new String(body));
                consumer.basicAck(envelope.getDeliveryTag(), false);
            }
        });
        BrokerFixture.await("5 deliveries", 5_000, () -> got.size() == 5);
        assertEquals(List.of("m3-p10", "m1-p8", "m0-p2", "m2-p2", "m4-p0"), got);
    }

    @Test
    void requeuedMessagesGoBackToTheirPlaceWithinTheirPriority() throws Exception {
        declare("prio.requeue", Map.of("x-max-priority", 5));
        publishAll("prio.requeue", 5, 5, 1, 5);
        List<GetResponse> taken = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            taken.add(channel.basicGet("prio.requeue", false));
        }
        assertEquals("m0-p5", body(taken.get(0)));
        channel.basicNack(taken.get(1).getEnvelope().getDeliveryTag(), true, true);
        awaitCount(channel, "prio.requeue", 4);
        List<String> order = new ArrayList<>();
        for (GetResponse r; (r = channel.basicGet("prio.requeue", true)) != null; ) {
            order.add(body(r) + (r.getEnvelope().isRedeliver() ? "*" : ""));
        }
        assertEquals(List.of("m0-p5*", "m1-p5*", "m3-p5", "m2-p1"), order);
    }

    @Test
    void aPriorityOutsideTheRangeIsRefusedAsRabbitMqRefusesIt() throws Exception {
        Channel other = connection.createChannel();
        java.io.IOException error = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> other.queueDeclare("prio.bad", false, false, true, Map.of("x-max-priority", 256)));
        assertTrue(error.getCause().getMessage().contains(
                "PRECONDITION_FAILED - invalid arg 'x-max-priority' for queue 'prio.bad' in vhost '/': {max_value_exceeded,256}"));
    }

    @Test
    void aNackedMessageGoesBackWithinItsOwnPriorityAheadOfThatPrioritysLaterMessages() throws Exception {
        declare("prio.nack", Map.of("x-max-priority", 5));
        publishAll("prio.nack", 5, 5, 1, 5, 3);
        Channel consumer = connection.createChannel();
        List<GetResponse> taken = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            taken.add(consumer.basicGet("prio.nack", false));
        }
        assertEquals(List.of("m0-p5", "m1-p5", "m3-p5", "m4-p3"), taken.stream().map(Queues::body).toList());
        consumer.basicNack(taken.get(3).getEnvelope().getDeliveryTag(), false, true);
        consumer.basicNack(taken.get(1).getEnvelope().getDeliveryTag(), false, true);
        awaitCount(channel, "prio.nack", 3);
        assertEquals(List.of("m1-p5", "m4-p3", "m2-p1"), drain(channel, "prio.nack"));
    }

    @Test
    void messagesReturnedByAClosedChannelGoBackInTheirOriginalOrderAheadOfNewerOnesOfTheirPriority() throws Exception {
        declare("prio.closed", Map.of("x-max-priority", 5));
        publishAll("prio.closed", 5, 5, 1, 5, 3);
        Channel consumer = connection.createChannel();
        for (int i = 0; i < 3; i++) {
            consumer.basicGet("prio.closed", false);
        }
        publish(channel, "prio.closed", priority(5), "m5-p5");
        channel.waitForConfirmsOrDie(5_000);
        consumer.close();
        awaitCount(channel, "prio.closed", 6);
        List<String> order = new ArrayList<>();
        for (GetResponse r; (r = channel.basicGet("prio.closed", true)) != null; ) {
            order.add(body(r) + (r.getEnvelope().isRedeliver() ? "*" : ""));
        }
        assertEquals(List.of("m0-p5*", "m1-p5*", "m3-p5*", "m5-p5", "m4-p3", "m2-p1"), order);
    }

    @Test
    void thePriorityPropertyIsDeliveredAsPublishedEvenAboveTheMaximum() throws Exception {
        declare("prio.property", Map.of("x-max-priority", 3));
        publishAll("prio.property", 200, 3, -1);
        List<Integer> priorities = new ArrayList<>();
        for (GetResponse r; (r = channel.basicGet("prio.property", true)) != null; ) {
            priorities.add(r.getProps().getPriority());
        }
        assertEquals(java.util.Arrays.asList(200, 3, null), priorities);
    }

    @Test
    void aMaximumPriorityOfZeroIsAcceptedAndKeepsPublishOrder() throws Exception {
        declare("prio.zero", Map.of("x-max-priority", 0));
        publishAll("prio.zero", 3, -1, 9);
        assertEquals(List.of("m0-p3", "m1-none", "m2-p9"), drain(channel, "prio.zero"));
    }

    @Test
    void aQueueWithoutAMaximumPriorityIgnoresPriorities() throws Exception {
        declare("prio.none", null);
        publishAll("prio.none", 1, 9, 0);
        assertEquals(List.of("m0-p1", "m1-p9", "m2-p0"), drain(channel, "prio.none"));
    }
}
