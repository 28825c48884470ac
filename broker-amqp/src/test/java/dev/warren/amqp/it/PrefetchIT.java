package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * basic.qos: prefetch per consumer (RabbitMQ's per_consumer_qos, global=false) and per channel
 * (global=true), and how dispatch shares messages among consumers that have credit.
 *
 * <p>"No more deliveries" is checked by accounting rather than by waiting: the messages were all
 * confirmed into the queue, so once the consumer holds N and the queue reports total-N ready, nothing
 * else can be on its way.
 */
@Timeout(60)
class PrefetchIT extends SharedBrokerIT {

    @Test
    void perConsumerPrefetchLimitsUnackedDeliveriesUntilTheConsumerAcks() throws Exception {
        Channel admin = channel();
        String queue = queue(admin);
        Channel ch = channel();
        ch.basicQos(3);
        BlockingQueue<Delivery> delivered = consume(ch, queue);
        publishConfirmed(admin, queue, 10);

        awaitHeld(admin, queue, delivered, 3, 7);
        List<Delivery> held = drain(delivered);
        assertEquals(List.of("m0", "m1", "m2"), bodies(held));

        ch.basicAck(held.get(0).getEnvelope().getDeliveryTag(), false);
        awaitHeld(admin, queue, delivered, 1, 6);
        List<Delivery> next = drain(delivered);
        assertEquals(List.of("m3"), bodies(next), "one ack makes room for exactly one more");

        ch.basicAck(next.get(0).getEnvelope().getDeliveryTag(), true); // settles m1, m2, m3
        awaitHeld(admin, queue, delivered, 3, 3);
        List<Delivery> third = drain(delivered);
        assertEquals(List.of("m4", "m5", "m6"), bodies(third));

        ch.basicAck(third.get(2).getEnvelope().getDeliveryTag(), true);
        awaitHeld(admin, queue, delivered, 3, 0);
        assertEquals(List.of("m7", "m8", "m9"), bodies(drain(delivered)));
    }

    @Test
    void globalPrefetchLimitsUnackedDeliveriesAcrossAllConsumersOfTheChannel() throws Exception {
        Channel admin = channel();
        String first = queue(admin);
        String second = queue(admin);
        Channel ch = channel();
        ch.basicQos(4, true);
        BlockingQueue<Delivery> delivered = new LinkedBlockingQueue<>();
        ch.basicConsume(first, false, (tag, d) -> delivered.add(d), tag -> { });
        ch.basicConsume(second, false, (tag, d) -> delivered.add(d), tag -> { });
        publishConfirmed(admin, first, 10);
        publishConfirmed(admin, second, 10);

        BrokerFixture.await("4 deliveries and 16 ready messages", WAIT_MILLIS,
                () -> delivered.size() >= 4 && messageCount(admin, first) + messageCount(admin, second) == 16);
        List<Delivery> held = drain(delivered);
        assertEquals(4, held.size(), "the channel holds at most 4 unacked across both consumers");

        ch.basicAck(held.get(0).getEnvelope().getDeliveryTag(), false);
        ch.basicAck(held.get(1).getEnvelope().getDeliveryTag(), false);
        BrokerFixture.await("2 more deliveries and 14 ready messages", WAIT_MILLIS,
                () -> delivered.size() >= 2 && messageCount(admin, first) + messageCount(admin, second) == 14);
        assertEquals(2, drain(delivered).size(), "two acks make room for exactly two more on the channel");
    }

    @Test
    void raisingTheGlobalPrefetchLetsBlockedConsumersTakeMoreWithoutAcks() throws Exception {
        Channel admin = channel();
        String queue = queue(admin);
        Channel ch = channel();
        ch.basicQos(2, true);
        BlockingQueue<Delivery> delivered = consume(ch, queue);
        publishConfirmed(admin, queue, 10);
        awaitHeld(admin, queue, delivered, 2, 8);

        ch.basicQos(5, true);
        awaitHeld(admin, queue, delivered, 5, 5);
        ch.basicQos(0, true); // 0: no limit
        awaitHeld(admin, queue, delivered, 10, 0);
    }

    @Test
    void perConsumerAndGlobalPrefetchApplyTogether() throws Exception {
        Channel admin = channel();
        String first = queue(admin);
        String second = queue(admin);
        Channel ch = channel();
        ch.basicQos(2, false);
        ch.basicQos(3, true);
        BlockingQueue<Delivery> fromFirst = consume(ch, first);
        BlockingQueue<Delivery> fromSecond = consume(ch, second);
        publishConfirmed(admin, first, 10);
        BrokerFixture.await("2 deliveries from the first queue", WAIT_MILLIS,
                () -> fromFirst.size() >= 2 && messageCount(admin, first) == 8);
        publishConfirmed(admin, second, 10);

        BrokerFixture.await("the channel to hold 3", WAIT_MILLIS,
                () -> fromSecond.size() >= 1 && messageCount(admin, second) == 9);
        assertEquals(2, fromFirst.size(), "per-consumer limit 2");
        assertEquals(1, fromSecond.size(), "the channel limit 3 leaves room for one more only");
    }

    @Test
    void basicQosAppliesToConsumersCreatedAfterItAndNotToExistingOnes() throws Exception {
        Channel admin = channel();
        String before = queue(admin);
        String limited = queue(admin);
        String later = queue(admin);
        Channel ch = channel();
        BlockingQueue<Delivery> unlimited = consume(ch, before); // no qos yet: no limit
        ch.basicQos(2);
        BlockingQueue<Delivery> two = consume(ch, limited);
        ch.basicQos(5); // changes the limit for consumers created from now on only
        BlockingQueue<Delivery> five = consume(ch, later);
        publishConfirmed(admin, before, 10);
        publishConfirmed(admin, limited, 10);
        publishConfirmed(admin, later, 10);

        awaitHeld(admin, before, unlimited, 10, 0);
        awaitHeld(admin, limited, two, 2, 8);
        awaitHeld(admin, later, five, 5, 5);
    }

    @Test
    void prefetchSizeOtherThanZeroIsNotImplementedAndClosesTheConnection() throws Exception {
        Connection connection = connect();
        Channel ch = connection.createChannel();
        IOException e = assertThrows(IOException.class, () -> ch.basicQos(1024, 10, false));
        ShutdownSignalException signal = RawAssertions.shutdownSignal(e);
        assertTrue(signal.isHardError(), "RabbitMQ closes the connection: " + signal.getReason());
        AMQP.Connection.Close close = assertInstanceOf(AMQP.Connection.Close.class, signal.getReason());
        assertEquals(540, close.getReplyCode());
        assertEquals("NOT_IMPLEMENTED - prefetch_size!=0 (1024)", close.getReplyText());
        assertEquals(60, close.getClassId());
        assertEquals(10, close.getMethodId());
        BrokerFixture.await("the connection to close", WAIT_MILLIS, () -> !connection.isOpen());
    }

    @Test
    void prefetchOneDispatchesFairlyAwayFromASlowConsumer() throws Exception {
        Channel admin = channel();
        String queue = queue(admin);
        CountDownLatch slowMayAck = new CountDownLatch(1);
        AtomicInteger slowReceived = new AtomicInteger();
        AtomicInteger fastReceived = new AtomicInteger();

        Channel slow = channel();
        slow.basicQos(1);
        slow.basicConsume(queue, false, (tag, d) -> {
            slowReceived.incrementAndGet();
            try {
                if (slowMayAck.await(30, TimeUnit.SECONDS)) {
                    slow.basicAck(d.getEnvelope().getDeliveryTag(), false);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, tag -> { });
        Channel fast = channel();
        fast.basicQos(1);
        fast.basicConsume(queue, false, (tag, d) -> {
            fastReceived.incrementAndGet();
            fast.basicAck(d.getEnvelope().getDeliveryTag(), false);
        }, tag -> { });
        try {
            BrokerFixture.await("two consumers", WAIT_MILLIS, () -> consumerCount(admin, queue) == 2);
            publishConfirmed(admin, queue, 20);
            BrokerFixture.await("all 20 handed out", WAIT_MILLIS,
                    () -> slowReceived.get() + fastReceived.get() == 20 && messageCount(admin, queue) == 0);
            int slowWhileBusy = slowReceived.get();
            assertTrue(slowWhileBusy <= 1,
                    "the slow consumer holds one unacked message and gets no more, but got " + slowWhileBusy);
            assertTrue(fastReceived.get() >= 19, "the fast consumer takes the rest, got " + fastReceived.get());
        } finally {
            slowMayAck.countDown();
        }
        publishConfirmed(admin, queue, 2);
        BrokerFixture.await("the two extra messages handed out", WAIT_MILLIS,
                () -> slowReceived.get() + fastReceived.get() == 22 && messageCount(admin, queue) == 0);
    }

    @Test
    void dispatchIsRoundRobinAmongConsumersThatHaveCredit() throws Exception {
        Channel admin = channel();
        String queue = queue(admin);
        Channel ch = channel();
        Map<Integer, String> consumerOf = new ConcurrentHashMap<>();
        String a = ch.basicConsume(queue, true, (tag, d) -> consumerOf.put(index(d), tag), tag -> { });
        String b = ch.basicConsume(queue, true, (tag, d) -> consumerOf.put(index(d), tag), tag -> { });
        ch.basicQos(1);
        ch.basicConsume(queue, false, (tag, d) -> consumerOf.put(index(d), tag), tag -> { }); // never acks

        publishConfirmed(admin, queue, 21);
        BrokerFixture.await("21 deliveries", WAIT_MILLIS, () -> consumerOf.size() == 21);
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 21; i++) {
            order.add(consumerOf.get(i).equals(a) ? "A" : consumerOf.get(i).equals(b) ? "B" : "C");
        }
        assertEquals(1, order.stream().filter("C"::equals).count(), "C has credit for one message only: " + order);
        assertEquals(10, order.stream().filter("A"::equals).count(), order.toString());
        assertEquals(10, order.stream().filter("B"::equals).count(), order.toString());
        List<String> withCredit = new ArrayList<>(order);
        withCredit.remove("C");
        for (int i = 1; i < withCredit.size(); i++) {
            assertNotEquals(withCredit.get(i - 1), withCredit.get(i), "A and B take turns: " + order);
        }
    }

    // ---- helpers ----

    /** Waits until exactly {@code held} deliveries arrived and {@code ready} messages wait in the queue. */
    private static void awaitHeld(Channel admin, String queue, BlockingQueue<Delivery> delivered, int held, int ready)
            throws InterruptedException {
        try {
            BrokerFixture.await(held + " deliveries and " + ready + " ready", WAIT_MILLIS,
                    () -> delivered.size() >= held && messageCount(admin, queue) == ready);
        } catch (AssertionError e) {
            throw new AssertionError("expected " + held + " deliveries and " + ready + " ready in " + queue + ", have "
                    + delivered.size() + " deliveries and " + messageCount(admin, queue) + " ready", e);
        }
        assertEquals(held, delivered.size(), "deliveries while " + ready + " messages are ready: " + bodies(delivered));
    }

    private static String queue(Channel admin) throws IOException {
        return admin.queueDeclare("", false, false, false, null).getQueue();
    }

    private static BlockingQueue<Delivery> consume(Channel ch, String queue) throws IOException {
        BlockingQueue<Delivery> delivered = new LinkedBlockingQueue<>();
        ch.basicConsume(queue, false, (tag, d) -> delivered.add(d), tag -> { });
        return delivered;
    }

    /** Publishes m0..m(count-1) on a confirm channel and waits until the broker confirmed them all. */
    private static void publishConfirmed(Channel admin, String queue, int count) throws Exception {
        Channel publisher = admin.getConnection().createChannel();
        publisher.confirmSelect();
        for (int i = 0; i < count; i++) {
            publisher.basicPublish("", queue, null, ("m" + i).getBytes(StandardCharsets.UTF_8));
        }
        publisher.waitForConfirmsOrDie(WAIT_MILLIS);
        publisher.close();
    }

    private static List<Delivery> drain(BlockingQueue<Delivery> delivered) {
        List<Delivery> out = new ArrayList<>();
        delivered.drainTo(out);
        return out;
    }

    private static List<String> bodies(Iterable<Delivery> deliveries) {
        List<String> out = new ArrayList<>();
        deliveries.forEach(d -> out.add(new String(d.getBody(), StandardCharsets.UTF_8)));
        return out;
    }

    private static int index(Delivery d) {
        return Integer.parseInt(new String(d.getBody(), StandardCharsets.UTF_8).substring(1));
    }

}
