package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.LongString;
import com.rabbitmq.client.Return;
import com.rabbitmq.client.ShutdownSignalException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Publishing, consuming, basic.get and acknowledgements, checked against RabbitMQ's behaviour. */
@Timeout(60)
class PublishConsumeIT extends SharedBrokerIT {

    // ---- ordering and bodies ----

    @Test
    void messagesArriveInPublishOrder() throws Exception {
        Channel consumer = channel();
        String queue = consumer.queueDeclare().getQueue();
        BlockingQueue<Integer> received = new LinkedBlockingQueue<>();
        consumer.basicConsume(queue, true, (tag, d) -> received.add(Integer.parseInt(text(d.getBody()))), tag -> { });
        Channel producer = channel();
        for (int i = 0; i < 1000; i++) {
            producer.basicPublish("", queue, null, bytes(Integer.toString(i)));
        }
        for (int i = 0; i < 1000; i++) {
            Integer next = received.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            assertEquals(Integer.valueOf(i), next, "message " + i + " out of order or missing");
        }
    }

    @Test
    void oneMebibyteBodySpanningManyFramesArrivesIntact() throws Exception {
        assertBodiesRoundTrip(connect(), List.of(randomBytes(1024 * 1024, 1)));
    }

    @Test
    void bodyOfExactlyFrameMaxMinusEightBytesAndItsNeighboursArriveIntact() throws Exception {
        Connection connection = connect();
        int frameMax = connection.getFrameMax();
        assertTrue(frameMax >= 4096, "negotiated frame-max " + frameMax);
        assertBodiesRoundTrip(connection, List.of(
                randomBytes(frameMax - 8, 2),
                randomBytes(frameMax - 9, 3),
                randomBytes(frameMax - 7, 4),
                randomBytes(2 * (frameMax - 8), 5),
                randomBytes(2 * (frameMax - 8) + 1, 6)));
    }

    @Test
    void bodiesSpanningHundredsOfSmallFramesArriveIntact() throws Exception {
        ConnectionFactory factory = broker.factory();
        factory.setRequestedFrameMax(4096);
        Connection connection = track(factory.newConnection());
        assertEquals(4096, connection.getFrameMax());
        assertBodiesRoundTrip(connection, List.of(randomBytes(1024 * 1024, 7), randomBytes(4096 - 8, 8)));
    }

    @Test
    void zeroLengthBodyArrivesEmpty() throws Exception {
        Channel ch = channel();
        String queue = ch.queueDeclare().getQueue();
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().messageId("empty").build();
        ch.basicPublish("", queue, props, new byte[0]);
        ch.basicPublish("", queue, null, bytes("after-empty"));
        GetResponse empty = getWithin(ch, queue, true);
        assertEquals(0, empty.getBody().length);
        assertEquals("empty", empty.getProps().getMessageId());
        assertEquals("after-empty", text(getWithin(ch, queue, true).getBody()));

        BlockingQueue<Delivery> delivered = new LinkedBlockingQueue<>();
        ch.basicConsume(queue, true, (tag, d) -> delivered.add(d), tag -> { });
        ch.basicPublish("", queue, null, new byte[0]);
        Delivery d = delivered.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        assertNotNull(d);
        assertEquals(0, d.getBody().length);
    }

    // ---- properties ----

