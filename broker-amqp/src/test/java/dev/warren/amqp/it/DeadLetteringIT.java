package dev.warren.amqp.it;

import static dev.warren.amqp.it.Queues.awaitCount;
import static dev.warren.amqp.it.Queues.awaitGet;
import static dev.warren.amqp.it.Queues.body;
import static dev.warren.amqp.it.Queues.deaths;
import static dev.warren.amqp.it.Queues.expiration;
import static dev.warren.amqp.it.Queues.publish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.GetResponse;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Dead-lettering for each reason, with the exact x-death history RabbitMQ writes, its routing and its cycles. */
@Timeout(60)
class DeadLetteringIT extends LifecycleITBase {

    private static Map<String, Object> deadLetterTo(String queue, Object... more) {
        Map<String, Object> arguments = new HashMap<>(Map.of("x-dead-letter-exchange", "", "x-dead-letter-routing-key", queue));
        for (int i = 0; i < more.length; i += 2) {
            arguments.put((String) more[i], more[i + 1]);
        }
        return arguments;
    }

    /** The death RabbitMQ records, field by field, with the types the Java client decodes. */
    private static void assertDeath(Map<String, Object> death, String queue, String reason, long count, List<String> keys) {
        assertEquals(count, death.get("count"));
        assertEquals(reason, String.valueOf(death.get("reason")));
        assertEquals(queue, String.valueOf(death.get("queue")));
        assertEquals("", String.valueOf(death.get("exchange")));
        assertEquals(keys.toString(), String.valueOf(death.get("routing-keys")));
        assertInstanceOf(Date.class, death.get("time"));
    }

    private static void assertFirstDeath(GetResponse r, String queue, String reason) {
        Map<String, Object> headers = r.getProps().getHeaders();
        assertEquals(queue, String.valueOf(headers.get("x-first-death-queue")));
        assertEquals(reason, String.valueOf(headers.get("x-first-death-reason")));
        assertEquals("", String.valueOf(headers.get("x-first-death-exchange")));
    }

    /** RabbitMQ 3.13's summary of the newest death; 3.10 (the broker -Dwarren.it.port checks against) lacks it. */
    private static void assertLastDeath(GetResponse r, String queue, String reason) {
        if (BrokerFixture.againstWarren()) {
            Map<String, Object> headers = r.getProps().getHeaders();
            assertEquals(queue, String.valueOf(headers.get("x-last-death-queue")));
            assertEquals(reason, String.valueOf(headers.get("x-last-death-reason")));
            assertEquals("", String.valueOf(headers.get("x-last-death-exchange")));
        }
    }

    @Test
    void aRejectedMessageIsDeadLetteredWithItsPropertiesAndTheRejectedDeath() throws Exception {
        declare("dlx.dead", null);
        declare("dlx.work", deadLetterTo("dlx.dead"));
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                .contentType("text/plain").messageId("id-1").headers(Map.of("app", "kept")).build();
        publish(channel, "dlx.work", properties, "one");
        publish(channel, "dlx.work", properties, "two");
        GetResponse first = channel.basicGet("dlx.work", false);
        channel.basicReject(first.getEnvelope().getDeliveryTag(), false);
        GetResponse second = channel.basicGet("dlx.work", false);
        channel.basicNack(second.getEnvelope().getDeliveryTag(), false, false);

        for (String expected : List.of("one", "two")) {
            GetResponse dead = awaitGet(channel, "dlx.dead");
            assertEquals(expected, body(dead));
            assertEquals("dlx.dead", dead.getEnvelope().getRoutingKey());
            assertEquals("", dead.getEnvelope().getExchange());
            assertEquals("text/plain", dead.getProps().getContentType());
            assertEquals("id-1", dead.getProps().getMessageId());
            assertEquals("kept", String.valueOf(dead.getProps().getHeaders().get("app")));
            assertEquals(1, deaths(dead).size());
            assertDeath(deaths(dead).get(0), "dlx.work", "rejected", 1, List.of("dlx.work"));
            assertFirstDeath(dead, "dlx.work", "rejected");
            assertLastDeath(dead, "dlx.work", "rejected");
        }
    }

    @Test
    void anExpiredMessageIsDeadLetteredWithItsExpirationMovedIntoTheDeath() throws Exception {
        declare("dlx.expired", null);
        declare("dlx.ttl", deadLetterTo("dlx.expired", "x-message-ttl", 60_000));
        publish(channel, "dlx.ttl", expiration("50"), "late");
        GetResponse dead = awaitGet(channel, "dlx.expired");
        assertNull(dead.getProps().getExpiration(), "the expiration property is removed");
        Map<String, Object> death = deaths(dead).get(0);
        assertDeath(death, "dlx.ttl", "expired", 1, List.of("dlx.ttl"));
        assertEquals("50", String.valueOf(death.get("original-expiration")));
        assertFirstDeath(dead, "dlx.ttl", "expired");
    }

