package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import dev.warren.amqp.it.RawAmqpClient.Args;
import dev.warren.amqp.it.RawAmqpClient.RawFrame;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * basic.ack, basic.nack, basic.reject and basic.recover, and what becomes of unacked deliveries when the
 * channel, the connection or the socket of their consumer goes away — as RabbitMQ does it.
 */
@Timeout(60)
class AcknowledgementsIT extends SharedBrokerIT {
    private final List<RawAmqpClient> rawClients = new ArrayList<>();

    @AfterEach
    void closeRawClients() {
        rawClients.forEach(RawAmqpClient::close);
    }

    // ---- basic.ack ----

    @Test
    void singleAckSettlesOnlyTheNamedDelivery() throws Exception {
        Channel admin = channel();
        String queue = durableNamedQueue(admin);
        Channel ch = channel();
        BlockingQueue<Delivery> delivered = consume(ch, queue);
        publish(admin, queue, "m0", "m1", "m2");
        List<Delivery> got = take(delivered, 3);

        ch.basicAck(got.get(1).getEnvelope().getDeliveryTag(), false);
        ch.queueDeclarePassive(queue); // a round trip after the ack: the channel accepted it
        assertTrue(ch.isOpen());
        ch.close();

        assertRequeued(admin, queue, List.of("m0", "m2"), List.of());
    }

    @Test
    void multipleAckSettlesEveryDeliveryUpToAndIncludingTheTag() throws Exception {
        Channel admin = channel();
        String queue = durableNamedQueue(admin);
        Channel ch = channel();
        BlockingQueue<Delivery> delivered = consume(ch, queue);
        publish(admin, queue, "m0", "m1", "m2", "m3", "m4");
        List<Delivery> got = take(delivered, 5);

        ch.basicAck(got.get(3).getEnvelope().getDeliveryTag(), true);
        ch.queueDeclarePassive(queue);
        assertTrue(ch.isOpen());
        ch.close();

        assertRequeued(admin, queue, List.of("m4"), List.of());
    }

    @Test
    void ackOfAnUnknownDeliveryTagClosesTheChannelWithPreconditionFailed() throws Exception {
        Connection connection = connect();
        Channel ch = connection.createChannel();
        String queue = ch.queueDeclare().getQueue();
        BlockingQueue<Delivery> delivered = consume(ch, queue);
        publish(ch, queue, "m0");
        long tag = take(delivered, 1).get(0).getEnvelope().getDeliveryTag();
        long unknown = tag + 100;

        ShutdownSignalException e = closedAfter(ch, () -> ch.basicAck(unknown, false));
        assertChannelClosed(e, 406, "PRECONDITION_FAILED - unknown delivery tag " + unknown, 60, 80);
        assertTrue(connection.isOpen(), "only the channel closes");
    }

    @Test
    void ackOfAnAlreadyAckedDeliveryTagClosesTheChannelWithPreconditionFailed() throws Exception {
        Connection connection = connect();
        Channel ch = connection.createChannel();
        String queue = ch.queueDeclare().getQueue();
        BlockingQueue<Delivery> delivered = consume(ch, queue);
        publish(ch, queue, "m0", "m1");
        List<Delivery> got = take(delivered, 2);
        long first = got.get(0).getEnvelope().getDeliveryTag();
        ch.basicAck(first, false);
        ch.queueDeclarePassive(queue);

        ShutdownSignalException e = closedAfter(ch, () -> ch.basicAck(first, false));
        assertChannelClosed(e, 406, "PRECONDITION_FAILED - unknown delivery tag " + first, 60, 80);
        assertTrue(connection.isOpen(), "only the channel closes");
    }

    @Test
    void multipleAckWhenNothingIsOutstandingIsPreconditionFailed() throws Exception {
        Channel ch = channel();
        String queue = ch.queueDeclare().getQueue();
        BlockingQueue<Delivery> delivered = consume(ch, queue);
        publish(ch, queue, "m0");
        long tag = take(delivered, 1).get(0).getEnvelope().getDeliveryTag();
        ch.basicAck(tag, true);
        ch.queueDeclarePassive(queue);

        ShutdownSignalException e = closedAfter(ch, () -> ch.basicAck(tag, true));
        assertChannelClosed(e, 406, "PRECONDITION_FAILED - unknown delivery tag " + tag, 60, 80);
    }