    @Test
    void allFourteenBasicPropertiesRoundTripUnchanged() throws Exception {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("inner-string", "value");
        nested.put("inner-int", 7);
        Map<String, Object> headers = new HashMap<>();
        headers.put("string", "text with ünïcödé");
        headers.put("int", 42);
        headers.put("negative-int", -42);
        headers.put("long", 1L << 40);
        headers.put("short", (short) 7);
        headers.put("byte", (byte) -3);
        headers.put("boolean-true", true);
        headers.put("boolean-false", false);
        headers.put("double", 3.25d);
        headers.put("float", 1.5f);
        headers.put("decimal", new BigDecimal("123.45"));
        headers.put("timestamp", new Date(1_700_000_000_000L));
        headers.put("bytes", new byte[] {0, 1, 2, (byte) 0xff});
        headers.put("table", nested);
        headers.put("array", List.of(1, "two", true, List.of(3L)));
        headers.put("void", null);
        AMQP.BasicProperties sent = new AMQP.BasicProperties.Builder()
                .contentType("application/json")
                .contentEncoding("gzip")
                .headers(headers)
                .deliveryMode(2)
                .priority(5)
                .correlationId("corr-1")
                .replyTo("reply-queue")
                .expiration("60000")
                .messageId("msg-1")
                .timestamp(new Date(1_600_000_000_000L))
                .type("order.created")
                .userId("guest")
                .appId("warren-tests")
                .clusterId("cluster-a")
                .build();

        Channel ch = channel();
        String queue = ch.queueDeclare().getQueue();
        BlockingQueue<Delivery> delivered = new LinkedBlockingQueue<>();
        ch.basicConsume(queue, true, (tag, d) -> delivered.add(d), tag -> { });
        ch.basicPublish("", queue, sent, bytes("with properties"));
        Delivery d = delivered.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        assertNotNull(d, "no delivery");
        assertPropertiesEqual(sent, d.getProperties());

        // and through basic.get
        String getQueue = ch.queueDeclare().getQueue();
        ch.basicPublish("", getQueue, sent, bytes("got"));
        assertPropertiesEqual(sent, getWithin(ch, getQueue, true).getProps());

        // and through basic.return
        BlockingQueue<Return> returns = new LinkedBlockingQueue<>();
        ch.addReturnListener(returns::add);
        ch.basicPublish("", "no-such-queue-for-return", true, sent, bytes("returned"));
        Return r = returns.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        assertNotNull(r, "no basic.return");
        assertPropertiesEqual(sent, r.getProperties());
    }

    @Test
    void absentPropertiesStayAbsent() throws Exception {
        Channel ch = channel();
        String queue = ch.queueDeclare().getQueue();
        ch.basicPublish("", queue, new AMQP.BasicProperties.Builder().build(), bytes("bare"));
        AMQP.BasicProperties got = getWithin(ch, queue, true).getProps();
        assertNull(got.getContentType());
        assertNull(got.getContentEncoding());
        assertNull(got.getHeaders());
        assertNull(got.getDeliveryMode());
        assertNull(got.getPriority());
        assertNull(got.getCorrelationId());
        assertNull(got.getReplyTo());
        assertNull(got.getExpiration());
        assertNull(got.getMessageId());
        assertNull(got.getTimestamp());
        assertNull(got.getType());
        assertNull(got.getUserId());
        assertNull(got.getAppId());
        assertNull(got.getClusterId());
    }

    @Test
    void publishingWithUserIdOfAnotherUserIsPreconditionFailed() throws Exception {
        Channel ch = channel();
        String queue = ch.queueDeclare().getQueue();
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().userId("mallory").build();
        ShutdownSignalException e = closedAfter(ch, () -> ch.basicPublish("", queue, props, bytes("forged")));
        assertChannelClosed(e, 406, "mallory");
    }

    // ---- returns and unroutable messages ----

    @Test
    void mandatoryUnroutableMessageIsReturnedWithNoRoute() throws Exception {
        Channel ch = channel();
        BlockingQueue<Return> returns = new LinkedBlockingQueue<>();
        ch.addReturnListener(returns::add);
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().messageId("returned-1").build();
        ch.basicPublish("amq.direct", "nowhere", true, props, bytes("come back"));
        Return r = returns.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        assertNotNull(r, "no basic.return");
        assertEquals(312, r.getReplyCode());
        assertEquals("NO_ROUTE", r.getReplyText());
        assertEquals("amq.direct", r.getExchange());
        assertEquals("nowhere", r.getRoutingKey());
        assertEquals("come back", text(r.getBody()));
        assertEquals("returned-1", r.getProperties().getMessageId());

        ch.basicPublish("", "no-such-queue", true, null, bytes("default exchange"));
        Return viaDefault = returns.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        assertNotNull(viaDefault, "no basic.return for the default exchange");
        assertEquals(312, viaDefault.getReplyCode());
        assertEquals("", viaDefault.getExchange());
        assertEquals("no-such-queue", viaDefault.getRoutingKey());
        assertTrue(ch.isOpen());
    }

