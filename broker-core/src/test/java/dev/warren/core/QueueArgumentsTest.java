package dev.warren.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class QueueArgumentsTest {
    private static final String Q = "queue 'q' in vhost '/'";

    private static String refusal(Map<String, Object> arguments) {
        AmqpException e = assertThrows(AmqpException.class, () -> QueueArguments.parse(arguments, Q));
        assertEquals(ReplyCode.PRECONDITION_FAILED, e.replyCode());
        return e.replyText().substring("PRECONDITION_FAILED - ".length());
    }

    @Test
    void readsEveryLifecycleArgumentFromAnyIntegerType() {
        QueueArguments a = QueueArguments.parse(Map.of("x-message-ttl", (byte) 5, "x-expires", (short) 1000,
                "x-max-length", 10, "x-max-length-bytes", 100L, "x-overflow", "reject-publish-dlx",
                "x-dead-letter-exchange", "dlx", "x-dead-letter-routing-key", "dead", "x-max-priority", 10,
                "x-delivery-limit", 3, "x-consumer-timeout", 60_000L), Q);
        assertEquals(new QueueArguments(5, 1000, 10, 100, QueueArguments.Overflow.REJECT_PUBLISH_DLX, "dlx", "dead", 10, 3, false,
                60_000), a);
    }

    @Test
    void refusesBadValuesNamingTheArgumentTheQueueAndTheValueAsRabbitMqDoes() {
        assertEquals("invalid arg 'x-message-ttl' for queue 'q' in vhost '/': {value_negative,-1}",
                refusal(Map.of("x-message-ttl", -1)));
        assertEquals("invalid arg 'x-message-ttl' for queue 'q' in vhost '/': \"expected integer, got longstr\"",
                refusal(Map.of("x-message-ttl", "abc")));
        assertEquals("invalid arg 'x-expires' for queue 'q' in vhost '/': {value_zero,0}",
                refusal(Map.of("x-expires", 0)));
        assertEquals("invalid arg 'x-max-priority' for queue 'q' in vhost '/': {max_value_exceeded,256}",
                refusal(Map.of("x-max-priority", 256)));
        assertEquals("invalid arg 'x-overflow' for queue 'q' in vhost '/': invalid_overflow",
                refusal(Map.of("x-overflow", "bogus")));
        assertEquals("invalid type 'signedint' for arg 'x-dead-letter-exchange' in queue 'q' in vhost '/'",
                refusal(Map.of("x-dead-letter-exchange", 5)));
        assertEquals("invalid arg 'x-dead-letter-routing-key' for queue 'q' in vhost '/': routing_key_but_no_dlx_defined",
                refusal(Map.of("x-dead-letter-routing-key", "k")));
    }

    @Test
    void aConsumerTimeoutIsAPositiveIntegerOfMilliseconds() {
        assertEquals(1, QueueArguments.parse(Map.of("x-consumer-timeout", (byte) 1), Q).consumerTimeout());
        assertEquals(QueueArguments.NONE, QueueArguments.parse(Map.of("x-max-length", 1), Q).consumerTimeout());
        assertEquals("invalid arg 'x-consumer-timeout' for queue 'q' in vhost '/': {value_zero,0}",
                refusal(Map.of("x-consumer-timeout", 0)));
        assertEquals("invalid arg 'x-consumer-timeout' for queue 'q' in vhost '/': {value_negative,-1000}",
                refusal(Map.of("x-consumer-timeout", -1000L)));
        assertEquals("invalid arg 'x-consumer-timeout' for queue 'q' in vhost '/': \"expected integer, got longstr\"",
                refusal(Map.of("x-consumer-timeout", "30m")));
    }
}
