package dev.warren.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.core.QueueArguments;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PoliciesTest {
    private static Policy policy(String name, String pattern, ApplyTo applyTo, int priority, Map<String, Object> definition) {
        return Policy.of(PolicyLayer.POLICY, name, pattern, applyTo, priority, definition);
    }

    @Test
    void theMatchingPolicyWithTheHighestPriorityApplies() {
        Policies policies = new Policies();
        policies.put(PolicyLayer.POLICY, policy("low", "^orders", ApplyTo.ALL, 1, Map.of("max-length", 5)));
        policies.put(PolicyLayer.POLICY, policy("high", "orders\\.eu", ApplyTo.QUEUES, 7, Map.of("max-length", 2)));

        assertEquals("high", policies.match(PolicyLayer.POLICY, true, "orders.eu.1").name());
        assertEquals("low", policies.match(PolicyLayer.POLICY, true, "orders.us.1").name());
        assertEquals("low", policies.match(PolicyLayer.POLICY, false, "orders.eu.1").name(), "high applies to queues only");
        assertNull(policies.match(PolicyLayer.POLICY, true, "payments"));
        assertNull(policies.match(PolicyLayer.OPERATOR, true, "orders.eu.1"), "the layers are apart");
    }

    @Test
    void thePatternIsFoundAnywhereInTheNameAsRabbitMqRunsIt() {
        assertTrue(policy("p", "eu", ApplyTo.ALL, 0, Map.of("max-length", 1)).matches(true, "orders.eu.1"));
    }

    @Test
    void equalPrioritiesGoToTheFirstNameSoTheChoiceIsStable() {
        Policies policies = new Policies();
        policies.put(PolicyLayer.POLICY, policy("b", ".*", ApplyTo.ALL, 0, Map.of("max-length", 1)));
        policies.put(PolicyLayer.POLICY, policy("a", ".*", ApplyTo.ALL, 0, Map.of("max-length", 2)));
        assertEquals("a", policies.match(PolicyLayer.POLICY, true, "q").name());
    }

    @Test
    void theEffectiveDefinitionTakesTheLowerValueWherePolicyAndOperatorPolicyBothGiveOne() {
        Policy policy = policy("p", ".*", ApplyTo.ALL, 0, Map.of("max-length", 10, "message-ttl", 60_000, "dead-letter-exchange", "dlx"));
        Policy operator = Policy.of(PolicyLayer.OPERATOR, "op", ".*", ApplyTo.QUEUES, 0,
                Map.of("max-length", 100, "message-ttl", 5_000, "expires", 9_000));
        assertEquals(Map.of("max-length", 10, "message-ttl", 5_000, "expires", 9_000, "dead-letter-exchange", "dlx"),
                Policies.effective(policy, operator));
        assertEquals(Map.of("expires", 9_000, "max-length", 100, "message-ttl", 5_000), Policies.effective(null, operator));
    }

    @Test
    void argumentsAndPolicyResolveAsRabbitMqsTable() {
        QueueArguments declared = QueueArguments.parse(Map.of("x-max-length", 5L, "x-message-ttl", 1_000L,
                "x-dead-letter-exchange", "own-dlx"), "queue 'q' in vhost '/'");
        QueueArguments effective = declared.withPolicy(Map.of("max-length", 3, "message-ttl", 9_000, "expires", 60_000,
                "dead-letter-exchange", "policy-dlx", "dead-letter-routing-key", "policy-key", "overflow", "reject-publish",
                "delivery-limit", 4, "consumer-timeout", 30_000), Map.of("x-max-length", 5L));

        assertEquals(3, effective.maxLength(), "the lower limit");
        assertEquals(1_000, effective.messageTtl(), "the lower TTL");
        assertEquals(60_000, effective.expires(), "the policy's, where the queue has none");
        assertEquals("own-dlx", effective.deadLetterExchange(), "the queue's own dead-letter exchange wins");
        assertEquals("policy-key", effective.deadLetterRoutingKey(), "each key on its own");
        assertEquals(QueueArguments.Overflow.REJECT_PUBLISH, effective.overflow());
        assertEquals(4, effective.deliveryLimit());
        assertEquals(30_000, effective.consumerTimeout());

        QueueArguments ownOverflow = QueueArguments.parse(Map.of("x-overflow", "drop-head"), "queue 'q' in vhost '/'")
                .withPolicy(Map.of("overflow", "reject-publish"), Map.of("x-overflow", "drop-head"));
        assertEquals(QueueArguments.Overflow.DROP_HEAD, ownOverflow.overflow(), "the queue's own overflow wins");
        assertEquals(declared, declared.withPolicy(Map.of(), Map.of()));
    }

    @Test
    void badPoliciesAreRefusedInRabbitMqsWords() {
        assertEquals("<<\"x\">> is not a valid message TTL", refusal(PolicyLayer.POLICY, Map.of("message-ttl", "x")));
        assertEquals("-1 is not a valid maximum length", refusal(PolicyLayer.POLICY, Map.of("max-length", -1)));
        assertEquals("1.5 is not a valid maximum length in bytes", refusal(PolicyLayer.POLICY, Map.of("max-length-bytes", 1.5)));
        assertEquals("0 is not a valid queue expiry", refusal(PolicyLayer.POLICY, Map.of("expires", 0)));
        assertEquals("1 is not a valid dead letter exchange name", refusal(PolicyLayer.POLICY, Map.of("dead-letter-exchange", 1)));
        assertEquals("true is not a valid delivery limit", refusal(PolicyLayer.POLICY, Map.of("delivery-limit", true)));
        assertEquals("<<\"x\">> is not a valid queue-mode value", refusal(PolicyLayer.POLICY, Map.of("queue-mode", "x")));
        assertEquals("no policy provided", refusal(PolicyLayer.POLICY, Map.of()));
        assertEquals("[{<<\"bar\">>,true},{<<\"foo\">>,[1]}] are not recognised policy settings",
                refusal(PolicyLayer.POLICY, Map.of("foo", java.util.List.of(1), "bar", true)));
        assertEquals("[{<<\"overflow\">>,<<\"drop-head\">>}] are not recognised policy settings",
                refusal(PolicyLayer.OPERATOR, Map.of("overflow", "drop-head")), "operator policies carry limits only");
        InvalidPolicyException pattern = assertThrows(InvalidPolicyException.class,
                () -> Policy.of(PolicyLayer.POLICY, "p", "(", ApplyTo.ALL, 0, Map.of("max-length", 1)));
        assertTrue(pattern.getMessage().startsWith("pattern should be regular expression but is invalid: "), pattern.getMessage());
        assertEquals("apply-to 'bad' unrecognised; should be 'queues', 'classic_queues', 'exchanges' or 'all'",
                assertThrows(InvalidPolicyException.class, () -> ApplyTo.named("bad")).getMessage());
    }

    @Test
    void keysWarrenHasNoUseForAreAcceptedAndChecked() {
        Policy mirrored = policy("ha", ".*", ApplyTo.ALL, 0, Map.of("ha-mode", "all", "queue-mode", "lazy", "queue-version", 2));
        assertEquals(3, mirrored.definition().size());
        assertEquals("<<\"some\">> is not a valid ha-mode value", refusal(PolicyLayer.POLICY, Map.of("ha-mode", "some")));
    }

    private static String refusal(PolicyLayer layer, Map<String, Object> definition) {
        return assertThrows(InvalidPolicyException.class, () -> PolicyDefinition.validate(definition, layer)).getMessage();
    }
}