    @Test
    void nonMandatoryUnroutableMessageIsDroppedSilently() throws Exception {
        Channel ch = channel();
        BlockingQueue<Return> returns = new LinkedBlockingQueue<>();
        ch.addReturnListener(returns::add);
        ch.basicPublish("amq.direct", "nowhere", false, null, bytes("silent"));
        ch.basicPublish("amq.direct", "nowhere", true, null, bytes("loud"));
        Return r = returns.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        assertNotNull(r);
        assertEquals("loud", text(r.getBody()), "the non-mandatory message must not come back");
        ch.queueDeclare(); // the channel is still usable
        assertTrue(ch.isOpen());
    }

    @Test
    void publishingToMissingExchangeIsNotFoundChannelError() throws Exception {
        Connection connection = connect();
        Channel ch = connection.createChannel();
        ShutdownSignalException e = closedAfter(ch,
                () -> ch.basicPublish("no-such-exchange-for-publish", "k", null, bytes("lost")));
        assertChannelClosed(e, 404, "no-such-exchange-for-publish");
        assertTrue(connection.isOpen(), "only the channel closes");
        connection.createChannel().queueDeclare();
    }

    // ---- consumers ----

    @Test
    void serverGeneratedConsumerTagStartsWithAmqCtag() throws Exception {
        Channel ch = channel();
        String queue = ch.queueDeclare().getQueue();
        String tag = ch.basicConsume(queue, true, (t, d) -> { }, t -> { });
        assertTrue(tag.startsWith("amq.ctag-"), tag);
        assertTrue(tag.length() > "amq.ctag-".length(), tag);
        String other = ch.basicConsume(queue, true, (t, d) -> { }, t -> { });
        assertNotEquals(tag, other);
        assertEquals("my-own-tag", ch.basicConsume(queue, true, "my-own-tag", (t, d) -> { }, t -> { }));
    }

    @Test
    void consumingFromMissingQueueIsNotFound() throws Exception {
        Channel ch = channel();
        ShutdownSignalException e = shutdownOf(() -> ch.basicConsume("no-such-queue-for-consume", true, (t, d) -> { }, t -> { }));
        assertChannelClosed(e, 404, "no-such-queue-for-consume");
    }

    @Test
    void sameConsumerTagMayBeUsedOnDifferentChannels() throws Exception {
        Connection connection = connect();
        Channel first = connection.createChannel();
        Channel second = connection.createChannel();
        String queue = first.queueDeclare().getQueue();
        assertEquals("shared-tag", first.basicConsume(queue, true, "shared-tag", (t, d) -> { }, t -> { }));
        assertEquals("shared-tag", second.basicConsume(queue, true, "shared-tag", (t, d) -> { }, t -> { }));
        assertEquals(2, first.queueDeclarePassive(queue).getConsumerCount());
    }

    @Test
    void reusingConsumerTagOnTheChannelIsNotAllowedConnectionError() throws Exception {
        Connection connection = connect();
        Channel ch = connection.createChannel();
        String queue = ch.queueDeclare().getQueue();
        String other = ch.queueDeclare().getQueue();
        ch.basicConsume(queue, true, "reused-tag", (t, d) -> { }, t -> { });
        ShutdownSignalException e = shutdownOf(
                () -> ch.basicConsume(other, true, "reused-tag", (t, d) -> { }, t -> { }));
        assertConnectionClosed(e, 530, "reused-tag");
        BrokerFixture.await("connection to close", WAIT_MILLIS, () -> !connection.isOpen());
    }