    /**
     * RabbitMQ looks for the named tag itself even with multiple set: acking m0..m1 with the tag of m1,
     * which was already acked, is an unknown tag, though m0 is still outstanding — and nothing is acked.
     */
    @Test
    void multipleAckNamingAnAlreadyAckedTagIsPreconditionFailedEvenWithEarlierDeliveriesOutstanding() throws Exception {
        Channel admin = channel();
        String queue = durableNamedQueue(admin);
        Channel ch = channel();
        BlockingQueue<Delivery> delivered = consume(ch, queue);
        publish(admin, queue, "m0", "m1", "m2");
        List<Delivery> got = take(delivered, 3);
        long middle = got.get(1).getEnvelope().getDeliveryTag();
        ch.basicAck(middle, false);
        ch.queueDeclarePassive(queue);

        ShutdownSignalException e = closedAfter(ch, () -> ch.basicAck(middle, true));
        assertChannelClosed(e, 406, "PRECONDITION_FAILED - unknown delivery tag " + middle, 60, 80);
        assertRequeued(admin, queue, List.of("m0", "m2"), List.of());
    }

    @Test
    void multipleAckOfTagZeroAcknowledgesEverythingOutstanding() throws Exception {
        Channel admin = channel();
        String queue = durableNamedQueue(admin);
        Channel ch = channel();
        BlockingQueue<Delivery> delivered = consume(ch, queue);
        publish(admin, queue, "m0", "m1", "m2");
        take(delivered, 3);

        ch.basicAck(0, true);
        ch.queueDeclarePassive(queue);
        assertTrue(ch.isOpen());
        ch.close();
        assertQueueEmpty(admin, queue);
    }

    @Test
    void rejectOfAnUnknownDeliveryTagIsPreconditionFailed() throws Exception {
        Channel ch = channel();
        ShutdownSignalException e = closedAfter(ch, () -> ch.basicReject(77, true));
        assertChannelClosed(e, 406, "PRECONDITION_FAILED - unknown delivery tag 77", 60, 90);
    }

    @Test
    void nackOfAnUnknownDeliveryTagIsPreconditionFailed() throws Exception {
        Channel ch = channel();
        ShutdownSignalException e = closedAfter(ch, () -> ch.basicNack(78, false, true));
        assertChannelClosed(e, 406, "PRECONDITION_FAILED - unknown delivery tag 78", 60, 120);
    }

    // ---- basic.nack ----

    @Test
    void singleNackWithRequeueRedeliversOnlyThatMessageMarkedRedelivered() throws Exception {
        Channel admin = channel();
        String queue = durableNamedQueue(admin);
        Channel ch = channel();
        BlockingQueue<Delivery> delivered = consume(ch, queue);
        publish(admin, queue, "m0", "m1");
        List<Delivery> got = take(delivered, 2);
        assertFalse(got.get(0).getEnvelope().isRedeliver());

        ch.basicNack(got.get(0).getEnvelope().getDeliveryTag(), false, true);
        Delivery again = poll(delivered);
        assertEquals("m0", text(again.getBody()));
        assertTrue(again.getEnvelope().isRedeliver(), "a requeued message comes back with redelivered=true");
        assertTrue(again.getEnvelope().getDeliveryTag() > got.get(1).getEnvelope().getDeliveryTag(),
                "a redelivery gets a new delivery tag");

        ch.queueDeclarePassive(queue);
        assertTrue(delivered.isEmpty(), "only the nacked message comes back: " + describe(delivered));
        ch.basicAck(again.getEnvelope().getDeliveryTag(), true); // settles m1 and the redelivered m0
        ch.queueDeclarePassive(queue);
        ch.close();
        assertQueueEmpty(admin, queue);
    }

