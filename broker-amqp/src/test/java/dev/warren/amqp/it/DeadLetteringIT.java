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
import com.rabbitmq.client.LongString;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

    @Test
    void everyFieldOfTheDeathAndTheFirstDeathHeadersHasTheTypeRabbitMqWrites() throws Exception {
        declare("ttlh-dl-typed-sink", null);
        declare("ttlh-dl-typed", deadLetterTo("ttlh-dl-typed-sink", "x-message-ttl", 50));
        publish(channel, "ttlh-dl-typed", "m");
        GetResponse dead = awaitGet(channel, "ttlh-dl-typed-sink");

        Map<String, Object> death = deaths(dead).get(0);
        assertEquals(Set.of("count", "reason", "queue", "exchange", "time", "routing-keys"), death.keySet(),
                "a queue TTL alone leaves no original-expiration");
        assertInstanceOf(Long.class, death.get("count"));
        assertInstanceOf(Date.class, death.get("time"));
        for (String key : List.of("reason", "queue", "exchange")) {
            assertInstanceOf(LongString.class, death.get(key), key);
        }
        List<?> keys = assertInstanceOf(List.class, death.get("routing-keys"));
        assertInstanceOf(LongString.class, keys.get(0));
        for (String header : List.of("x-first-death-queue", "x-first-death-reason", "x-first-death-exchange")) {
            assertInstanceOf(LongString.class, dead.getProps().getHeaders().get(header), header);
        }
    }

    @Test
    void whateverTheReasonTheExpirationPropertyIsRemovedAndRecordedAsOriginalExpiration() throws Exception {
        declare("ttlh-dl-orig-sink", null);
        declare("ttlh-dl-orig-rejects", deadLetterTo("ttlh-dl-orig-sink"));
        declare("ttlh-dl-orig-bounded", deadLetterTo("ttlh-dl-orig-sink", "x-max-length", 1));
        declare("ttlh-dl-orig-full", deadLetterTo("ttlh-dl-orig-sink", "x-max-length", 1, "x-overflow", "reject-publish-dlx"));
        channel.confirmSelect();
        publish(channel, "ttlh-dl-orig-rejects", expiration("60000"), "rejected");
        publish(channel, "ttlh-dl-orig-bounded", expiration("60000"), "pushed-out");
        publish(channel, "ttlh-dl-orig-bounded", "newer");
        publish(channel, "ttlh-dl-orig-full", "first-in");
        publish(channel, "ttlh-dl-orig-full", expiration("60000"), "refused");
        assertFalse(channel.waitForConfirms(5_000), "the refused publish is nacked");
        GetResponse got = channel.basicGet("ttlh-dl-orig-rejects", false);
        channel.basicReject(got.getEnvelope().getDeliveryTag(), false);

        Map<String, String> reasons = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            GetResponse dead = awaitGet(channel, "ttlh-dl-orig-sink");
            assertNull(dead.getProps().getExpiration(), body(dead));
            Map<String, Object> death = deaths(dead).get(0);
            assertInstanceOf(LongString.class, death.get("original-expiration"));
            assertEquals("60000", String.valueOf(death.get("original-expiration")));
            reasons.put(body(dead), String.valueOf(death.get("reason")));
        }
        assertEquals(Map.of("rejected", "rejected", "pushed-out", "maxlen", "refused", "maxlen"), reasons);
    }

    /** Source queue bound to a direct exchange; its dead-letter exchange routes by key to one queue per key. */
    private void keyedDeadLetterSetup(String suffix, Map<String, Object> sourceArguments, List<String> deadKeys)
            throws Exception {
        channel.exchangeDeclare("ttlh-dl-in" + suffix, "direct", false, true, null);
        channel.exchangeDeclare("ttlh-dl-out" + suffix, "direct", false, true, null);
        declare("ttlh-dl-src" + suffix, sourceArguments);
        channel.queueBind("ttlh-dl-src" + suffix, "ttlh-dl-in" + suffix, "main");
        for (String key : deadKeys) {
            declare("ttlh-dl-" + key + suffix, null);
            channel.queueBind("ttlh-dl-" + key + suffix, "ttlh-dl-out" + suffix, key);
        }
    }

    private void publishWithHeadersAndReject(String suffix, String key, Map<String, Object> headers) throws Exception {
        channel.confirmSelect();
        channel.basicPublish("ttlh-dl-in" + suffix, key, new AMQP.BasicProperties.Builder().headers(headers).build(),
                "m".getBytes());
        channel.waitForConfirmsOrDie(5_000);
        GetResponse got = Queues.awaitGet(channel, "ttlh-dl-src" + suffix, false);
        channel.basicReject(got.getEnvelope().getDeliveryTag(), false);
    }

    @Test
    void withoutADeadLetterRoutingKeyThePublishedAndCcKeysRouteAndAreRecordedButBccNeverShows() throws Exception {
        keyedDeadLetterSetup("-cc", Map.of("x-dead-letter-exchange", "ttlh-dl-out-cc"), List.of("main", "c1", "c2"));
        publishWithHeadersAndReject("-cc", "main", Map.of("CC", List.of("c1", "c2"), "BCC", List.of("b1")));

        for (String key : List.of("main", "c1", "c2")) {
            GetResponse dead = awaitGet(channel, "ttlh-dl-" + key + "-cc");
            assertEquals("ttlh-dl-out-cc", dead.getEnvelope().getExchange());
            assertEquals("main", dead.getEnvelope().getRoutingKey(), "delivered under the published key");
            Map<String, Object> headers = dead.getProps().getHeaders();
            assertEquals("[c1, c2]", String.valueOf(headers.get("CC")), "the CC header stays");
            assertFalse(headers.containsKey("BCC"));
            Map<String, Object> death = deaths(dead).get(0);
            assertEquals("[main, c1, c2]", String.valueOf(death.get("routing-keys")), "published key, then CC, never BCC");
            assertEquals("ttlh-dl-in-cc", String.valueOf(death.get("exchange")));
            assertEquals("ttlh-dl-in-cc", String.valueOf(headers.get("x-first-death-exchange")));
        }
    }

    /** RabbitMQ 3.10 keeps BCC keys among the message's routing keys, though it hides them everywhere else. */
    @Test
    void withoutADeadLetterRoutingKeyABccKeyStillRoutesTheDeadLetter() throws Exception {
        keyedDeadLetterSetup("-bcc", Map.of("x-dead-letter-exchange", "ttlh-dl-out-bcc"), List.of("b1"));
        publishWithHeadersAndReject("-bcc", "main", Map.of("BCC", List.of("b1")));

        GetResponse dead = awaitGet(channel, "ttlh-dl-b1-bcc");
        assertEquals("main", dead.getEnvelope().getRoutingKey());
        assertFalse(dead.getProps().getHeaders().containsKey("BCC"));
        assertEquals("[main]", String.valueOf(deaths(dead).get(0).get("routing-keys")));
    }

    @Test
    void aDeadLetterRoutingKeyReplacesEveryKeyAndDropsTheCcHeaderButTheDeathKeepsTheOriginalKeys() throws Exception {
        Map<String, Object> arguments = Map.of("x-dead-letter-exchange", "ttlh-dl-out-rk", "x-dead-letter-routing-key", "dlrk");
        keyedDeadLetterSetup("-rk", arguments, List.of("dlrk", "main", "c1"));
        publishWithHeadersAndReject("-rk", "main", Map.of("CC", List.of("c1"), "app", "kept"));

        GetResponse dead = awaitGet(channel, "ttlh-dl-dlrk-rk");
        assertEquals("dlrk", dead.getEnvelope().getRoutingKey());
        Map<String, Object> headers = dead.getProps().getHeaders();
        assertFalse(headers.containsKey("CC"), "the CC header is removed with the keys it named");
        assertEquals("kept", String.valueOf(headers.get("app")));
        assertEquals("[main, c1]", String.valueOf(deaths(dead).get(0).get("routing-keys")));
        assertNull(channel.basicGet("ttlh-dl-main-rk", true), "not routed by the published key");
        assertNull(channel.basicGet("ttlh-dl-c1-rk", true), "nor by the CC key");
    }

    @Test
    void aSecondDeathInTheSameQueueForTheSameReasonOnlyCountsUpKeepingTheFirstTimeExchangeAndKeys() throws Exception {
        declare("ttlh-dl-again-sink", null);
        declare("ttlh-dl-again", deadLetterTo("ttlh-dl-again-sink"));
        channel.exchangeDeclare("ttlh-dl-again-x", "direct", false, true, null);
        channel.queueBind("ttlh-dl-again", "ttlh-dl-again-x", "other-key");
        publish(channel, "ttlh-dl-again", "m");
        GetResponse dead = rejectAndCollect("ttlh-dl-again", "ttlh-dl-again-sink");
        Date firstTime = (Date) deaths(dead).get(0).get("time");
        // the death time has whole seconds: let the clock pass the next one so a new time would show
        BrokerFixture.await("the next second", 5_000, () -> System.currentTimeMillis() >= firstTime.getTime() + 1_500);

        channel.basicPublish("ttlh-dl-again-x", "other-key", dead.getProps(), dead.getBody());
        dead = rejectAndCollect("ttlh-dl-again", "ttlh-dl-again-sink");
        List<Map<String, Object>> deaths = deaths(dead);
        assertEquals(1, deaths.size());
        assertDeath(deaths.get(0), "ttlh-dl-again", "rejected", 2, List.of("ttlh-dl-again"));
        assertEquals(firstTime, deaths.get(0).get("time"));
    }

    @Test
    void aRetryLoopThroughATtlQueueCountsEveryRoundInBothDeathsAndKeepsTheFirstDeath() throws Exception {
        declare("ttlh-dl-jobs", deadLetterTo("ttlh-dl-retry"));
        declare("ttlh-dl-retry", deadLetterTo("ttlh-dl-jobs", "x-message-ttl", 50));
        publish(channel, "ttlh-dl-jobs", "job");
        for (int round = 0; round < 3; round++) {
            GetResponse got = Queues.awaitGet(channel, "ttlh-dl-jobs", false);
            channel.basicReject(got.getEnvelope().getDeliveryTag(), false);
        }
        GetResponse back = awaitGet(channel, "ttlh-dl-jobs");
        List<Map<String, Object>> deaths = deaths(back);
        assertEquals(2, deaths.size());
        assertDeath(deaths.get(0), "ttlh-dl-retry", "expired", 3, List.of("ttlh-dl-retry"));
        assertDeath(deaths.get(1), "ttlh-dl-jobs", "rejected", 3, List.of("ttlh-dl-jobs"));
        assertFirstDeath(back, "ttlh-dl-jobs", "rejected");
        assertLastDeath(back, "ttlh-dl-retry", "expired");
    }

    @Test
    void aRejectedMessageWhoseDeadLetterExchangeIsTheDefaultOneWithoutAKeyComesBackToItsOwnQueue() throws Exception {
        declare("ttlh-dl-home", Map.of("x-dead-letter-exchange", ""));
        publish(channel, "ttlh-dl-home", "m");
        GetResponse got = Queues.awaitGet(channel, "ttlh-dl-home", false);
        channel.basicReject(got.getEnvelope().getDeliveryTag(), false);
        GetResponse back = Queues.awaitGet(channel, "ttlh-dl-home", false);
        assertEquals("ttlh-dl-home", back.getEnvelope().getRoutingKey());
        assertFalse(back.getEnvelope().isRedeliver(), "a new message, not a redelivery");
        assertDeath(deaths(back).get(0), "ttlh-dl-home", "rejected", 1, List.of("ttlh-dl-home"));
        channel.basicReject(back.getEnvelope().getDeliveryTag(), false);
        back = awaitGet(channel, "ttlh-dl-home");
        assertEquals(1, deaths(back).size());
        assertDeath(deaths(back).get(0), "ttlh-dl-home", "rejected", 2, List.of("ttlh-dl-home"));
    }

    @Test
    void onlyTheCopyThatWouldReturnToTheQueueItExpiredInIsDroppedOtherDestinationsGetIt() throws Exception {
        channel.exchangeDeclare("ttlh-dl-fan", "fanout", false, true, null);
        declare("ttlh-dl-loop", Map.of("x-dead-letter-exchange", "ttlh-dl-fan", "x-message-ttl", 50));
        declare("ttlh-dl-watch", null);
        channel.queueBind("ttlh-dl-loop", "ttlh-dl-fan", "");
        channel.queueBind("ttlh-dl-watch", "ttlh-dl-fan", "");
        channel.confirmSelect();
        publish(channel, "ttlh-dl-loop", "once");
        channel.waitForConfirmsOrDie(5_000);
        awaitCount(channel, "ttlh-dl-watch", 1);
        long seen = System.nanoTime();
        // a copy let back into the loop would expire again every 50 ms and reach the watcher each time
        BrokerFixture.await("ten TTLs", 5_000, () -> System.nanoTime() - seen > 500_000_000L);
        assertEquals(1, Queues.count(channel, "ttlh-dl-watch"));
        assertEquals(0, Queues.count(channel, "ttlh-dl-loop"));
        assertDeath(deaths(awaitGet(channel, "ttlh-dl-watch")).get(0), "ttlh-dl-loop", "expired", 1, List.of("ttlh-dl-loop"));
    }

    @Test
    void aHeadPushedOutByTheLengthLimitIsNotLetBackIntoItsQueue() throws Exception {
        channel.exchangeDeclare("ttlh-dl-fan-len", "fanout", false, true, null);
        declare("ttlh-dl-len-loop", Map.of("x-dead-letter-exchange", "ttlh-dl-fan-len", "x-max-length", 1));
        declare("ttlh-dl-len-watch", null);
        channel.queueBind("ttlh-dl-len-loop", "ttlh-dl-fan-len", "");
        channel.queueBind("ttlh-dl-len-watch", "ttlh-dl-fan-len", "");
        channel.confirmSelect();
        publish(channel, "ttlh-dl-len-loop", "m1");
        publish(channel, "ttlh-dl-len-loop", "m2");
        channel.waitForConfirmsOrDie(5_000);
        GetResponse watched = awaitGet(channel, "ttlh-dl-len-watch");
        assertEquals("m1", body(watched));
        assertDeath(deaths(watched).get(0), "ttlh-dl-len-loop", "maxlen", 1, List.of("ttlh-dl-len-loop"));
        GetResponse kept = channel.basicGet("ttlh-dl-len-loop", true);
        assertEquals("m2", body(kept));
        assertNull(kept.getProps().getHeaders(), "the newer message never died");
        assertNull(channel.basicGet("ttlh-dl-len-watch", true), "m2 was not pushed out by m1 coming back");
    }

    @Test
    void purgedMessagesAreNotDeadLettered() throws Exception {
        declare("ttlh-dl-purge-sink", null);
        declare("ttlh-dl-purged", deadLetterTo("ttlh-dl-purge-sink"));
        channel.confirmSelect();
        publish(channel, "ttlh-dl-purged", "purged-1");
        publish(channel, "ttlh-dl-purged", "purged-2");
        channel.waitForConfirmsOrDie(5_000);
        assertEquals(2, channel.queuePurge("ttlh-dl-purged").getMessageCount());
        publish(channel, "ttlh-dl-purged", "marker");
        // dead letters of one queue arrive in order: had the purge dead-lettered, those would come first
        GetResponse first = rejectAndCollect("ttlh-dl-purged", "ttlh-dl-purge-sink");
        assertEquals("marker", body(first));
        assertNull(channel.basicGet("ttlh-dl-purge-sink", true));
    }
}