    @Test
    void consumingFromQueueWithExclusiveConsumerIsAccessRefused() throws Exception {
        Channel owner = channel();
        String queue = owner.queueDeclare("exclusive-consumer-q", false, false, false, null).getQueue();
        owner.basicConsume(queue, true, "", false, true, null, new DefaultConsumer(owner));
        Channel other = channel();
        ShutdownSignalException e = shutdownOf(() -> other.basicConsume(queue, true, (t, d) -> { }, t -> { }));
        assertChannelClosed(e, 403, queue);
        Channel sameConnection = owner.getConnection().createChannel();
        ShutdownSignalException again = shutdownOf(() -> sameConnection.basicConsume(queue, true, (t, d) -> { }, t -> { }));
        assertChannelClosed(again, 403, queue);
        assertEquals(1, owner.queueDeclarePassive(queue).getConsumerCount());
    }

    @Test
    void exclusiveConsumeOnQueueThatHasConsumersIsAccessRefused() throws Exception {
        Channel first = channel();
        String queue = first.queueDeclare("exclusive-consume-late", false, false, false, null).getQueue();
        first.basicConsume(queue, true, (t, d) -> { }, t -> { });
        Channel other = channel();
        ShutdownSignalException e = shutdownOf(
                () -> other.basicConsume(queue, true, "", false, true, null, new DefaultConsumer(other)));
        assertChannelClosed(e, 403, queue);
        assertEquals(1, first.queueDeclarePassive(queue).getConsumerCount());
    }

