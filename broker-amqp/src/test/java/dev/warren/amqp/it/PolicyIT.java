package dev.warren.amqp.it;

import static dev.warren.amqp.it.Queues.awaitCount;
import static dev.warren.amqp.it.Queues.awaitGet;
import static dev.warren.amqp.it.Queues.body;
import static dev.warren.amqp.it.Queues.drain;
import static dev.warren.amqp.it.Queues.publish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import com.rabbitmq.client.ShutdownSignalException;
import dev.warren.core.policy.PolicyLayer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Policies and operator policies on live queues and exchanges, as RabbitMQ applies them: each honoured key
 * set, changed and cleared while the queue holds messages; the highest priority wins; for limits the lower
 * of argument, policy and operator policy wins, and the queue's own dead-letter and overflow arguments beat
 * a policy's. Runs against RabbitMQ 3.10 too ({@code -Dwarren.it.port=5672}, management on 15672), except
 * where Warren does more than 3.10 (a shortened TTL expiring messages already queued, delivery-limit on
 * classic queues, consumer-timeout).
 */
@Timeout(60)
class PolicyIT extends LifecycleITBase {
    private final PolicySetter policies = new PolicySetter(broker);
    private final List<Map.Entry<PolicyLayer, String>> setHere = new ArrayList<>();

    @AfterEach
    void clearPolicies() throws Exception {
        for (Map.Entry<PolicyLayer, String> p : setHere) {
            policies.clear(p.getKey(), p.getValue());
        }
    }

    private void policy(String name, String pattern, Map<String, Object> definition) throws Exception {
        policy(PolicyLayer.POLICY, name, pattern, 0, "all", definition);
    }

    private void policy(PolicyLayer layer, String name, String pattern, int priority, String applyTo,
                        Map<String, Object> definition) throws Exception {
        setHere.add(Map.entry(layer, name));
        policies.set(layer, name, pattern, priority, applyTo, definition);
    }

    private void publishNumbered(String queue, int from, int to) throws IOException {
        for (int i = from; i < to; i++) {
            publish(channel, queue, "m" + i);
        }
    }

    @Test
    void aMaxLengthPolicyTrimsALiveQueueAtOnceAChangeTrimsAgainAndClearingItLetsTheQueueGrow() throws Exception {
        declare("pol.ml", null);
        publishNumbered("pol.ml", 0, 10);
        awaitCount(channel, "pol.ml", 10);

        policy("pol-ml", "^pol\\.ml$", Map.of("max-length", 3));
        awaitCount(channel, "pol.ml", 3);
        policy("pol-ml", "^pol\\.ml$", Map.of("max-length", 1));
        awaitCount(channel, "pol.ml", 1);
        assertEquals(List.of("m9"), drain(channel, "pol.ml"), "the oldest went first");

        policies.clear("pol-ml");
        publishNumbered("pol.ml", 0, 5);
        awaitCount(channel, "pol.ml", 5);
    }

    @Test
    void aMaxLengthBytesPolicyTrimsByBodySizeAndClearingItLiftsTheLimit() throws Exception {
        declare("pol.mlb", null);
        for (int i = 0; i < 5; i++) {
            publish(channel, "pol.mlb", "ten bytes" + i);
        }
        awaitCount(channel, "pol.mlb", 5);

        policy("pol-mlb", "^pol\\.mlb$", Map.of("max-length-bytes", 25));
        awaitCount(channel, "pol.mlb", 2);
        policies.clear("pol-mlb");
        publish(channel, "pol.mlb", "ten bytes5");
        publish(channel, "pol.mlb", "ten bytes6");
        awaitCount(channel, "pol.mlb", 4);
    }

    @Test
    void anOverflowPolicyNacksPublishesToAFullQueueUntilItIsCleared() throws Exception {
        declare("pol.ovf", null);
        channel.confirmSelect();
        policy("pol-ovf", "^pol\\.ovf$", Map.of("max-length", 1, "overflow", "reject-publish"));
        publish(channel, "pol.ovf", "kept");
        assertTrue(channel.waitForConfirms(10_000));
        publish(channel, "pol.ovf", "refused");
        assertFalse(channel.waitForConfirms(10_000), "the full queue refused the publish");

        policies.clear("pol-ovf");
        publish(channel, "pol.ovf", "taken");
        assertTrue(channel.waitForConfirms(10_000));
        assertEquals(List.of("kept", "taken"), drain(channel, "pol.ovf"));
    }