    @Test
    void multipleNackWithRequeueRedeliversAllUpToTheTagInOrderMarkedRedelivered() throws Exception {
        Channel admin = channel();
        String queue = durableNamedQueue(admin);
        Channel ch = channel();
        BlockingQueue<Delivery> delivered = consume(ch, queue);
        publish(admin, queue, "m0", "m1", "m2", "m3");
        List<Delivery> got = take(delivered, 4);

        ch.basicNack(got.get(2).getEnvelope().getDeliveryTag(), true, true);
        List<Delivery> again = take(delivered, 3);
        for (int i = 0; i < 3; i++) {
            assertEquals("m" + i, text(again.get(i).getBody()), "redelivered in the original order");
            assertTrue(again.get(i).getEnvelope().isRedeliver(), "redelivered flag on m" + i);
        }
        ch.queueDeclarePassive(queue);
        assertTrue(delivered.isEmpty(), "m3 was not nacked and must not come back: " + describe(delivered));
    }

    @Test
    void nackWithoutRequeueDropsTheMessages() throws Exception {
        Channel admin = channel();
        String queue = durableNamedQueue(admin);
        Channel ch = channel();
        BlockingQueue<Delivery> delivered = consume(ch, queue);
        publish(admin, queue, "m0", "m1", "m2", "m3");
        List<Delivery> got = take(delivered, 4);

        ch.basicNack(got.get(0).getEnvelope().getDeliveryTag(), false, false); // single
        ch.basicNack(got.get(2).getEnvelope().getDeliveryTag(), true, false);  // m1 and m2
        ch.queueDeclarePassive(queue); // the nacks have been carried out

        publish(admin, queue, "fence");
        Delivery next = poll(delivered);
        assertEquals("fence", text(next.getBody()), "dropped messages must not come back");
        ch.basicAck(next.getEnvelope().getDeliveryTag(), false);
        ch.queueDeclarePassive(queue);
        ch.close();
        assertRequeued(admin, queue, List.of("m3"), List.of());
    }

    // ---- basic.reject ----

    @Test
    void rejectWithRequeueRedeliversTheMessageMarkedRedelivered() throws Exception {
        Channel admin = channel();
        String queue = durableNamedQueue(admin);
        Channel ch = channel();
        BlockingQueue<Delivery> delivered = consume(ch, queue);
        publish(admin, queue, "m0");
        Delivery first = poll(delivered);
        assertFalse(first.getEnvelope().isRedeliver());

        ch.basicReject(first.getEnvelope().getDeliveryTag(), true);
        Delivery again = poll(delivered);
        assertEquals("m0", text(again.getBody()));
        assertTrue(again.getEnvelope().isRedeliver());
        ch.basicAck(again.getEnvelope().getDeliveryTag(), false);
        ch.queueDeclarePassive(queue);
        ch.close();
        assertQueueEmpty(admin, queue);
    }

    @Test
    void rejectWithoutRequeueDropsTheMessage() throws Exception {
        Channel admin = channel();
        String queue = durableNamedQueue(admin);
        Channel ch = channel();
        BlockingQueue<Delivery> delivered = consume(ch, queue);
        publish(admin, queue, "m0");
        Delivery first = poll(delivered);

        ch.basicReject(first.getEnvelope().getDeliveryTag(), false);
        ch.queueDeclarePassive(queue);
        publish(admin, queue, "fence");
        Delivery next = poll(delivered);
        assertEquals("fence", text(next.getBody()), "the rejected message must not come back");
        ch.basicAck(next.getEnvelope().getDeliveryTag(), false);
        ch.queueDeclarePassive(queue);
        ch.close();
        assertQueueEmpty(admin, queue);
    }

    // ---- basic.recover ----