    @Test
    void theHeadDroppedByALengthLimitIsDeadLetteredAsMaxlen() throws Exception {
        declare("dlx.overflow", null);
        declare("dlx.bounded", deadLetterTo("dlx.overflow", "x-max-length", 1));
        publish(channel, "dlx.bounded", "first");
        publish(channel, "dlx.bounded", "second");
        GetResponse dead = awaitGet(channel, "dlx.overflow");
        assertEquals("first", body(dead));
        assertDeath(deaths(dead).get(0), "dlx.bounded", "maxlen", 1, List.of("dlx.bounded"));
        assertFalse(deaths(dead).get(0).containsKey("original-expiration"));
    }

    @Test
    void dyingAgainInTheSameQueueForTheSameReasonCountsUpAndOtherDeathsStayNewestFirst() throws Exception {
        declare("dlx.sink", null);
        declare("dlx.a", deadLetterTo("dlx.sink"));
        declare("dlx.b", deadLetterTo("dlx.sink"));
        publish(channel, "dlx.a", "m");
        GetResponse dead = rejectAndCollect("dlx.a", "dlx.sink");
        channel.basicPublish("", "dlx.b", dead.getProps(), dead.getBody()); // the application sends it on
        dead = rejectAndCollect("dlx.b", "dlx.sink");
        channel.basicPublish("", "dlx.a", dead.getProps(), dead.getBody()); // and back
        dead = rejectAndCollect("dlx.a", "dlx.sink");

        List<Map<String, Object>> deaths = deaths(dead);
        assertEquals(2, deaths.size());
        assertDeath(deaths.get(0), "dlx.a", "rejected", 2, List.of("dlx.a"));
        assertDeath(deaths.get(1), "dlx.b", "rejected", 1, List.of("dlx.b"));
        assertFirstDeath(dead, "dlx.a", "rejected");
        assertLastDeath(dead, "dlx.a", "rejected");
    }

    private GetResponse rejectAndCollect(String queue, String deadQueue) throws Exception {
        GetResponse got = Queues.awaitGet(channel, queue, false);
        channel.basicReject(got.getEnvelope().getDeliveryTag(), false);
        return awaitGet(channel, deadQueue);
    }

    @Test
    void withoutADeadLetterRoutingKeyTheOriginalKeyIsUsedOnTheDeadLetterExchange() throws Exception {
        channel.exchangeDeclare("dlx.topic", "topic", false, true, null);
        declare("dlx.by-key", null);
        channel.queueBind("dlx.by-key", "dlx.topic", "orders.#");
        channel.exchangeDeclare("dlx.in", "direct", false, true, null);
        declare("dlx.orders", Map.of("x-dead-letter-exchange", "dlx.topic"));
        channel.queueBind("dlx.orders", "dlx.in", "orders.new");
        channel.basicPublish("dlx.in", "orders.new", null, "o".getBytes());
        rejectAndCollect("dlx.orders", "dlx.by-key");
    }

    @Test
    void aMessageThatWouldCycleBackWithoutARejectionIsDropped() throws Exception {
        declare("dlx.self", deadLetterTo("dlx.self", "x-message-ttl", 50));
        publish(channel, "dlx.self", "round");
        long published = System.nanoTime();
        awaitCount(channel, "dlx.self", 0);
        BrokerFixture.await("several TTLs", 5_000, () -> System.nanoTime() - published > 500_000_000L);
        assertEquals(0, Queues.count(channel, "dlx.self"), "dropped, not going round");
    }

    @Test
    void aCycleWithARejectionOnTheWayIsNotACycleAndTheMessageComesBack() throws Exception {
        declare("dlx.retry", deadLetterTo("dlx.jobs", "x-message-ttl", 50));
        declare("dlx.jobs", deadLetterTo("dlx.retry"));
        publish(channel, "dlx.jobs", "job");
        GetResponse back = rejectAndCollect("dlx.jobs", "dlx.jobs");
        List<Map<String, Object>> deaths = deaths(back);
        assertEquals(2, deaths.size());
        assertDeath(deaths.get(0), "dlx.retry", "expired", 1, List.of("dlx.retry"));
        assertDeath(deaths.get(1), "dlx.jobs", "rejected", 1, List.of("dlx.jobs"));
    }

    @Test
    void aMissingDeadLetterExchangeDropsTheMessage() throws Exception {
        declare("dlx.nowhere", Map.of("x-dead-letter-exchange", "dlx.does-not-exist"));
        channel.confirmSelect();
        publish(channel, "dlx.nowhere", "lost");
        channel.waitForConfirmsOrDie(5_000);
        GetResponse got = channel.basicGet("dlx.nowhere", false);
        channel.basicReject(got.getEnvelope().getDeliveryTag(), false);
        awaitCount(channel, "dlx.nowhere", 0);
        assertTrue(channel.isOpen(), "nothing for the client to hear of");
    }
}