    @Test
    void aShortenedTtlPolicyExpiresTheMessagesAlreadyPastItAndALongerOneKeepsThem() throws Exception {
        assumeTrue(BrokerFixture.againstWarren(), "RabbitMQ 3.10 keeps the expiry a message was queued with");
        declare("pol.ttl", null);
        policy("pol-ttl", "^pol\\.ttl$", Map.of("message-ttl", 3_600_000));
        publishNumbered("pol.ttl", 0, 3);
        awaitCount(channel, "pol.ttl", 3);

        policy("pol-ttl", "^pol\\.ttl$", Map.of("message-ttl", 1));
        awaitCount(channel, "pol.ttl", 0);
        assertEquals(3, broker.broker().vhost("/").queue("pol.ttl").expiredCount());

        policy("pol-ttl", "^pol\\.ttl$", Map.of("message-ttl", 3_600_000));
        publish(channel, "pol.ttl", "kept");
        policies.clear("pol-ttl");
        publish(channel, "pol.ttl", "kept too");
        assertEquals(List.of("kept", "kept too"), drain(channel, "pol.ttl"));
    }

    /** A durable queue keeps 2048 stored messages per lane in memory; the rest are paged out, and a policy reaches them too. */
    @Test
    void aLengthInBytesPolicyAndAShortenedTtlReachTheMessagesPagedOutOfMemory() throws Exception {
        channel.queueDelete("pol.paged");
        channel.queueDeclare("pol.paged", true, false, false, null);
        channel.confirmSelect();
        for (int i = 0; i < 6000; i++) {
            channel.basicPublish("", "pol.paged", MessageProperties.PERSISTENT_BASIC, String.format("%010d", i).getBytes());
        }
        channel.waitForConfirmsOrDie(30_000);
        awaitCount(channel, "pol.paged", 6000);

        policy("pol-paged", "^pol\\.paged$", Map.of("max-length-bytes", 100));
        awaitCount(channel, "pol.paged", 10);
        GetResponse head = awaitGet(channel, "pol.paged");
        assertEquals(String.format("%010d", 5990), body(head), "the oldest went first, read back from the store to be counted");

        if (BrokerFixture.againstWarren()) {
            policies.clear("pol-paged");
            for (int i = 0; i < 6000; i++) {
                channel.basicPublish("", "pol.paged", MessageProperties.PERSISTENT_BASIC, "x".getBytes());
            }
            channel.waitForConfirmsOrDie(30_000);
            awaitCount(channel, "pol.paged", 6009);
            policy("pol-paged", "^pol\\.paged$", Map.of("message-ttl", 1));
            awaitCount(channel, "pol.paged", 0);
        }
        channel.queueDelete("pol.paged");
    }

    @Test
    void aTtlPolicyExpiresNewMessagesAndClearingItKeepsThem() throws Exception {
        declare("pol.ttl-new", null);
        policy("pol-ttl-new", "^pol\\.ttl-new$", Map.of("message-ttl", 0));
        publish(channel, "pol.ttl-new", "gone");
        awaitCount(channel, "pol.ttl-new", 0);
        policies.clear("pol-ttl-new");
        publish(channel, "pol.ttl-new", "kept");
        assertEquals("kept", body(awaitGet(channel, "pol.ttl-new")));
    }

