package dev.warren.amqp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Every capability connection.start advertises is exercised by a named test with a real client, and every
 * capability with such a test is advertised: adding a capability to {@link ServerProperties} without a test
 * that uses it (or dropping one) fails here.
 */
class CapabilitiesCoverageTest {
    private static final String IT = "dev.warren.amqp.it.";

    /** Capability → the test ("Class#method" under dev.warren.amqp.it) that uses it through the Java client. */
    private static final Map<String, String> EXERCISED_BY = Map.of(
            "publisher_confirms", "ConfirmsIT#everyPublishIsConfirmedWhetherRoutedToOneQueueManyOrNone",
            "exchange_exchange_bindings", "ExchangeIT#exchangeToExchangeBindingRoutesFromFanoutThroughTopicToQueue",
            "basic.nack", "AcknowledgementsIT#singleNackWithRequeueRedeliversOnlyThatMessageMarkedRedelivered",
            "consumer_cancel_notify", "ServerCancelIT#clientWithConsumerCancelNotifyGetsBasicCancelWithNowait",
            "connection.blocked", "ConnectionBlockedIT#aPublishingConnectionIsToldItIsBlockedAndThenUnblocked",
            "authentication_failure_close", "HandshakeIT#amqplainLoginWithWrongPasswordIsRefused",
            "per_consumer_qos", "PrefetchIT#perConsumerPrefetchLimitsUnackedDeliveriesUntilTheConsumerAcks",
            "direct_reply_to", "DirectReplyToIT#theJavaClientsRpcClientGetsItsRepliesThroughTheReplyToPseudoQueue",
            "consumer_priorities", "ConsumerPriorityIT#theHigherPriorityConsumerGetsEverythingWhileItHasCredit");

    @Test
    void theAdvertisedCapabilitiesAreExactlyThoseATestExercises() {
        Map<?, ?> advertised = (Map<?, ?>) ServerProperties.table().get("capabilities");
        assertEquals(new TreeMap<>(EXERCISED_BY).keySet(), new TreeMap<>(advertised).keySet());
    }

    @Test
    void eachNamedTestExistsAndIsATest() throws Exception {
        for (Map.Entry<String, String> entry : EXERCISED_BY.entrySet()) {
            String[] classAndMethod = entry.getValue().split("#");
            Method method = Class.forName(IT + classAndMethod[0]).getDeclaredMethod(classAndMethod[1]);
            assertNotNull(method.getAnnotation(Test.class), entry.getKey() + ": " + entry.getValue() + " is not a @Test");
        }
    }
}