    @Test
    void basicCancelIsConfirmedAndStopsDeliveries() throws Exception {
        Channel ch = channel();
        String queue = ch.queueDeclare("", false, true, false, null).getQueue(); // not auto-delete: it outlives the consumer
        BlockingQueue<String> delivered = new LinkedBlockingQueue<>();
        BlockingQueue<String> cancelOks = new LinkedBlockingQueue<>();
        String tag = ch.basicConsume(queue, true, new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                delivered.add(text(body));
            }

            @Override
            public void handleCancelOk(String consumerTag) {
                cancelOks.add(consumerTag);
            }
        });
        Channel producer = channel();
        producer.basicPublish("", queue, null, bytes("before-cancel"));
        assertEquals("before-cancel", delivered.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS));
        ch.basicCancel(tag);
        assertEquals(tag, cancelOks.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS));
        assertEquals(0, ch.queueDeclarePassive(queue).getConsumerCount());
        producer.basicPublish("", queue, null, bytes("after-cancel"));
        assertEquals("after-cancel", text(getWithin(ch, queue, true).getBody()), "stays in the queue");
        assertTrue(delivered.isEmpty(), "nothing delivered after cancel: " + delivered);
    }

    @Test
    void twoConsumersOnAQueueReceiveMessagesRoundRobin() throws Exception {
        Channel ch = channel();
        String queue = ch.queueDeclare().getQueue();
        BlockingQueue<String[]> deliveries = new LinkedBlockingQueue<>();
        String a = ch.basicConsume(queue, true, (tag, d) -> deliveries.add(new String[] {tag, text(d.getBody())}), t -> { });
        String b = ch.basicConsume(queue, true, (tag, d) -> deliveries.add(new String[] {tag, text(d.getBody())}), t -> { });
        Channel producer = channel();
        for (int i = 0; i < 10; i++) {
            producer.basicPublish("", queue, null, bytes("m" + i));
        }
        List<String> tags = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String[] next = deliveries.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            assertNotNull(next, "delivery " + i + " missing");
            assertEquals("m" + i, next[1]);
            tags.add(next[0]);
        }
        for (int i = 1; i < tags.size(); i++) {
            assertNotEquals(tags.get(i - 1), tags.get(i), "deliveries should alternate: " + tags);
        }
        assertEquals(5, tags.stream().filter(a::equals).count());
        assertEquals(5, tags.stream().filter(b::equals).count());
    }

    @Test
    void deletingConsumedQueueSendsBasicCancelToTheConsumer() throws Exception {
        Channel ch = channel();
        String queue = ch.queueDeclare("cancelled-by-delete", false, false, false, null).getQueue();
        BlockingQueue<String> cancels = new LinkedBlockingQueue<>();
        BlockingQueue<String> cancelOks = new LinkedBlockingQueue<>();
        String tag = ch.basicConsume(queue, true, new DefaultConsumer(ch) {
            @Override
            public void handleCancel(String consumerTag) {
                cancels.add(consumerTag);
            }

            @Override
            public void handleCancelOk(String consumerTag) {
                cancelOks.add(consumerTag);
            }
        });
        channel().queueDelete(queue);
        assertEquals(tag, cancels.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS), "handleCancel not called");
        assertTrue(cancelOks.isEmpty());
        assertTrue(ch.isOpen(), "the channel stays open");
        ch.queueDeclare();
    }

    // ---- basic.get ----

    @Test
    void basicGetReportsRemainingMessagesAndGetEmptyWhenDrained() throws Exception {
        Channel ch = channel();
        assertGetsDrainQueue(ch, ch.queueDeclare().getQueue());
    }

    @Test
    void basicGetSeesMessagesPublishedBeforeOnTheSameChannelWhenTheQueueBelongsToAnotherConnection() throws Exception {
        Channel owner = channel();
        for (int attempt = 0; attempt < 10; attempt++) {
            String queue = owner.queueDeclare("", false, false, true, null).getQueue();
            assertGetsDrainQueue(channel(), queue);
        }
    }

    /** Publishes three messages on the channel, then gets them back one by one with no waiting: RabbitMQ orders both. */
    private static void assertGetsDrainQueue(Channel ch, String queue) throws Exception {
        for (int i = 0; i < 3; i++) {
            ch.basicPublish("", queue, null, bytes("m" + i));
        }
        long previousTag = 0;
        for (int i = 0; i < 3; i++) {
            GetResponse got = ch.basicGet(queue, true);
            assertNotNull(got, "get-empty for message " + i);
            assertEquals("m" + i, text(got.getBody()));
            assertEquals(2 - i, got.getMessageCount());
            assertEquals("", got.getEnvelope().getExchange());
            assertEquals(queue, got.getEnvelope().getRoutingKey());
            assertFalse(got.getEnvelope().isRedeliver());
            assertTrue(got.getEnvelope().getDeliveryTag() > previousTag);
            previousTag = got.getEnvelope().getDeliveryTag();
        }
        assertNull(ch.basicGet(queue, true), "expected get-empty");
    }

    @Test
    void basicGetOnEmptyQueueIsGetEmpty() throws Exception {
        Channel ch = channel();
        String queue = ch.queueDeclare().getQueue();
        assertNull(ch.basicGet(queue, true));
        assertNull(ch.basicGet(queue, false));
        assertTrue(ch.isOpen());
    }

    @Test
    void basicGetFromMissingQueueIsNotFound() throws Exception {
        Channel ch = channel();
        ShutdownSignalException e = shutdownOf(() -> ch.basicGet("no-such-queue-for-get", true));
        assertChannelClosed(e, 404, "no-such-queue-for-get");
    }

    // ---- acknowledgements ----

    @Test
    void noAckConsumerMessagesAreNotRequeuedWhenTheChannelCloses() throws Exception {
        Connection connection = connect();
        Channel admin = connection.createChannel();
        String queue = admin.queueDeclare("", false, true, false, null).getQueue(); // outlives its consumer
        Channel ch = connection.createChannel();
        BlockingQueue<Delivery> delivered = new LinkedBlockingQueue<>();
        ch.basicConsume(queue, true, (tag, d) -> delivered.add(d), tag -> { });
        for (int i = 0; i < 3; i++) {
            admin.basicPublish("", queue, null, bytes("m" + i));
        }
        for (int i = 0; i < 3; i++) {
            Delivery d = delivered.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            assertNotNull(d);
            assertEquals("m" + i, text(d.getBody()));
        }
        ch.close();
        admin.basicPublish("", queue, null, bytes("fence"));
        GetResponse next = getWithin(admin, queue, true);
        assertEquals("fence", text(next.getBody()), "no-ack deliveries must not come back");
        assertEquals(0, next.getMessageCount());
    }

    @Test
    void manuallyAckedMessagesAreGoneForGood() throws Exception {
        Connection connection = connect();
        Channel admin = connection.createChannel();
        String queue = admin.queueDeclare("", false, true, false, null).getQueue(); // outlives its consumer
        Channel ch = connection.createChannel();
        BlockingQueue<Delivery> delivered = new LinkedBlockingQueue<>();
        ch.basicConsume(queue, false, (tag, d) -> delivered.add(d), tag -> { });
        for (int i = 0; i < 3; i++) {
            admin.basicPublish("", queue, null, bytes("m" + i));
        }
        List<Delivery> got = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Delivery d = delivered.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            assertNotNull(d);
            assertEquals("m" + i, text(d.getBody()));
            assertFalse(d.getEnvelope().isRedeliver());
            got.add(d);
        }
        assertEquals(0, admin.queueDeclarePassive(queue).getMessageCount(), "unacked messages are not ready");
        ch.basicAck(got.get(0).getEnvelope().getDeliveryTag(), false);
        ch.basicAck(got.get(2).getEnvelope().getDeliveryTag(), true); // acks m1 and m2
        ch.queueDeclarePassive(queue); // an RPC after the acks: the channel accepted them
        assertTrue(ch.isOpen());
        ch.close();
        admin.basicPublish("", queue, null, bytes("fence"));
        assertEquals("fence", text(getWithin(admin, queue, true).getBody()), "acked messages must not come back");
    }

    @Test
    void ackOfUnknownDeliveryTagIsPreconditionFailed() throws Exception {
        Channel ch = channel();
        ShutdownSignalException e = closedAfter(ch, () -> ch.basicAck(12345, false));
        assertChannelClosed(e, 406, "12345");
    }

    @Test
    void ackingTheSameDeliveryTwiceIsPreconditionFailed() throws Exception {
        Channel ch = channel();
        String queue = ch.queueDeclare().getQueue();
        ch.basicPublish("", queue, null, bytes("once"));
        GetResponse got = getWithin(ch, queue, false);
        long tag = got.getEnvelope().getDeliveryTag();
        ch.basicAck(tag, false);
        ShutdownSignalException e = closedAfter(ch, () -> ch.basicAck(tag, false));
        assertChannelClosed(e, 406, Long.toString(tag));
    }

    @Test
    void unackedMessagesAreRequeuedAsRedeliveredWhenTheChannelCloses() throws Exception {
        Connection connection = connect();
        Channel admin = connection.createChannel();
        String queue = admin.queueDeclare("", false, false, false, null).getQueue();
        Channel ch = connect().createChannel();
        BlockingQueue<Delivery> delivered = new LinkedBlockingQueue<>();
        ch.basicConsume(queue, false, (tag, d) -> delivered.add(d), tag -> { });
        for (int i = 0; i < 3; i++) {
            admin.basicPublish("", queue, null, bytes("m" + i));
        }
        for (int i = 0; i < 3; i++) {
            Delivery d = delivered.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            assertNotNull(d);
            assertFalse(d.getEnvelope().isRedeliver());
        }
        ch.close();
        for (int i = 0; i < 3; i++) {
            GetResponse got = getWithin(admin, queue, true);
            assertEquals("m" + i, text(got.getBody()), "requeued in original order");
            assertTrue(got.getEnvelope().isRedeliver(), "redelivered flag on m" + i);
        }
        admin.basicPublish("", queue, null, bytes("fresh"));
        GetResponse fresh = getWithin(admin, queue, true);
        assertEquals("fresh", text(fresh.getBody()));
        assertFalse(fresh.getEnvelope().isRedeliver());
    }

    @Test
    void unackedBasicGetMessageIsRequeuedAsRedeliveredWhenTheChannelCloses() throws Exception {
        Connection connection = connect();
        Channel admin = connection.createChannel();
        String queue = admin.queueDeclare().getQueue();
        admin.basicPublish("", queue, null, bytes("got-not-acked"));
        Channel ch = connection.createChannel();
        GetResponse first = getWithin(ch, queue, false);
        assertFalse(first.getEnvelope().isRedeliver());
        ch.close();
        GetResponse again = getWithin(admin, queue, true);
        assertEquals("got-not-acked", text(again.getBody()));
        assertTrue(again.getEnvelope().isRedeliver());
    }

    // ---- helpers ----

    private static byte[] randomBytes(int size, long seed) {
        byte[] body = new byte[size];
        new Random(seed).nextBytes(body);
        return body;
    }

    /** Publishes each body, then checks each arrives intact both through a consumer and through basic.get. */
    private static void assertBodiesRoundTrip(Connection connection, List<byte[]> bodies) throws Exception {
        Channel ch = connection.createChannel();
        String queue = ch.queueDeclare().getQueue();
        for (byte[] body : bodies) {
            ch.basicPublish("", queue, null, body);
        }
        for (byte[] body : bodies) {
            byte[] got = getWithin(ch, queue, true).getBody();
            assertEquals(body.length, got.length);
            assertArrayEquals(body, got, "body of " + body.length + " bytes via basic.get");
        }
        BlockingQueue<byte[]> delivered = new LinkedBlockingQueue<>();
        ch.basicConsume(queue, true, (tag, d) -> delivered.add(d.getBody()), tag -> { });
        for (byte[] body : bodies) {
            ch.basicPublish("", queue, null, body);
        }
        for (byte[] body : bodies) {
            byte[] got = delivered.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            assertNotNull(got, "body of " + body.length + " bytes not delivered");
            assertEquals(body.length, got.length);
            assertArrayEquals(body, got, "body of " + body.length + " bytes via basic.deliver");
        }
    }

    private static GetResponse getWithin(Channel ch, String queue, boolean autoAck) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (true) {
            GetResponse got = ch.basicGet(queue, autoAck);
            if (got != null) {
                return got;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no message in " + queue + " before the deadline");
            }
            Thread.onSpinWait();
        }
    }

    private static void assertPropertiesEqual(AMQP.BasicProperties sent, AMQP.BasicProperties got) {
        assertEquals(sent.getContentType(), got.getContentType(), "content-type");
        assertEquals(sent.getContentEncoding(), got.getContentEncoding(), "content-encoding");
        assertEquals(normalize(sent.getHeaders()), normalize(got.getHeaders()), "headers");
        assertEquals(sent.getDeliveryMode(), got.getDeliveryMode(), "delivery-mode");
        assertEquals(sent.getPriority(), got.getPriority(), "priority");
        assertEquals(sent.getCorrelationId(), got.getCorrelationId(), "correlation-id");
        assertEquals(sent.getReplyTo(), got.getReplyTo(), "reply-to");
        assertEquals(sent.getExpiration(), got.getExpiration(), "expiration");
        assertEquals(sent.getMessageId(), got.getMessageId(), "message-id");
        assertEquals(sent.getTimestamp(), got.getTimestamp(), "timestamp");
        assertEquals(sent.getType(), got.getType(), "type");
        assertEquals(sent.getUserId(), got.getUserId(), "user-id");
        assertEquals(sent.getAppId(), got.getAppId(), "app-id");
        assertEquals(sent.getClusterId(), got.getClusterId(), "cluster-id");
    }

    /**
     * A comparable form of a field value that keeps its wire type: the client decodes every string as a
     * LongString and byte arrays compare by identity, so both become plain values; numbers keep their class,
     * so an int that came back as a long (a different field type on the wire) does not compare equal.
     */
    private static Object normalize(Object value) {
        if (value instanceof LongString s) {
            return "S:" + s;
        }
        if (value instanceof String s) {
            return "S:" + s;
        }
        if (value instanceof byte[] b) {
            return "x:" + Arrays.toString(b);
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> out = new HashMap<>();
            map.forEach((k, v) -> out.put(k.toString(), normalize(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(v -> out.add(normalize(v)));
            return out;
        }
        if (value instanceof Date date) {
            return "T:" + date.getTime();
        }
        if (value instanceof BigDecimal decimal) {
            return "D:" + decimal.unscaledValue() + "e-" + decimal.scale();
        }
        return value; // Integer, Long, Short, Byte, Boolean, Double, Float, null: class-sensitive equals
    }

}
