package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Bad lifecycle arguments and expirations are refused with RabbitMQ's 406 texts; only the channel closes. */
@Timeout(60)
class QueueArgumentsIT extends LifecycleITBase {

    private String refusal(Map<String, Object> arguments) throws Exception {
        Channel fresh = connection.createChannel();
        IOException error = assertThrows(IOException.class, () -> fresh.queueDeclare("args.q", false, false, true, arguments));
        AMQP.Channel.Close close = (AMQP.Channel.Close) ((ShutdownSignalException) error.getCause()).getReason();
        assertEquals(406, close.getReplyCode());
        assertTrue(connection.isOpen(), "the connection carries on");
        return close.getReplyText();
    }

    @Test
    void badValuesAreRefusedNamingTheArgumentTheQueueAndTheValue() throws Exception {
        String prefix = "PRECONDITION_FAILED - invalid arg ";
        assertEquals(prefix + "'x-message-ttl' for queue 'args.q' in vhost '/': {value_negative,-1}",
                refusal(Map.of("x-message-ttl", -1)));
        assertEquals(prefix + "'x-message-ttl' for queue 'args.q' in vhost '/': \"expected integer, got longstr\"",
                refusal(Map.of("x-message-ttl", "abc")));
        assertEquals(prefix + "'x-expires' for queue 'args.q' in vhost '/': {value_zero,0}",
                refusal(Map.of("x-expires", 0)));
        assertEquals(prefix + "'x-max-length' for queue 'args.q' in vhost '/': {value_negative,-1}",
                refusal(Map.of("x-max-length", -1)));
        assertEquals(prefix + "'x-max-length-bytes' for queue 'args.q' in vhost '/': \"expected integer, got double\"",
                refusal(Map.of("x-max-length-bytes", 1.5)));
        assertEquals(prefix + "'x-overflow' for queue 'args.q' in vhost '/': invalid_overflow",
                refusal(Map.of("x-overflow", "bogus")));
        assertEquals(prefix + "'x-dead-letter-routing-key' for queue 'args.q' in vhost '/': routing_key_but_no_dlx_defined",
                refusal(Map.of("x-dead-letter-routing-key", "k")));
        assertEquals("PRECONDITION_FAILED - invalid type 'signedint' for arg 'x-dead-letter-exchange' in queue 'args.q' in vhost '/'",
                refusal(Map.of("x-dead-letter-exchange", 5)));
    }

    @Test
    void aMalformedExpirationIsRefusedAtPublish() throws Exception {
        for (String[] bad : new String[][] {{"abc", "no_integer"}, {"-1", "{value_negative,-1}"},
                {"12abc", "{leftover_string,\"abc\"}"}}) {
            Channel fresh = connection.createChannel();
            fresh.basicPublish("", "args.none", new AMQP.BasicProperties.Builder().expiration(bad[0]).build(), new byte[0]);
            assertEquals("PRECONDITION_FAILED - invalid expiration '" + bad[0] + "': " + bad[1], Queues.closeReplyText(fresh));
        }
        assertTrue(connection.isOpen());
    }

    @Test
    void redeclaringWithAnotherLimitIsInequivalent() throws Exception {
        channel.queueDeclare("args.limited", false, false, true, Map.of("x-max-length", 10));
        channel.queueDeclare("args.limited", false, false, true, Map.of("x-max-length", 10L)); // same value
        Channel fresh = connection.createChannel();
        IOException error = assertThrows(IOException.class,
                () -> fresh.queueDeclare("args.limited", false, false, true, Map.of("x-max-length", 11)));
        assertTrue(error.getCause().getMessage().contains("inequivalent arg 'x-max-length'"));
    }

    @Test
    void wrongTypesAndOutOfRangeValuesOfEachLifecycleArgumentAreRefusedWithRabbitMqsReason() throws Exception {
        Object[][] cases = {
            {"x-message-ttl", 1.5, "\"expected integer, got double\""},
            {"x-expires", -5, "{value_negative,-5}"},
            {"x-expires", "1000", "\"expected integer, got longstr\""},
            {"x-max-length", "abc", "\"expected integer, got longstr\""},
            {"x-max-length-bytes", -1, "{value_negative,-1}"},
            {"x-overflow", 5, "{unacceptable_type,signedint}"},
            {"x-max-priority", -1, "{value_negative,-1}"},
            {"x-max-priority", "x", "\"expected integer, got longstr\""},
            {"x-max-priority", 256, "{max_value_exceeded,256}"},
            {"x-dead-letter-routing-key", 5, "{unacceptable_type,signedint}"},
        };
        for (Object[] bad : cases) {
            String argument = (String) bad[0];
            assertEquals("PRECONDITION_FAILED - invalid arg '" + argument + "' for queue 'args.q' in vhost '/': " + bad[2],
                    refusal(Map.of(argument, bad[1])));
        }
    }

