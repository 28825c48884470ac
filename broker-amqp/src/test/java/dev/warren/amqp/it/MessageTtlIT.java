package dev.warren.amqp.it;

import static dev.warren.amqp.it.Queues.awaitCount;
import static dev.warren.amqp.it.Queues.body;
import static dev.warren.amqp.it.Queues.drain;
import static dev.warren.amqp.it.Queues.expiration;
import static dev.warren.amqp.it.Queues.publish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Message TTL: the queue's x-message-ttl, the message's expiration, both, zero, and requeues. */
@Timeout(60)
class MessageTtlIT extends LifecycleITBase {

    @Test
    void withAQueueTtlExpiredMessagesLeaveTheQueueWithNoConsumer() throws Exception {
        declare("ttl.queue", Map.of("x-message-ttl", 200));
        channel.confirmSelect();
        for (int i = 0; i < 100; i++) {
            publish(channel, "ttl.queue", "m" + i);
        }
        channel.waitForConfirmsOrDie(5_000); // the count is not ordered after the publishes otherwise (RabbitMQ says 0)
        awaitCount(channel, "ttl.queue", 0);
        assertNull(channel.basicGet("ttl.queue", true));
    }

    @Test
    void aMessagesExpirationPropertyExpiresItAndTheLowerOfTheTwoTtlsWins() throws Exception {
        channel.confirmSelect();
        declare("ttl.both", Map.of("x-message-ttl", 60_000L));
        publish(channel, "ttl.both", expiration("100"), "short");
        channel.waitForConfirmsOrDie(5_000);
        awaitCount(channel, "ttl.both", 0);

        declare("ttl.queue-lower", Map.of("x-message-ttl", (short) 100));
        publish(channel, "ttl.queue-lower", expiration("60000"), "long");
        channel.waitForConfirmsOrDie(5_000);
        awaitCount(channel, "ttl.queue-lower", 0);

        declare("ttl.message-only", null);
        publish(channel, "ttl.message-only", expiration("100"), "expires");
        publish(channel, "ttl.message-only", "stays");
        channel.waitForConfirmsOrDie(5_000);
        awaitCount(channel, "ttl.message-only", 1);
        assertEquals(List.of("stays"), drain(channel, "ttl.message-only"));
    }

    @Test
    void aPerMessageTtlTakesEffectWhenTheMessageReachesTheHead() throws Exception {
        declare("ttl.head", null);
        channel.confirmSelect();
        publish(channel, "ttl.head", expiration("60000"), "long");
        publish(channel, "ttl.head", expiration("50"), "short");
        channel.waitForConfirmsOrDie(5_000);
        long published = System.nanoTime();
        BrokerFixture.await("the short TTL to pass", 5_000, () -> System.nanoTime() - published > 200_000_000L);
        assertEquals(2, Queues.count(channel, "ttl.head"), "an expired message behind the head stays counted");
        GetResponse first = channel.basicGet("ttl.head", false);
        assertEquals("long", body(first));
        assertNull(channel.basicGet("ttl.head", true), "at the head, the expired message is dropped, not returned");
        assertEquals(0, Queues.count(channel, "ttl.head"));
        channel.basicAck(first.getEnvelope().getDeliveryTag(), false);
    }

