package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.MessageProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Confirm granularity as RabbitMQ sends it (checked against RabbitMQ 3.10.8 with -Dwarren.it.port): a publish
 * confirmed as it is handled — unroutable — gets its own basic.ack (multiple=false), after its basic.return;
 * confirms that complete later may be coalesced with multiple=true; either way no tag is confirmed twice and
 * every tag is confirmed.
 */
@Timeout(60)
class ConfirmGranularityIT extends LifecycleITBase {
    private static final int PUBLISHES = 200;

    private final List<String> events = new CopyOnWriteArrayList<>();

    private void listen() throws Exception {
        channel.confirmSelect();
        channel.addReturnListener(r -> events.add("return"));
        channel.addConfirmListener((tag, multiple) -> events.add("ack " + tag + (multiple ? " multiple" : "")),
                (tag, multiple) -> events.add("nack " + tag));
    }

    @Test
    void eachUnroutablePublishGetsItsOwnAck() throws Exception {
        listen();
        for (int i = 0; i < PUBLISHES; i++) {
            channel.basicPublish("", "granularity.nowhere", false, MessageProperties.BASIC, new byte[10]);
        }
        assertTrue(channel.waitForConfirms(10_000));
        BrokerFixture.await("an ack per publish", 5_000, () -> events.size() == PUBLISHES);
        for (int i = 0; i < PUBLISHES; i++) {
            assertEquals("ack " + (i + 1), events.get(i));
        }
    }

    @Test
    void eachUnroutableMandatoryPublishGetsItsReturnThenItsOwnAck() throws Exception {
        listen();
        for (int i = 0; i < PUBLISHES; i++) {
            channel.basicPublish("", "granularity.nowhere", true, MessageProperties.BASIC, new byte[10]);
        }
        assertTrue(channel.waitForConfirms(10_000));
        BrokerFixture.await("a return and an ack per publish", 5_000, () -> events.size() == 2 * PUBLISHES);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < PUBLISHES; i++) {
            expected.add("return");
            expected.add("ack " + (i + 1));
        }
        assertEquals(expected, events);
    }

    @Test
    void mixedRoutedAndUnroutablePublishesConfirmEveryTagExactlyOnce() throws Exception {
        declare("granularity.q", Map.of());
        channel.confirmSelect();
        ConcurrentSkipListSet<Long> outstanding = new ConcurrentSkipListSet<>();
        List<Long> confirmedTwice = new CopyOnWriteArrayList<>();
        List<Long> unroutableTags = new ArrayList<>();
        channel.addConfirmListener((tag, multiple) -> {
            if (multiple) {
                outstanding.headSet(tag, true).clear();
            } else if (!outstanding.remove(tag)) {
                confirmedTwice.add(tag);
            }
        }, (tag, multiple) -> confirmedTwice.add(-tag));
        List<String> singles = new CopyOnWriteArrayList<>();
        channel.addConfirmListener((tag, multiple) -> singles.add(tag + (multiple ? "m" : "")), (tag, multiple) -> { });
        for (int i = 0; i < PUBLISHES; i++) {
            boolean unroutable = i % 3 == 0;
            long tag = channel.getNextPublishSeqNo();
            outstanding.add(tag);
            if (unroutable) {
                unroutableTags.add(tag);
            }
            channel.basicPublish("", unroutable ? "granularity.nowhere" : "granularity.q", false,
                    MessageProperties.PERSISTENT_BASIC, new byte[10]);
        }
        assertTrue(channel.waitForConfirms(10_000));
        BrokerFixture.await("every tag confirmed", 5_000, outstanding::isEmpty);
        assertEquals(List.of(), confirmedTwice, "tags acked alone that came again, or nacks");
        for (long tag : unroutableTags) {
            assertTrue(singles.contains(String.valueOf(tag)) || singles.contains(tag + "m"),
                    "unroutable publish " + tag + " was not confirmed by an ack of its own tag: " + singles);
        }
    }
}
