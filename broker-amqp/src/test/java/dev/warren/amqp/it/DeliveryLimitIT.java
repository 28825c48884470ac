package dev.warren.amqp.it;

import static dev.warren.amqp.it.Queues.awaitCount;
import static dev.warren.amqp.it.Queues.awaitGet;
import static dev.warren.amqp.it.Queues.deaths;
import static dev.warren.amqp.it.Queues.publish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * x-delivery-limit on a classic queue (beyond RabbitMQ, which has it on quorum queues; the semantics are
 * theirs: x-delivery-count on every basic.get and every redelivery, returns counted whether by nack, reject or a closed channel,
 * dead-lettered with delivery_limit once returned more times than the limit).
 */
@Timeout(60)
class DeliveryLimitIT extends LifecycleITBase {

    private Map<String, Object> limited(int limit, boolean deadLetter) {
        Map<String, Object> arguments = new HashMap<>(Map.of("x-delivery-limit", limit));
        if (deadLetter) {
            arguments.put("x-dead-letter-exchange", "");
            arguments.put("x-dead-letter-routing-key", "dl.dead");
        }
        if (!BrokerFixture.againstWarren()) {
            arguments.put("x-queue-type", "quorum"); // RabbitMQ 3.10 has the limit on quorum queues only
        }
        return arguments;
    }

    @Override
    void declare(String queue, Map<String, Object> arguments) throws Exception {
        channel.queueDelete(queue);
        channel.queueDeclare(queue, !BrokerFixture.againstWarren(), false, false, arguments);
    }

    private GetResponse next(String queue) throws Exception {
        return Queues.awaitGet(channel, queue, false);
    }

    @Test
    void everyDeliveryCarriesTheReturnsSoFarAndPastTheLimitTheMessageIsDeadLettered() throws Exception {
        channel.queueDelete("dl.dead");
        channel.queueDeclare("dl.dead", false, false, false, null);
        declare("dl.work", limited(2, true));
        publish(channel, "dl.work", "job");
        for (long count = 0; count <= 2; count++) {
            GetResponse delivery = next("dl.work");
            assertEquals(count, ((Number) delivery.getProps().getHeaders().get("x-delivery-count")).longValue());
            assertEquals(count > 0, delivery.getEnvelope().isRedeliver());
            channel.basicNack(delivery.getEnvelope().getDeliveryTag(), false, true);
        }
        GetResponse dead = awaitGet(channel, "dl.dead");
        assertEquals("delivery_limit", String.valueOf(deaths(dead).get(0).get("reason")));
        assertEquals("dl.work", String.valueOf(deaths(dead).get(0).get("queue")));
        assertNull(channel.basicGet("dl.work", true));
    }