    @Test
    void aTtlOfZeroDeliversOnlyToAConsumerThatCanTakeTheMessageAtOnce() throws Exception {
        declare("ttl.zero", Map.of("x-message-ttl", 0));
        channel.confirmSelect();
        publish(channel, "ttl.zero", "nobody-waiting");
        channel.waitForConfirmsOrDie(5_000);
        assertEquals(0, Queues.count(channel, "ttl.zero"), "gone at once");

        List<String> got = new CopyOnWriteArrayList<>();
        channel.basicConsume("ttl.zero", true, new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                got.add(new String(body));
            }
        });
        Channel publisher = connection.createChannel();
        publisher.confirmSelect();
        for (int i = 0; i < 20; i++) {
            publish(publisher, "ttl.zero", "now" + i);
        }
        publisher.waitForConfirmsOrDie(5_000);
        BrokerFixture.await("20 deliveries", 5_000, () -> got.size() == 20);
    }

    @Test
    void aRequeuedMessageKeepsItsOriginalExpiry() throws Exception {
        declare("ttl.requeue", Map.of("x-message-ttl", 1_000));
        publish(channel, "ttl.requeue", "m");
        GetResponse taken = channel.basicGet("ttl.requeue", false);
        long takenAt = System.nanoTime();
        BrokerFixture.await("the TTL to pass", 5_000, () -> System.nanoTime() - takenAt > 1_100_000_000L);
        channel.basicNack(taken.getEnvelope().getDeliveryTag(), false, true);
        awaitCount(channel, "ttl.requeue", 0);
        assertNull(channel.basicGet("ttl.requeue", true), "requeued past its expiry: gone, not a fresh TTL");
    }

    @Test
    void anExpiredMessageIsNeverReturnedByBasicGet() throws Exception {
        declare("ttl.get", null);
        channel.confirmSelect();
        for (int i = 0; i < 50; i++) {
            publish(channel, "ttl.get", expiration("1"), "old" + i);
        }
        publish(channel, "ttl.get", "fresh");
        // The clock starts at the confirm: a message's TTL runs from its arrival, and a loaded broker may read
        // the publishes and the get in one batch, later than the client sent them.
        channel.waitForConfirmsOrDie(5_000);
        long published = System.nanoTime();
        BrokerFixture.await("the TTLs to pass", 5_000, () -> System.nanoTime() - published > 20_000_000L);
        GetResponse got = channel.basicGet("ttl.get", true);
        assertEquals("fresh", body(got));
        assertTrue(got.getMessageCount() == 0);
    }

    @Test
    void aTtlOfZeroDeadLettersWhatAConsumerWithAFullPrefetchCannotTake() throws Exception {
        declare("ttlh-zero-dead", null);
        declare("ttlh-zero-busy", Map.of("x-message-ttl", 0,
                "x-dead-letter-exchange", "", "x-dead-letter-routing-key", "ttlh-zero-dead"));
        Channel consumer = connection.createChannel();
        consumer.basicQos(1);
        List<String> got = new CopyOnWriteArrayList<>();
        consumer.basicConsume("ttlh-zero-busy", false, new DefaultConsumer(consumer) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                got.add(new String(body)); // never acked: the prefetch of one stays full
            }
        });
        channel.confirmSelect();
        for (int i = 0; i < 5; i++) {
            publish(channel, "ttlh-zero-busy", "m" + i);
        }
        channel.waitForConfirmsOrDie(5_000);
        awaitCount(channel, "ttlh-zero-dead", 4);
        BrokerFixture.await("the one delivery to reach the consumer", 5_000, () -> !got.isEmpty());
        assertEquals(List.of("m0"), got);
        assertEquals(0, Queues.count(channel, "ttlh-zero-busy"));
        GetResponse dead = Queues.awaitGet(channel, "ttlh-zero-dead");
        assertEquals("m1", body(dead));
        Map<String, Object> death = Queues.deaths(dead).get(0);
        assertEquals("expired", String.valueOf(death.get("reason")));
        assertFalse(death.containsKey("original-expiration"));
    }

    @Test
    void anUnackedMessageDoesNotExpireUntilItIsBackInTheQueueAndThenExpiresAtOnce() throws Exception {
        declare("ttlh-unacked-dead", null);
        declare("ttlh-unacked", Map.of("x-message-ttl", 200,
                "x-dead-letter-exchange", "", "x-dead-letter-routing-key", "ttlh-unacked-dead"));
        publish(channel, "ttlh-unacked", "held");
        Channel holder = connection.createChannel();
        GetResponse held = Queues.awaitGet(holder, "ttlh-unacked", false);
        long takenAt = System.nanoTime();
        BrokerFixture.await("the TTL to pass twice", 5_000, () -> System.nanoTime() - takenAt > 400_000_000L);
        assertEquals(0, Queues.count(channel, "ttlh-unacked-dead"), "held by a client, it cannot expire");

        holder.close(); // the unacked message goes back, already past its expiry
        GetResponse dead = Queues.awaitGet(channel, "ttlh-unacked-dead");
        assertEquals(body(held), body(dead));
        assertEquals("expired", String.valueOf(Queues.deaths(dead).get(0).get("reason")));
        assertEquals(0, Queues.count(channel, "ttlh-unacked"));
    }

    @Test
    void aRedeliveredMessageStillCarriesItsExpirationProperty() throws Exception {
        declare("ttlh-redelivered", null);
        publish(channel, "ttlh-redelivered", expiration("60000"), "m");
        GetResponse first = Queues.awaitGet(channel, "ttlh-redelivered", false);
        assertEquals("60000", first.getProps().getExpiration());
        channel.basicNack(first.getEnvelope().getDeliveryTag(), false, true);
        GetResponse again = Queues.awaitGet(channel, "ttlh-redelivered");
        assertTrue(again.getEnvelope().isRedeliver());
        assertEquals("60000", again.getProps().getExpiration());
    }

    @Test
    void anExpirationOfZeroIsDeliveredToAWaitingConsumerAndOddlyWrittenNumbersAreAccepted() throws Exception {
        declare("ttlh-exp-zero", null);
        List<String> got = new CopyOnWriteArrayList<>();
        Channel consumer = connection.createChannel();
        consumer.basicConsume("ttlh-exp-zero", true, new DefaultConsumer(consumer) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                got.add(properties.getExpiration());
            }
        });
        channel.confirmSelect();
        for (String expiration : List.of("0", "+10000", "007000", "4294967296")) {
            publish(channel, "ttlh-exp-zero", expiration(expiration), "m");
        }
        channel.waitForConfirmsOrDie(5_000);
        BrokerFixture.await("four deliveries", 5_000, () -> got.size() == 4);
        assertEquals(List.of("0", "+10000", "007000", "4294967296"), got, "the property is passed on as written");
        assertTrue(channel.isOpen());
    }
}