    @Test
    void recoverWithRequeueRedeliversEveryUnackedMessageMarkedRedelivered() throws Exception {
        Channel admin = channel();
        String queue = durableNamedQueue(admin);
        Channel ch = channel();
        BlockingQueue<Delivery> delivered = consume(ch, queue);
        publish(admin, queue, "m0", "m1", "m2");
        List<Delivery> got = take(delivered, 3);
        ch.basicAck(got.get(1).getEnvelope().getDeliveryTag(), false);

        ch.basicRecover(true);
        List<Delivery> again = take(delivered, 2);
        assertEquals("m0", text(again.get(0).getBody()));
        assertEquals("m2", text(again.get(1).getBody()));
        for (Delivery d : again) {
            assertTrue(d.getEnvelope().isRedeliver(), "redelivered flag on " + text(d.getBody()));
            assertTrue(d.getEnvelope().getDeliveryTag() > got.get(2).getEnvelope().getDeliveryTag(), "new delivery tags");
        }
        ch.basicAck(again.get(1).getEnvelope().getDeliveryTag(), true);
        ch.queueDeclarePassive(queue);
        assertTrue(delivered.isEmpty(), "nothing else redelivered: " + describe(delivered));
        ch.close();
        assertQueueEmpty(admin, queue);
    }

    @Test
    void unackedDeliveriesOfACancelledConsumerCanStillBeAcked() throws Exception {
        Channel admin = channel();
        String queue = durableNamedQueue(admin);
        Channel ch = channel();
        BlockingQueue<Delivery> delivered = new LinkedBlockingQueue<>();
        String tag = ch.basicConsume(queue, false, (t, d) -> delivered.add(d), t -> { });
        publish(admin, queue, "m0", "m1");
        List<Delivery> got = take(delivered, 2);

        ch.basicCancel(tag);
        ch.basicAck(got.get(0).getEnvelope().getDeliveryTag(), false);
        ch.queueDeclarePassive(queue);
        assertTrue(ch.isOpen(), "acking after basic.cancel is allowed");
        ch.close();
        assertRequeued(admin, queue, List.of("m1"), List.of());
    }

    // ---- unacked deliveries of a consumer that goes away ----

    @Test
    void unackedMessagesOfAClosedChannelAreRequeuedInOrderAheadOfNewerMessages() throws Exception {
        Channel admin = channel();
        String queue = durableNamedQueue(admin);
        Channel ch = channel();
        receiveThreeAndLeaveTwoNewerReady(admin, queue, ch);
        ch.close();
        assertRequeued(admin, queue, List.of("m0", "m1", "m2"), List.of("n0", "n1"));
    }

    @Test
    void unackedMessagesOfAClosedConnectionAreRequeuedInOrderAheadOfNewerMessages() throws Exception {
        Channel admin = channel();
        String queue = durableNamedQueue(admin);
        Connection consumerConnection = connect();
        receiveThreeAndLeaveTwoNewerReady(admin, queue, consumerConnection.createChannel());
        consumerConnection.close();
        assertRequeued(admin, queue, List.of("m0", "m1", "m2"), List.of("n0", "n1"));
    }

    @Test
    void unackedMessagesOfAnAbruptlyDroppedSocketAreRequeuedInOrderAheadOfNewerMessages() throws Exception {
        Channel admin = channel();
        String queue = durableNamedQueue(admin);
        RawAmqpClient raw = rawConsumer(queue, 3);
        publish(admin, queue, "m0", "m1", "m2");
        for (int i = 0; i < 3; i++) {
            RawDelivery d = readDelivery(raw, 1);
            assertEquals("m" + i, text(d.body()));
            assertFalse(d.redelivered());
        }
        publish(admin, queue, "n0", "n1");
        BrokerFixture.await("the newer messages to wait in the queue", WAIT_MILLIS, () -> messageCount(admin, queue) == 2);

        raw.close(); // no connection.close: the socket just goes away
        assertRequeued(admin, queue, List.of("m0", "m1", "m2"), List.of("n0", "n1"));
    }

