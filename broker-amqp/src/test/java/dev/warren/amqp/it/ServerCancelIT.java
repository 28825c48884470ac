package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.warren.amqp.it.RawAmqpClient.Args;
import dev.warren.amqp.it.RawAmqpClient.RawFrame;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Server-sent basic.cancel when a consumed queue is deleted: sent to clients that announce the
 * consumer_cancel_notify capability, and not to those that do not (as RabbitMQ decides per connection).
 */
@Timeout(60)
class ServerCancelIT extends SharedBrokerIT {
    private final List<RawAmqpClient> rawClients = new ArrayList<>();

    @AfterEach
    void closeRawClients() {
        rawClients.forEach(RawAmqpClient::close);
    }

    @Test
    void deletingAConsumedQueueFromAnotherConnectionCallsHandleCancel() throws Exception {
        Channel ch = connect().createChannel();
        String queue = ch.queueDeclare("cancel-on-delete", false, false, false, null).getQueue();
        String survivingQueue = ch.queueDeclare("", false, false, false, null).getQueue();
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        String tag = ch.basicConsume(queue, true, recordingConsumer(ch, events));
        String otherTag = ch.basicConsume(survivingQueue, true, recordingConsumer(ch, events));

        Channel deleter = connect().createChannel();
        deleter.queueDelete(queue);

        assertEquals("cancel " + tag, events.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS), "handleCancel with the consumer's tag");
        assertTrue(ch.isOpen(), "the consumer's channel stays open");
        deleter.basicPublish("", survivingQueue, null, "still here".getBytes(StandardCharsets.UTF_8));
        assertEquals("deliver " + otherTag + " still here", events.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS),
                "the channel's other consumer is unaffected");
        assertEquals(1, ch.queueDeclarePassive(survivingQueue).getConsumerCount());
        assertTrue(events.isEmpty(), "no cancel-ok or anything else: " + events);
    }

    @Test
    void unackedDeliveriesFromAQueueDeletedUnderTheConsumerCanStillBeAcked() throws Exception {
        Channel ch = connect().createChannel();
        String queue = ch.queueDeclare("", false, false, false, null).getQueue();
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        BlockingQueue<Long> tags = new LinkedBlockingQueue<>();
        String tag = ch.basicConsume(queue, false, new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                tags.add(envelope.getDeliveryTag());
            }

            @Override
            public void handleCancel(String consumerTag) {
                events.add("cancel " + consumerTag);
            }
        });
        Channel other = connect().createChannel();
        other.basicPublish("", queue, null, "m0".getBytes(StandardCharsets.UTF_8));
        Long deliveryTag = tags.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        assertNotNull(deliveryTag, "no delivery");

        other.queueDelete(queue);
        assertEquals("cancel " + tag, events.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS));
        ch.basicAck(deliveryTag, false);
        ch.queueDeclare(); // a round trip after the ack
        assertTrue(ch.isOpen(), "acking a delivery of the deleted queue is not an error");
    }

    @Test
    void clientWithConsumerCancelNotifyGetsBasicCancelWithNowait() throws Exception {
        RawAmqpClient raw = RawAmqpClient.connectAndOpen(broker.port()); // announces consumer_cancel_notify
        rawClients.add(raw);
        Scenario scenario = Scenario.start(this, raw);

        scenario.deleteConsumedQueueAndPublishSentinel();

        RawFrame cancel = raw.expectMethod(1, 60, 30, WAIT_MILLIS);
        Args.Reader r = cancel.arguments();
        assertEquals("doomed-consumer", r.shortstr());
        assertEquals(1, r.octet() & 1, "basic.cancel from the server has nowait set");
        assertEquals("sentinel", scenario.readSentinelDelivery());
    }

    @Test
    void clientWithoutConsumerCancelNotifyGetsNoBasicCancel() throws Exception {
        RawAmqpClient raw = connectWithoutCancelNotify();
        Scenario scenario = Scenario.start(this, raw);

        scenario.deleteConsumedQueueAndPublishSentinel();

        // the sentinel is delivered through the same channel after the deletion; a basic.cancel, had one
        // been sent, would come before it
        assertEquals("sentinel", scenario.readSentinelDelivery());
        raw.sendMethod(1, 60, 30, new Args().shortstr("doomed-consumer").bits(false)); // the client cancels itself
        raw.expectMethod(1, 60, 31, WAIT_MILLIS); // cancel-ok, and still no basic.cancel in between
    }

    // ---- helpers ----

    /**
     * A raw client consuming on channel 1 from a queue about to be deleted ("doomed-consumer") and from a
     * sentinel queue ("sentinel-consumer"), with both queues owned by another connection.
     */
    private record Scenario(RawAmqpClient raw, Channel admin, String doomed, String sentinel) {
        static Scenario start(ServerCancelIT test, RawAmqpClient raw) throws Exception {
            Channel admin = test.connect().createChannel();
            String doomed = admin.queueDeclare("", false, false, false, null).getQueue();
            String sentinel = admin.queueDeclare("", false, false, false, null).getQueue();
            raw.openChannel(1);
            consume(raw, doomed, "doomed-consumer");
            consume(raw, sentinel, "sentinel-consumer");
            return new Scenario(raw, admin, doomed, sentinel);
        }

        private static void consume(RawAmqpClient raw, String queue, String tag) throws IOException {
            raw.sendMethod(1, 60, 20, new Args().shortInt(0).shortstr(queue).shortstr(tag)
                    .bits(false, true, false, false).emptyTable()); // no-ack
            raw.expectMethod(1, 60, 21, WAIT_MILLIS);
        }

        void deleteConsumedQueueAndPublishSentinel() throws IOException {
            AMQP.Queue.DeleteOk deleted = admin.queueDelete(doomed);
            assertEquals(0, deleted.getMessageCount());
            admin.basicPublish("", sentinel, null, "sentinel".getBytes(StandardCharsets.UTF_8));
        }

        /** Reads the sentinel's delivery; anything else on the wire first fails the test. */
        String readSentinelDelivery() throws IOException {
            RawFrame deliver = nextFrame();
            if (!deliver.isMethod(60, 60)) {
                String what = deliver.isMethod(60, 30) ? "basic.cancel for " + deliver.arguments().shortstr() : deliver.toString();
                fail("expected the sentinel's basic.deliver, got " + what);
            }
            assertEquals("sentinel-consumer", deliver.arguments().shortstr());
            RawFrame header = nextFrame();
            assertEquals(RawAmqpClient.HEADER, header.type());
            RawFrame body = nextFrame();
            assertEquals(RawAmqpClient.BODY, body.type());
            return new String(body.payload(), StandardCharsets.UTF_8);
        }

        private RawFrame nextFrame() throws IOException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
            while (System.nanoTime() < deadline) {
                RawFrame frame = raw.readFrame(WAIT_MILLIS);
                if (frame != null && frame.type() != RawAmqpClient.HEARTBEAT) {
                    return frame;
                }
            }
            throw new AssertionError("nothing from the broker before the deadline");
        }
    }

    /** The raw handshake, with client capabilities that leave out consumer_cancel_notify. */
    private RawAmqpClient connectWithoutCancelNotify() throws IOException {
        RawAmqpClient raw = RawAmqpClient.connect(broker.port());
        rawClients.add(raw);
        raw.sendHeaderAndReadStart();
        Map<String, Object> capabilities = new LinkedHashMap<>();
        capabilities.put("publisher_confirms", true);
        capabilities.put("basic.nack", true);
        Map<String, Object> clientProperties = new LinkedHashMap<>();
        clientProperties.put("product", "old-client-without-cancel-notify");
        clientProperties.put("capabilities", capabilities);
        raw.sendMethod(0, 10, 11, new Args().table(clientProperties).shortstr("PLAIN")
                .longstr("\0guest\0guest".getBytes(StandardCharsets.UTF_8)).shortstr("en_US"));
        RawFrame tune = raw.expectMethod(0, 10, 30, WAIT_MILLIS);
        Args.Reader r = tune.arguments();
        raw.tuneOk(r.shortInt(), r.longInt(), r.shortInt());
        raw.openVhost("/");
        return raw;
    }

    private static DefaultConsumer recordingConsumer(Channel ch, BlockingQueue<String> events) {
        return new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                events.add("deliver " + consumerTag + " " + new String(body, StandardCharsets.UTF_8));
            }

            @Override
            public void handleCancel(String consumerTag) {
                events.add("cancel " + consumerTag);
            }

            @Override
            public void handleCancelOk(String consumerTag) {
                events.add("cancel-ok " + consumerTag);
            }
        };
    }

}