    @Test
    void aDeliveryReturnedByAClosedChannelCountsAndWithoutADeadLetterExchangeTheMessageIsDropped() throws Exception {
        declare("dl.drop", limited(1, false));
        publish(channel, "dl.drop", "job");
        awaitCount(channel, "dl.drop", 1);
        for (int i = 0; i < 2; i++) {
            Channel worker = connection.createChannel();
            BrokerFixture.await("a delivery", 10_000, () -> {
                try {
                    return worker.basicGet("dl.drop", false) != null;
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            worker.close(); // returned unacked
        }
        awaitCount(channel, "dl.drop", 0);
        assertFalse(channel.basicGet("dl.drop", true) != null);
    }

    private static Object deliveryCount(AMQP.BasicProperties properties) {
        Map<String, Object> headers = properties.getHeaders();
        return headers == null ? null : headers.get("x-delivery-count");
    }

    private static Long asLong(Object value) {
        return value == null ? null : ((Number) value).longValue();
    }

    private void declareDead() throws Exception {
        channel.queueDelete("dl.dead");
        channel.queueDeclare("dl.dead", false, false, false, null);
    }

    @Test
    void aConsumersFirstDeliveryHasNoDeliveryCountAndEachRedeliveryCountsTheReturnsSoFar() throws Exception {
        declare("dl.consumed", limited(5, false));
        AMQP.BasicProperties ownCount = new AMQP.BasicProperties.Builder().headers(Map.of("x-delivery-count", 7)).build();
        Queues.publish(channel, "dl.consumed", "plain");
        Queues.publish(channel, "dl.consumed", ownCount, "own");
        awaitCount(channel, "dl.consumed", 2);
        List<String> seen = new CopyOnWriteArrayList<>();
        Channel worker = connection.createChannel();
        worker.basicConsume("dl.consumed", false, new DefaultConsumer(worker) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                    throws IOException {
                Long count = asLong(deliveryCount(properties));
                seen.add(new String(body) + (envelope.isRedeliver() ? "*" : "") + " " + count);
                boolean again = !envelope.isRedeliver() || count < 2; // three deliveries each, then dropped
                worker.basicNack(envelope.getDeliveryTag(), false, again);
            }
        });
        BrokerFixture.await("three deliveries of each", 10_000, () -> seen.size() == 6);
        assertEquals(List.of("own 7", "own* 1", "own* 2", "plain null", "plain* 1", "plain* 2"), seen.stream().sorted().toList(),
                "the first delivery is left alone (a publisher's own header passes through), redeliveries are counted");
    }

    @Test
    void basicGetAlwaysSaysTheDeliveryCountReplacingAPublishersOwn() throws Exception {
        declare("dl.got", limited(5, false));
        Queues.publish(channel, "dl.got", new AMQP.BasicProperties.Builder().headers(Map.of("x-delivery-count", 7)).build(), "own");
        GetResponse first = Queues.awaitGet(channel, "dl.got", true);
        assertEquals(0L, asLong(deliveryCount(first.getProps())));
        assertFalse(first.getEnvelope().isRedeliver());
    }

    @Test
    void aRejectWithRequeueCountsAsAReturnAndTheDeadLetterCarriesNoDeliveryCount() throws Exception {
        declareDead();
        declare("dl.rejected", limited(1, true));
        publish(channel, "dl.rejected", "job");
        for (long count = 0; count <= 1; count++) {
            GetResponse delivery = next("dl.rejected");
            assertEquals(count, asLong(deliveryCount(delivery.getProps())));
            channel.basicReject(delivery.getEnvelope().getDeliveryTag(), true);
        }
        GetResponse dead = awaitGet(channel, "dl.dead");
        assertEquals("delivery_limit", String.valueOf(deaths(dead).get(0).get("reason")));
        assertEquals("delivery_limit", String.valueOf(dead.getProps().getHeaders().get("x-first-death-reason")));
        assertNull(deliveryCount(dead.getProps()));
        assertFalse(dead.getEnvelope().isRedeliver());
    }

    @Test
    void aLimitOfZeroDropsTheMessageOnItsFirstReturn() throws Exception {
        declare("dl.zero", limited(0, false));
        publish(channel, "dl.zero", "once");
        GetResponse only = next("dl.zero");
        assertEquals(0L, asLong(deliveryCount(only.getProps())));
        channel.basicNack(only.getEnvelope().getDeliveryTag(), false, true);
        awaitCount(channel, "dl.zero", 0);
        assertNull(channel.basicGet("dl.zero", true));
    }

    @Test
    void aRejectWithoutRequeueIsDeadLetteredAsRejectedWhateverTheCountSoFar() throws Exception {
        declareDead();
        declare("dl.gave-up", limited(3, true));
        publish(channel, "dl.gave-up", "job");
        channel.basicNack(next("dl.gave-up").getEnvelope().getDeliveryTag(), false, true);
        channel.basicReject(next("dl.gave-up").getEnvelope().getDeliveryTag(), false);
        GetResponse dead = awaitGet(channel, "dl.dead");
        assertEquals("rejected", String.valueOf(deaths(dead).get(0).get("reason")));
    }

    @Test
    void basicRecoverWithRequeueAndAMultipleNackCountAReturnForEveryMessageTheyGiveBack() throws Exception {
        declareDead();
        declare("dl.recovered", limited(1, true));
        publish(channel, "dl.recovered", "a");
        publish(channel, "dl.recovered", "b");
        awaitCount(channel, "dl.recovered", 2);
        Channel worker = connection.createChannel();
        for (long count = 0; count <= 1; count++) {
            GetResponse a = Queues.awaitGet(worker, "dl.recovered", false);
            GetResponse b = Queues.awaitGet(worker, "dl.recovered", false);
            assertEquals(List.of(count, count), List.of(asLong(deliveryCount(a.getProps())), asLong(deliveryCount(b.getProps()))));
            if (count == 0) {
                worker.basicRecover(true);
            } else {
                worker.basicNack(b.getEnvelope().getDeliveryTag(), true, true);
            }
        }
        awaitCount(channel, "dl.dead", 2);
        assertEquals(0, Queues.count(channel, "dl.recovered"));
    }

    @Test
    void aConsumersFirstDeliveryGoesOutUntouchedAndRedeliveriesCarryTheCount() throws Exception {
        declare("dl.consumed", limited(5, false));
        channel.basicPublish("", "dl.consumed", new com.rabbitmq.client.AMQP.BasicProperties.Builder()
                .headers(Map.of("x-delivery-count", 7)).build(), "job".getBytes());
        java.util.concurrent.BlockingQueue<Object> counts = new java.util.concurrent.LinkedBlockingQueue<>();
        Channel consumer = connection.createChannel();
        consumer.basicConsume("dl.consumed", false, new com.rabbitmq.client.DefaultConsumer(consumer) {
            @Override
            public void handleDelivery(String tag, com.rabbitmq.client.Envelope envelope,
                                       com.rabbitmq.client.AMQP.BasicProperties properties, byte[] body) throws java.io.IOException {
                counts.add(String.valueOf(properties.getHeaders().get("x-delivery-count")));
                if (counts.size() < 3) {
                    consumer.basicNack(envelope.getDeliveryTag(), false, true);
                } else {
                    consumer.basicAck(envelope.getDeliveryTag(), false);
                }
            }
        });
        java.util.List<Object> seen = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            seen.add(counts.poll(10, java.util.concurrent.TimeUnit.SECONDS));
        }
        assertEquals(java.util.List.of("7", "1", "2"), seen, "the publisher's own header first, then the broker's count");
    }
}