    @Test
    void messageOfAConsumerWhoseSocketDropsMidWorkGoesToTheOtherConsumerMarkedRedelivered() throws Exception {
        Channel admin = channel();
        String queue = durableNamedQueue(admin);
        RawAmqpClient crashing = rawConsumer(queue, 1);
        publish(admin, queue, "job-1");
        RawDelivery work = readDelivery(crashing, 1);
        assertEquals("job-1", text(work.body()));
        assertFalse(work.redelivered());

        Channel survivor = channel();
        survivor.basicQos(1);
        BlockingQueue<Delivery> delivered = consume(survivor, queue);
        BrokerFixture.await("two consumers on the queue", WAIT_MILLIS, () -> consumerCount(admin, queue) == 2);
        assertEquals(0, messageCount(admin, queue), "job-1 is with the first consumer");

        crashing.close(); // the worker dies while processing job-1
        Delivery taken = poll(delivered);
        assertEquals("job-1", text(taken.getBody()));
        assertTrue(taken.getEnvelope().isRedeliver(), "the crashed consumer's message comes back marked redelivered");
        survivor.basicAck(taken.getEnvelope().getDeliveryTag(), false);

        publish(admin, queue, "job-2");
        Delivery next = poll(delivered);
        assertEquals("job-2", text(next.getBody()));
        assertFalse(next.getEnvelope().isRedeliver());
        survivor.basicAck(next.getEnvelope().getDeliveryTag(), false);
        survivor.queueDeclarePassive(queue);
        assertEquals(1, consumerCount(admin, queue), "the crashed consumer is gone");
        assertEquals(0, messageCount(admin, queue));
    }

    // ---- helpers ----

    /**
     * Consumes on {@code ch} with prefetch 3, takes m0..m2 without acking them, then publishes n0 and n1,
     * which stay ready in the queue behind the consumer's unacked messages.
     */
    private void receiveThreeAndLeaveTwoNewerReady(Channel admin, String queue, Channel ch) throws Exception {
        ch.basicQos(3);
        BlockingQueue<Delivery> delivered = consume(ch, queue);
        publish(admin, queue, "m0", "m1", "m2");
        List<Delivery> got = take(delivered, 3);
        for (int i = 0; i < 3; i++) {
            assertEquals("m" + i, text(got.get(i).getBody()));
            assertFalse(got.get(i).getEnvelope().isRedeliver());
        }
        publish(admin, queue, "n0", "n1");
        BrokerFixture.await("the newer messages to wait in the queue", WAIT_MILLIS, () -> messageCount(admin, queue) == 2);
        assertTrue(delivered.isEmpty(), "prefetch 3 holds back the newer messages: " + describe(delivered));
    }

