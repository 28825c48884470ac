package dev.warren.amqp.it;

import static dev.warren.amqp.it.Queues.awaitCount;
import static dev.warren.amqp.it.Queues.awaitGet;
import static dev.warren.amqp.it.Queues.deaths;
import static dev.warren.amqp.it.Queues.publish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import java.util.HashMap;
import java.util.Map;
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
