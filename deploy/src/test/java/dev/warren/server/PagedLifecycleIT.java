package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Length limits on queues far longer than the memory budget, so the heads they drop (or dead-letter) are paged
 * out when they go: the outcome must be the same as for a queue held in memory.
 */
@Timeout(180)
class PagedLifecycleIT extends RestartingServerTest {
    private static final int BUDGET = 64 * 1024;
    private static final byte[] BODY = new byte[200];

    @Override
    ServerConfig config() {
        return super.config().withStorage(super.config().storage().withMemoryBudget(BUDGET));
    }

    private static void publishNumbered(Channel ch, String queue, int count, boolean persistent) throws Exception {
        for (int i = 0; i < count; i++) {
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().deliveryMode(persistent ? 2 : 1)
                    .messageId(Integer.toString(i)).build();
            ch.basicPublish("", queue, props, BODY);
        }
    }

    /** Every message id in the queue, in delivery order (basic.get may come back empty while pages are read). */
    private static List<String> ids(Channel ch, String queue, int expected) throws Exception {
        List<String> ids = new ArrayList<>();
        await(expected + " messages from " + queue, 60_000, () -> {
            try {
                for (GetResponse r; ids.size() < expected && (r = ch.basicGet(queue, true)) != null; ) {
                    ids.add(r.getProps().getMessageId());
                }
                return ids.size() == expected;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        assertNull(ch.basicGet(queue, true), "no more than " + expected + " in " + queue);
        return ids;
    }

    private static List<String> range(int from, int to) {
        return IntStream.range(from, to).mapToObj(Integer::toString).toList();
    }

    @Test
    void aLengthLimitOnAPagedQueueDeadLettersTheOldestInOrderAndKeepsTheNewest() throws Exception {
        server = WarrenServer.start(config());
        Channel ch = open();
        ch.queueDeclare("paged.dead", true, false, false, null);
        ch.queueDeclare("paged.bounded", true, false, false,
                Map.of("x-max-length", 1_000, "x-dead-letter-exchange", "", "x-dead-letter-routing-key", "paged.dead"));
        ch.confirmSelect();
        publishNumbered(ch, "paged.bounded", 3_000, true);
        ch.waitForConfirmsOrDie(60_000);

        await("2000 dead letters", 60_000, () -> count(ch, "paged.dead") == 2_000);
        assertEquals(1_000, count(ch, "paged.bounded"));
        assertEquals(range(2_000, 3_000), ids(ch, "paged.bounded", 1_000));
        GetResponse first = ch.basicGet("paged.dead", true);
        assertEquals("0", first.getProps().getMessageId());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> deaths = (List<Map<String, Object>>) first.getProps().getHeaders().get("x-death");
        assertEquals("maxlen", String.valueOf(deaths.get(0).get("reason")));
        assertEquals(range(1, 2_000), ids(ch, "paged.dead", 1_999));
    }

    @Test
    void aLengthLimitOnAPagedQueueWithoutADeadLetterExchangeKeepsTheNewest() throws Exception {
        server = WarrenServer.start(config());
        Channel ch = open();
        ch.queueDeclare("paged.dropping", false, false, false, Map.of("x-max-length", 1_000));
        ch.confirmSelect();
        publishNumbered(ch, "paged.dropping", 3_000, false);
        ch.waitForConfirmsOrDie(60_000);
        await("the limit", 60_000, () -> count(ch, "paged.dropping") == 1_000);
        assertEquals(range(2_000, 3_000), ids(ch, "paged.dropping", 1_000));
    }

    @Test
    void aByteLimitOnAPagedQueueKeepsTheNewestBytes() throws Exception {
        server = WarrenServer.start(config());
        Channel ch = open();
        ch.queueDeclare("paged.bytes", false, false, false, Map.of("x-max-length-bytes", 1_000 * BODY.length));
        ch.confirmSelect();
        publishNumbered(ch, "paged.bytes", 3_000, false);
        ch.waitForConfirmsOrDie(60_000);
        await("the byte limit", 60_000, () -> count(ch, "paged.bytes") == 1_000);
        assertEquals(range(2_000, 3_000), ids(ch, "paged.bytes", 1_000));
    }

    @Test
    void rejectPublishOnAPagedQueueNacksEveryMessagePastTheLimitAndKeepsTheFirst() throws Exception {
        server = WarrenServer.start(config());
        Channel ch = open();
        ch.queueDeclare("paged.full", true, false, false, Map.of("x-max-length", 2_000, "x-overflow", "reject-publish"));
        NavigableSet<Long> unsettled = new ConcurrentSkipListSet<>();
        AtomicInteger nacked = new AtomicInteger();
        ch.addConfirmListener((tag, multiple) -> settle(unsettled, tag, multiple), (tag, multiple) -> nacked.addAndGet(settle(unsettled, tag, multiple)));
        ch.confirmSelect();
        for (int i = 0; i < 2_500; i++) {
            unsettled.add(ch.getNextPublishSeqNo());
            ch.basicPublish("", "paged.full", new AMQP.BasicProperties.Builder().deliveryMode(2).messageId(Integer.toString(i)).build(), BODY);
        }
        ch.waitForConfirms(60_000);
        assertEquals(500, nacked.get(), "a basic.nack for each message past the limit");
        assertEquals(range(0, 2_000), ids(ch, "paged.full", 2_000));
    }

    @Test
    void dropHeadOnAPagedPriorityQueueDropsWhatWouldBeDeliveredNextAfterEveryPublish() throws Exception {
        server = WarrenServer.start(config());
        Channel ch = open();
        int max = 500;
        ch.queueDeclare("paged.priority", false, false, false, Map.of("x-max-priority", 3, "x-max-length", max));
        // the model: one FIFO per priority; after each publish over the limit, the head of the highest goes
        Map<Integer, ArrayDeque<String>> lanes = new HashMap<>();
        int count = 3_000;
        ch.confirmSelect();
        for (int i = 0; i < count; i++) {
            int priority = (i * 7 + i / 13) % 4; // mixed, not periodic with the limit
            ch.basicPublish("", "paged.priority", new AMQP.BasicProperties.Builder().priority(priority)
                    .messageId(Integer.toString(i)).build(), BODY);
            lanes.computeIfAbsent(priority, p -> new ArrayDeque<>()).addLast(Integer.toString(i));
            if (lanes.values().stream().mapToInt(ArrayDeque::size).sum() > max) {
                for (int p = 3; p >= 0; p--) {
                    if (!lanes.getOrDefault(p, new ArrayDeque<>()).isEmpty()) {
                        lanes.get(p).removeFirst();
                        break;
                    }
                }
            }
        }
        ch.waitForConfirmsOrDie(60_000);
        List<String> expected = new ArrayList<>();
        for (int p = 3; p >= 0; p--) {
            expected.addAll(lanes.getOrDefault(p, new ArrayDeque<>()));
        }
        await("the limit", 60_000, () -> count(ch, "paged.priority") == max);
        assertEquals(expected, ids(ch, "paged.priority", max));
    }

    @Test
    void aConsumerOfAPriorityQueueGetsThePagedOutHigherPrioritiesBeforeTheLowerOnesHeldInMemory() throws Exception {
        server = WarrenServer.start(config());
        Channel ch = open();
        ch.queueDeclare("paged.priority-consumed", true, false, false, Map.of("x-max-priority", 3));
        ch.confirmSelect();
        int each = 2_000;
        for (int i = 0; i < 2 * each; i++) { // the low ones first, so they fill memory and the high ones page out
            int priority = i < each ? 0 : 3;
            ch.basicPublish("", "paged.priority-consumed", new AMQP.BasicProperties.Builder().deliveryMode(2)
                    .priority(priority).messageId(Integer.toString(i)).build(), BODY);
        }
        ch.waitForConfirmsOrDie(60_000);

        List<String> got = java.util.Collections.synchronizedList(new ArrayList<>());
        Channel consumer = open();
        consumer.basicQos(50);
        consumer.basicConsume("paged.priority-consumed", false, new com.rabbitmq.client.DefaultConsumer(consumer) {
            @Override
            public void handleDelivery(String tag, com.rabbitmq.client.Envelope envelope, AMQP.BasicProperties properties,
                                       byte[] body) throws IOException {
                got.add(properties.getMessageId());
                consumer.basicAck(envelope.getDeliveryTag(), false);
            }
        });
        await("every message", 60_000, () -> got.size() == 2 * each);
        List<String> expected = new ArrayList<>(range(each, 2 * each));
        expected.addAll(range(0, each));
        assertEquals(expected, new ArrayList<>(got));
    }

    /** Removes what an ack or nack settles and says how many that was. */
    private static int settle(NavigableSet<Long> unsettled, long tag, boolean multiple) {
        if (!multiple) {
            return unsettled.remove(tag) ? 1 : 0;
        }
        NavigableSet<Long> settled = unsettled.headSet(tag, true);
        int n = settled.size();
        settled.clear();
        return n;
    }
}