    @Test
    void whenSeveralArgumentsAreBadTheOneCheckedFirstIsReportedWhateverTheirOrderInTheTable() throws Exception {
        // RabbitMQ 3.10's order, each with a bad value; every adjacent pair is sent both ways round
        Object[][] inOrder = {
            {"x-dead-letter-exchange", 5}, {"x-expires", 0}, {"x-message-ttl", -1}, {"x-dead-letter-routing-key", 5},
            {"x-max-length", -1}, {"x-max-length-bytes", -1}, {"x-max-priority", -1}, {"x-overflow", "bogus"},
        };
        for (int i = 0; i + 1 < inOrder.length; i++) {
            Object[] first = inOrder[i];
            Object[] second = inOrder[i + 1];
            for (boolean reversed : new boolean[] {false, true}) {
                Map<String, Object> arguments = new LinkedHashMap<>(); // the client keeps this order on the wire
                for (Object[] argument : reversed ? new Object[][] {second, first} : new Object[][] {first, second}) {
                    arguments.put((String) argument[0], argument[1]);
                }
                String text = refusal(arguments);
                assertTrue(text.contains(" arg '" + first[0] + "' "), arguments + " -> " + text);
            }
        }
    }

    @Test
    void aMaxPriorityOfZeroOrOf255IsAccepted() throws Exception {
        for (int priority : new int[] {0, 255}) {
            channel.queueDeclare("ttlh-args-priority", false, false, false, Map.of("x-max-priority", priority));
            channel.queueDelete("ttlh-args-priority");
        }
        assertTrue(channel.isOpen());
    }

    @Test
    void moreMalformedExpirationsAreRefusedAtPublishEvenWhenTheMessageRoutesNowhere() throws Exception {
        for (String[] bad : new String[][] {{"", "no_integer"}, {" 10", "no_integer"}, {"1.5", "{leftover_string,\".5\"}"}}) {
            Channel fresh = connection.createChannel();
            fresh.basicPublish("", "args.nowhere", new AMQP.BasicProperties.Builder().expiration(bad[0]).build(), new byte[0]);
            assertEquals("PRECONDITION_FAILED - invalid expiration '" + bad[0] + "': " + bad[1], Queues.closeReplyText(fresh));
            AMQP.Channel.Close close = (AMQP.Channel.Close) fresh.getCloseReason().getReason();
            assertEquals(406, close.getReplyCode());
            assertEquals(60, close.getClassId(), "refused as basic.publish");
            assertEquals(40, close.getMethodId());
        }
        assertTrue(connection.isOpen());
    }

    @Test
    void aTtlOrExpiryLongerThanTenYearsIsRefusedAsTooLarge() throws Exception {
        long tenYears = 315_360_000_000L; // 10 × 365 days in milliseconds, RabbitMQ's ceiling
        for (String argument : new String[] {"x-message-ttl", "x-expires"}) {
            assertEquals("PRECONDITION_FAILED - invalid arg '" + argument + "' for queue 'args.q' in vhost '/': {value_too_large,"
                    + (tenYears + 1) + "}", refusal(Map.of(argument, tenYears + 1)));
            channel.queueDeclare("ttlh-args-ten-years", false, false, false, Map.of(argument, tenYears));
            channel.queueDelete("ttlh-args-ten-years");
        }

        Channel publisher = connection.createChannel();
        publisher.basicPublish("", "args.nowhere", Queues.expiration(String.valueOf(tenYears)), new byte[0]);
        publisher.basicPublish("", "args.nowhere", Queues.expiration(String.valueOf(tenYears + 1)), new byte[0]);
        assertEquals("PRECONDITION_FAILED - invalid expiration '315360000001': {value_too_large,315360000001}",
                Queues.closeReplyText(publisher), "only the second publish is refused");
        assertTrue(connection.isOpen());
    }