    /**
     * Waits until the queue holds every expected message, then gets them one by one: first the requeued
     * ones (redelivered), then the newer ones (not redelivered), then nothing.
     */
    private static void assertRequeued(Channel admin, String queue, List<String> requeued, List<String> newer)
            throws Exception {
        int total = requeued.size() + newer.size();
        BrokerFixture.await(total + " messages back in " + queue, WAIT_MILLIS, () -> messageCount(admin, queue) == total);
        List<String> order = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            GetResponse got = admin.basicGet(queue, true);
            assertNotNull(got, "message " + i + " missing");
            order.add(text(got.getBody()) + (got.getEnvelope().isRedeliver() ? "(redelivered)" : ""));
        }
        List<String> expected = new ArrayList<>();
        requeued.forEach(m -> expected.add(m + "(redelivered)"));
        expected.addAll(newer);
        assertEquals(expected, order, "requeued messages come first, in their original order, marked redelivered");
        assertNull(admin.basicGet(queue, true), "nothing else in the queue");
    }

    /** Nothing ready now, and nothing comes back later: a fence published now is the next message. */
    private static void assertQueueEmpty(Channel admin, String queue) throws Exception {
        publish(admin, queue, "fence");
        BrokerFixture.await("the fence in " + queue, WAIT_MILLIS, () -> messageCount(admin, queue) >= 1);
        GetResponse got = admin.basicGet(queue, true);
        assertNotNull(got);
        assertEquals("fence", text(got.getBody()), "settled messages must not come back");
        assertNull(admin.basicGet(queue, true));
    }

    /** A queue that outlives its consumers (not exclusive, not auto-delete). */
    private static String durableNamedQueue(Channel admin) throws IOException {
        return admin.queueDeclare("", false, false, false, null).getQueue();
    }

    private static BlockingQueue<Delivery> consume(Channel ch, String queue) throws IOException {
        BlockingQueue<Delivery> delivered = new LinkedBlockingQueue<>();
        ch.basicConsume(queue, false, (tag, d) -> delivered.add(d), tag -> { });
        return delivered;
    }

    private static Delivery poll(BlockingQueue<Delivery> delivered) throws InterruptedException {
        Delivery d = delivered.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        assertNotNull(d, "no delivery before the deadline");
        return d;
    }

    private static List<Delivery> take(BlockingQueue<Delivery> delivered, int count) throws InterruptedException {
        List<Delivery> got = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Delivery d = delivered.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            assertNotNull(d, "delivery " + i + " of " + count + " missing");
            got.add(d);
        }
        return got;
    }

    private static String describe(BlockingQueue<Delivery> delivered) {
        List<String> bodies = new ArrayList<>();
        delivered.forEach(d -> bodies.add(text(d.getBody())));
        return bodies.toString();
    }

    private static void assertChannelClosed(ShutdownSignalException e, int code, String text, int classId, int methodId) {
        assertFalse(e.isHardError(), () -> "expected a channel error but the connection was closed: " + e.getReason());
        AMQP.Channel.Close close = assertInstanceOf(AMQP.Channel.Close.class, e.getReason());
        assertEquals(code, close.getReplyCode(), close.getReplyText());
        assertEquals(text, close.getReplyText());
        assertEquals(classId, close.getClassId(), "class id of the failing method");
        assertEquals(methodId, close.getMethodId(), "method id of the failing method");
    }

    // ---- a raw consumer, for dropping its socket without connection.close ----

    record RawDelivery(String consumerTag, long deliveryTag, boolean redelivered, byte[] body) {
    }

    /** A raw connection consuming from the queue on channel 1 with manual acks and the given prefetch. */
    private RawAmqpClient rawConsumer(String queue, int prefetch) throws IOException {
        RawAmqpClient raw = RawAmqpClient.connectAndOpen(broker.port());
        rawClients.add(raw);
        raw.openChannel(1);
        raw.sendMethod(1, 60, 10, new Args().longInt(0).shortInt(prefetch).bits(false)); // basic.qos
        raw.expectMethod(1, 60, 11, WAIT_MILLIS);
        raw.sendMethod(1, 60, 20, new Args().shortInt(0).shortstr(queue).shortstr("raw-consumer")
                .bits(false, false, false, false).emptyTable()); // basic.consume, manual ack
        raw.expectMethod(1, 60, 21, WAIT_MILLIS);
        return raw;
    }

    /** Reads one basic.deliver with its content header and body frames. */
    static RawDelivery readDelivery(RawAmqpClient raw, int channel) throws IOException {
        RawFrame method = raw.expectMethod(channel, 60, 60, WAIT_MILLIS);
        Args.Reader r = method.arguments();
        String consumerTag = r.shortstr();
        long deliveryTag = r.longlong();
        boolean redelivered = (r.octet() & 1) != 0;
        RawFrame header = raw.readFrame(WAIT_MILLIS);
        assertNotNull(header, "no content header after basic.deliver");
        assertEquals(RawAmqpClient.HEADER, header.type(), "content header after basic.deliver");
        long bodySize = ByteBuffer.wrap(header.payload(), 4, 8).getLong();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (body.size() < bodySize) {
            RawFrame frame = raw.readFrame(WAIT_MILLIS);
            assertNotNull(frame, "body frame missing");
            assertEquals(RawAmqpClient.BODY, frame.type(), "body frame");
            body.write(frame.payload());
        }
        return new RawDelivery(consumerTag, deliveryTag, redelivered, body.toByteArray());
    }
}