    @Test
    void aDeadLetterPolicyRoutesRejectedMessagesAChangeReroutesThemAndClearingItDropsThem() throws Exception {
        declare("pol.dlx", null);
        declare("pol.dlq", null);
        declare("pol.dlq2", null);
        publishNumbered("pol.dlx", 0, 4);
        awaitCount(channel, "pol.dlx", 4);

        policy("pol-dlx", "^pol\\.dlx$", Map.of("dead-letter-exchange", "", "dead-letter-routing-key", "pol.dlq"));
        reject("pol.dlx", "m0");
        assertEquals("m0", body(awaitGet(channel, "pol.dlq")));

        policy("pol-dlx", "^pol\\.dlx$", Map.of("dead-letter-exchange", "", "dead-letter-routing-key", "pol.dlq2"));
        reject("pol.dlx", "m1");
        awaitCount(channel, "pol.dlq2", 1);

        policies.clear("pol-dlx");
        reject("pol.dlx", "m2"); // dropped: no dead-letter exchange now
        // the queue takes this channel's reject of m2 before its get of m3, so m2 is settled when m3 is here
        GetResponse m3 = awaitGet(channel, "pol.dlx", false);
        assertEquals("m3", body(m3));
        policy("pol-dlx", "^pol\\.dlx$", Map.of("dead-letter-exchange", "", "dead-letter-routing-key", "pol.dlq2"));
        channel.basicReject(m3.getEnvelope().getDeliveryTag(), false);
        awaitCount(channel, "pol.dlq2", 2);
        // the queue dead-letters in order, so m2 would have reached pol.dlq2 before m3
        assertEquals(List.of("m1", "m3"), drain(channel, "pol.dlq2"));
        assertEquals(0, Queues.count(channel, "pol.dlq"));
    }

    private void reject(String queue, String expected) throws Exception {
        GetResponse got = awaitGet(channel, queue, false);
        assertEquals(expected, body(got));
        channel.basicReject(got.getEnvelope().getDeliveryTag(), false);
    }