    @Test
    void badLimitExpiryAndPriorityValuesAreRefusedInRabbitMqsWords() throws Exception {
        String prefix = "PRECONDITION_FAILED - invalid arg ";
        assertEquals(prefix + "'x-max-length' for queue 'args.q' in vhost '/': \"expected integer, got longstr\"",
                refusal(Map.of("x-max-length", "abc")));
        assertEquals(prefix + "'x-max-length-bytes' for queue 'args.q' in vhost '/': {value_negative,-1}",
                refusal(Map.of("x-max-length-bytes", -1)));
        assertEquals(prefix + "'x-overflow' for queue 'args.q' in vhost '/': {unacceptable_type,signedint}",
                refusal(Map.of("x-overflow", 5)));
        assertEquals(prefix + "'x-expires' for queue 'args.q' in vhost '/': {value_negative,-1}",
                refusal(Map.of("x-expires", -1)));
        assertEquals(prefix + "'x-expires' for queue 'args.q' in vhost '/': \"expected integer, got longstr\"",
                refusal(Map.of("x-expires", "abc")));
        assertEquals(prefix + "'x-max-priority' for queue 'args.q' in vhost '/': {value_negative,-1}",
                refusal(Map.of("x-max-priority", -1)));
        assertEquals(prefix + "'x-max-priority' for queue 'args.q' in vhost '/': {max_value_exceeded,256}",
                refusal(Map.of("x-max-priority", 256)));
        assertEquals(prefix + "'x-max-priority' for queue 'args.q' in vhost '/': \"expected integer, got longstr\"",
                refusal(Map.of("x-max-priority", "abc")));
    }

    @Test
    void theEdgesOfThePriorityRangeAreAccepted() throws Exception {
        for (int max : new int[] {0, 255}) {
            channel.queueDeclare("args.prio-" + max, false, false, true, Map.of("x-max-priority", max));
            channel.queueDelete("args.prio-" + max);
        }
        assertTrue(channel.isOpen());
    }

    @Test
    void aNegativeDeliveryLimitIsRefusedNamingTheArgumentAndTheQueue() throws Exception {
        // RabbitMQ 3.10 refuses x-delivery-limit on classic queues whatever its value (and checks nothing on quorum
        // queues), so only the start of the text is its own; Warren takes it on every queue and refuses a negative one
        String text = refusal(Map.of("x-delivery-limit", -1));
        assertTrue(text.startsWith("PRECONDITION_FAILED - invalid arg 'x-delivery-limit' for queue 'args.q' in vhost '/'"), text);
    }

    private String inequivalence(Map<String, Object> declared, Map<String, Object> redeclared) throws Exception {
        channel.queueDelete("args.eq");
        channel.queueDeclare("args.eq", false, false, false, declared);
        Channel fresh = connection.createChannel();
        IOException error = assertThrows(IOException.class, () -> fresh.queueDeclare("args.eq", false, false, false, redeclared));
        AMQP.Channel.Close close = (AMQP.Channel.Close) ((ShutdownSignalException) error.getCause()).getReason();
        assertEquals(406, close.getReplyCode());
        channel.queueDelete("args.eq");
        return close.getReplyText();
    }

    @Test
    void anArgumentAddedOrLeftOutOnRedeclareIsInequivalentEvenAtItsDefaultNamingValueAndType() throws Exception {
        String prefix = "PRECONDITION_FAILED - inequivalent arg ";
        assertEquals(prefix + "'x-overflow' for queue 'args.eq' in vhost '/': received the value 'drop-head' of type 'longstr' "
                + "but current is none", inequivalence(Map.of("x-max-length", 1), Map.of("x-max-length", 1, "x-overflow", "drop-head")));
        assertEquals(prefix + "'x-overflow' for queue 'args.eq' in vhost '/': received none but current is the value 'drop-head' "
                + "of type 'longstr'", inequivalence(Map.of("x-max-length", 1, "x-overflow", "drop-head"), Map.of("x-max-length", 1)));
        assertEquals(prefix + "'x-max-priority' for queue 'args.eq' in vhost '/': received the value '5' of type 'signedint' "
                + "but current is none", inequivalence(Map.of(), Map.of("x-max-priority", 5)));
        assertEquals(prefix + "'x-overflow' for queue 'args.eq' in vhost '/': received 'reject-publish' but current is 'drop-head'",
                inequivalence(Map.of("x-overflow", "drop-head"), Map.of("x-overflow", "reject-publish")));
        assertEquals(prefix + "'x-expires' for queue 'args.eq' in vhost '/': received '200000' but current is '100000'",
                inequivalence(Map.of("x-expires", 100_000), Map.of("x-expires", 200_000)));
    }
}