    @Test
    void anExpiresPolicyDeletesAnUnusedQueueOnceShortened() throws Exception {
        declare("pol.exp", null);
        policy("pol-exp", "^pol\\.exp$", Map.of("expires", 3_600_000));
        assertTrue(policies.queueExists("pol.exp"));
        policy("pol-exp", "^pol\\.exp$", Map.of("expires", 200));
        BrokerFixture.await("pol.exp to expire", 10_000, () -> {
            try {
                return !policies.queueExists("pol.exp");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void aDeliveryLimitPolicyDropsAMessageRequeuedTooOftenAndClearingItLetsItComeBack() throws Exception {
        assumeTrue(BrokerFixture.againstWarren(), "RabbitMQ 3.10 has delivery-limit for quorum queues only");
        declare("pol.dl", null);
        publish(channel, "pol.dl", "poison");
        policy("pol-dl", "^pol\\.dl$", Map.of("delivery-limit", 1));
        requeue("pol.dl");
        requeue("pol.dl");
        awaitCount(channel, "pol.dl", 0);

        policies.clear("pol-dl");
        publish(channel, "pol.dl", "again");
        requeue("pol.dl");
        requeue("pol.dl");
        assertEquals("again", body(awaitGet(channel, "pol.dl")));
    }

    private void requeue(String queue) throws Exception {
        GetResponse got = awaitGet(channel, queue, false);
        channel.basicNack(got.getEnvelope().getDeliveryTag(), false, true);
    }

    @Test
    void anAlternateExchangePolicyTakesUnroutableMessagesUntilCleared() throws Exception {
        channel.exchangeDeclare("pol.x", "direct", false, true, null);
        channel.exchangeDeclare("pol.ae", "fanout", false, true, null);
        declare("pol.ae.q", null);
        channel.queueBind("pol.ae.q", "pol.ae", "");
        BlockingQueue<String> returned = new LinkedBlockingQueue<>();
        channel.addReturnListener(r -> returned.add(new String(r.getBody())));

        policy(PolicyLayer.POLICY, "pol-ae", "^pol\\.x$", 0, "exchanges", Map.of("alternate-exchange", "pol.ae"));
        channel.basicPublish("pol.x", "nowhere", true, null, "caught".getBytes());
        assertEquals("caught", body(awaitGet(channel, "pol.ae.q")));

        policies.clear("pol-ae");
        channel.basicPublish("pol.x", "nowhere", true, null, "returned".getBytes());
        assertEquals("returned", returned.poll(10, TimeUnit.SECONDS));
        channel.exchangeDelete("pol.x");
    }

    @Test
    void aConsumerTimeoutPolicyClosesTheChannelOfAConsumerThatDoesNotAck() throws Exception {
        assumeTrue(BrokerFixture.againstWarren(), "consumer-timeout policies came after RabbitMQ 3.10");
        declare("pol.ct", null);
        policy("pol-ct", "^pol\\.ct$", Map.of("consumer-timeout", 300));
        publish(channel, "pol.ct", "job");
        Channel worker = connection.createChannel();
        BlockingQueue<ShutdownSignalException> closed = new LinkedBlockingQueue<>();
        worker.addShutdownListener(closed::add);
        worker.basicConsume("pol.ct", false, (tag, delivery) -> { }, tag -> { });

        ShutdownSignalException signal = closed.poll(10, TimeUnit.SECONDS);
        assertNotNull(signal, "the channel was closed");
        AMQP.Channel.Close close = assertInstanceOf(AMQP.Channel.Close.class, signal.getReason());
        assertEquals(406, close.getReplyCode());
        assertTrue(close.getReplyText().contains("Timeout value used: 300 ms."), close.getReplyText());
    }

    @Test
    void ofTwoMatchingPoliciesTheHigherPriorityAppliesAndChangingPrioritiesSwitchesThem() throws Exception {
        declare("pol.prio", null);
        policy(PolicyLayer.POLICY, "pol-low", "^pol\\.prio", 1, "queues", Map.of("max-length", 5));
        policy(PolicyLayer.POLICY, "pol-high", "^pol\\.pr", 2, "queues", Map.of("max-length", 2));
        publishNumbered("pol.prio", 0, 10);
        awaitCount(channel, "pol.prio", 2);
        if (BrokerFixture.againstWarren()) {
            assertEquals("pol-high", broker.broker().vhost("/").queue("pol.prio").policies().policy().name());
        }

        policy(PolicyLayer.POLICY, "pol-high", "^pol\\.pr", 0, "queues", Map.of("max-length", 2));
        publishNumbered("pol.prio", 10, 20);
        awaitCount(channel, "pol.prio", 5);
    }

    @Test
    void aPolicyForExchangesDoesNotApplyToQueues() throws Exception {
        declare("pol.kind", null);
        policy(PolicyLayer.POLICY, "pol-kind", "^pol\\.kind$", 0, "exchanges", Map.of("max-length", 1));
        publishNumbered("pol.kind", 0, 3);
        awaitCount(channel, "pol.kind", 3);
    }

    @Test
    void forLimitsTheLowerOfArgumentAndPolicyWinsButTheQueuesOwnDeadLetterAndOverflowArgumentsBeatThePolicys()
            throws Exception {
        declare("pol.arg-lower", Map.of("x-max-length", 2));
        declare("pol.arg-higher", Map.of("x-max-length", 5, "x-overflow", "drop-head",
                "x-dead-letter-exchange", "", "x-dead-letter-routing-key", "pol.arg-dlq"));
        declare("pol.arg-dlq", null);
        declare("pol.pol-dlq", null);
        policy("pol-arg", "^pol\\.arg-(lower|higher)$", Map.of("max-length", 3, "overflow", "reject-publish",
                "dead-letter-exchange", "", "dead-letter-routing-key", "pol.pol-dlq"));
        publishNumbered("pol.arg-lower", 0, 10);
        publishNumbered("pol.arg-higher", 0, 10);

        awaitCount(channel, "pol.arg-lower", 2);
        awaitCount(channel, "pol.arg-higher", 3);
        // drop-head (the argument) dead-lettered the seven oldest to the argument's queue
        awaitCount(channel, "pol.arg-dlq", 7);
        assertEquals(0, Queues.count(channel, "pol.pol-dlq"));
        assertEquals(List.of("m7", "m8", "m9"), drain(channel, "pol.arg-higher"));
    }

    @Test
    void anOperatorPolicyCapsWhatThePolicyAndArgumentsAllowUntilItIsCleared() throws Exception {
        declare("pol.op", Map.of("x-max-length", 10));
        policy("pol-op-user", "^pol\\.op$", Map.of("max-length", 8));
        policy(PolicyLayer.OPERATOR, "pol-op", "^pol\\.op$", 0, "queues", Map.of("max-length", 3));
        publishNumbered("pol.op", 0, 10);
        awaitCount(channel, "pol.op", 3);
        if (BrokerFixture.againstWarren()) {
            var applied = broker.broker().vhost("/").queue("pol.op").policies();
            assertEquals("pol-op-user", applied.policy().name());
            assertEquals("pol-op", applied.operatorPolicy().name());
            assertEquals(Map.of("max-length", 3), applied.effective());
        }

        policies.clear(PolicyLayer.OPERATOR, "pol-op");
        publishNumbered("pol.op", 10, 20);
        awaitCount(channel, "pol.op", 8);
    }
}
