package dev.warren.amqp.it;

import static dev.warren.amqp.it.SharedBrokerIT.assertChannelClosed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import dev.warren.amqp.AmqpSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The consumer acknowledgement timeout, as RabbitMQ 3.13 has it: a delivery (to a consumer or basic.get) not
 * acknowledged within {@code consumer_timeout}, or the queue's {@code x-consumer-timeout}, closes its channel
 * with 406 and RabbitMQ's text, and the channel's unacked messages go back to their queues. Warren only: the
 * broker here times out after a second, RabbitMQ's default is 30 minutes.
 */
@Timeout(60)
class ConsumerTimeoutIT {
    private static final long TIMEOUT_MILLIS = 1000;
    private static BrokerFixture broker;
    private Connection connection;
    private Channel channel;

    @BeforeAll
    static void start() throws Exception {
        broker = BrokerFixture.start(AmqpSettings.defaults().withConsumerTimeout(TIMEOUT_MILLIS));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @BeforeEach
    void open() throws Exception {
        connection = broker.connect();
        channel = connection.createChannel();
    }

    @AfterEach
    void close() {
        connection.abort();
    }

    private String declare(String queue, Map<String, Object> arguments) throws Exception {
        channel.queueDelete(queue);
        channel.queueDeclare(queue, false, false, false, arguments);
        return queue;
    }

    private void publish(String queue, String body) throws Exception {
        channel.basicPublish("", queue, null, body.getBytes(StandardCharsets.UTF_8));
    }

    /** A channel whose consumer takes deliveries (manual ack) and never acks them. */
    private BlockingQueue<Delivery> neverAcking(Channel ch, String queue, String tag) throws Exception {
        BlockingQueue<Delivery> delivered = new LinkedBlockingQueue<>();
        ch.basicConsume(queue, false, tag, new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                delivered.add(new Delivery(envelope, properties, body));
            }
        });
        return delivered;
    }

    private static ShutdownSignalException awaitClosed(BlockingQueue<ShutdownSignalException> closed) throws Exception {
        ShutdownSignalException signal = closed.poll(10, TimeUnit.SECONDS);
        assertNotNull(signal, "the broker did not close the channel within 10 s");
        return signal;
    }

    private static BlockingQueue<ShutdownSignalException> closings(Channel ch) {
        BlockingQueue<ShutdownSignalException> closed = new LinkedBlockingQueue<>();
        ch.addShutdownListener(closed::add);
        return closed;
    }

    @Test
    void aDeliveryNotAckedInTimeClosesItsChannelWith406AndRabbitMqsTextNamingTheConsumerAndQueue() throws Exception {
        String queue = declare("ct.never", null);
        publish(queue, "job");
        long timeoutsBefore = broker.broker().stats().consumerTimeouts.sum();
        Channel worker = connection.createChannel();
        BlockingQueue<ShutdownSignalException> closed = closings(worker);

        BlockingQueue<Delivery> delivered = neverAcking(worker, queue, "slow-worker");
        assertNotNull(delivered.poll(10, TimeUnit.SECONDS), "the delivery");
        long deliveredAt = System.nanoTime();
        ShutdownSignalException signal = awaitClosed(closed);
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - deliveredAt);

        assertFalse(signal.isHardError(), "only the channel is closed");
        AMQP.Channel.Close close = assertInstanceOf(AMQP.Channel.Close.class, signal.getReason());
        assertEquals(406, close.getReplyCode());
        assertEquals("PRECONDITION_FAILED - delivery acknowledgement on channel " + worker.getChannelNumber()
                + " timed out. Timeout value used: 1000 ms. This timeout value can be configured, see consumers doc "
                + "guide to learn more (consumer tag 'slow-worker' on queue 'ct.never' in vhost '/')", close.getReplyText());
        assertEquals(0, close.getClassId(), "no method caused it, as in RabbitMQ");
        assertEquals(0, close.getMethodId());
        assertTrue(waitedMillis >= TIMEOUT_MILLIS - 100, "closed after " + waitedMillis + " ms, before the timeout");
        assertTrue(waitedMillis < TIMEOUT_MILLIS + 3000, "closed only after " + waitedMillis + " ms");
        assertTrue(connection.isOpen() && channel.isOpen(), "the connection and its other channels stay open");
        assertEquals(timeoutsBefore + 1, broker.broker().stats().consumerTimeouts.sum(), "counted for /metrics");
    }

    @Test
    void theTimedOutMessageIsRequeuedAndAnotherConsumerGetsItRedelivered() throws Exception {
        String queue = declare("ct.requeue", null);
        publish(queue, "job");
        Channel first = connection.createChannel();
        BlockingQueue<ShutdownSignalException> closed = closings(first);
        Delivery original = neverAcking(first, queue, "first").poll(10, TimeUnit.SECONDS);
        assertNotNull(original, "the first delivery");
        assertFalse(original.getEnvelope().isRedeliver());
        awaitClosed(closed);

        Channel second = connection.createChannel();
        BlockingQueue<Delivery> again = new LinkedBlockingQueue<>();
        second.basicConsume(queue, false, (tag, delivery) -> {
            again.add(delivery);
            second.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
        }, tag -> { });
        Delivery redelivery = again.poll(10, TimeUnit.SECONDS);
        assertNotNull(redelivery, "the requeued message");
        assertEquals("job", new String(redelivery.getBody(), StandardCharsets.UTF_8));
        assertTrue(redelivery.getEnvelope().isRedeliver());
    }

    @Test
    void aConsumerThatAcksInTimeKeepsItsChannelWhileItWorksLongerThanTheTimeout() throws Exception {
        String queue = declare("ct.prompt", null);
        for (int i = 0; i < 6; i++) {
            publish(queue, "job" + i);
        }
        long timeoutsBefore = broker.broker().stats().consumerTimeouts.sum();
        ScheduledExecutorService work = Executors.newSingleThreadScheduledExecutor();
        try {
            Channel worker = connection.createChannel();
            worker.basicQos(1);
            AtomicInteger acked = new AtomicInteger();
            long started = System.nanoTime();
            // each job takes 300 ms of the 1000 ms allowed; all six take longer than the timeout
            worker.basicConsume(queue, false, (tag, delivery) -> work.schedule(() -> {
                worker.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
                return acked.incrementAndGet();
            }, 300, TimeUnit.MILLISECONDS), tag -> { });
            BrokerFixture.await("six acks", 20_000, () -> acked.get() == 6);
            assertTrue(System.nanoTime() - started > TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS));
            assertTrue(worker.isOpen(), "acking in time keeps the channel open");
            assertEquals(timeoutsBefore, broker.broker().stats().consumerTimeouts.sum());
        } finally {
            work.shutdownNow();
        }
    }

    @Test
    void aQueuesXConsumerTimeoutOverridesTheServersShorterOrLonger() throws Exception {
        String patient = declare("ct.patient", Map.of("x-consumer-timeout", 60_000));
        String impatient = declare("ct.impatient", Map.of("x-consumer-timeout", 300L));
        String plain = declare("ct.plain", null);
        publish(patient, "p");
        publish(impatient, "i");
        publish(plain, "d");

        Channel onPatient = connection.createChannel();
        assertNotNull(neverAcking(onPatient, patient, "patient").poll(10, TimeUnit.SECONDS));
        Channel onImpatient = connection.createChannel();
        BlockingQueue<ShutdownSignalException> impatientClosed = closings(onImpatient);
        assertNotNull(neverAcking(onImpatient, impatient, "impatient").poll(10, TimeUnit.SECONDS));
        Channel onPlain = connection.createChannel();
        BlockingQueue<ShutdownSignalException> plainClosed = closings(onPlain);
        assertNotNull(neverAcking(onPlain, plain, "plain").poll(10, TimeUnit.SECONDS));

        assertChannelClosed(awaitClosed(impatientClosed), 406, "Timeout value used: 300 ms.");
        assertChannelClosed(awaitClosed(plainClosed), 406, "Timeout value used: 1000 ms.");
        // the patient delivery went out first and has waited longer than the server's timeout by now
        assertTrue(onPatient.isOpen(), "the queue's 60 s timeout applies, not the server's 1 s");
    }

    @Test
    void aBasicGetNotAckedInTimeClosesTheChannelTooAsInRabbitMq() throws Exception {
        String queue = declare("ct.get", null);
        publish(queue, "job");
        Channel getter = connection.createChannel();
        BlockingQueue<ShutdownSignalException> closed = closings(getter);
        GetResponse got = Queues.awaitGet(getter, queue, false);
        assertFalse(got.getEnvelope().isRedeliver());

        assertChannelClosed(awaitClosed(closed), 406,
                "Timeout value used: 1000 ms. This timeout value can be configured, see consumers doc guide to learn "
                        + "more (basic.get from queue 'ct.get' in vhost '/')");
        GetResponse again = Queues.awaitGet(channel, queue, true);
        assertTrue(again.getEnvelope().isRedeliver(), "requeued by the closing channel");
    }

    @Test
    void aDeliveryWhoseAckWasRolledBackTimesOutFromWhenItWasSent() throws Exception {
        String queue = declare("ct.tx", Map.of("x-consumer-timeout", 300));
        publish(queue, "job");
        Channel tx = connection.createChannel();
        BlockingQueue<ShutdownSignalException> closed = closings(tx);
        tx.txSelect();
        GetResponse got = Queues.awaitGet(tx, queue, false);
        tx.basicAck(got.getEnvelope().getDeliveryTag(), false);
        tx.txRollback(); // the ack is undone: the delivery awaits its ack again

        assertChannelClosed(awaitClosed(closed), 406, "Timeout value used: 300 ms.");
        assertTrue(Queues.awaitGet(channel, queue, true).getEnvelope().isRedeliver());
    }

    /** The channel.close a synchronous method failed with. */
    private static AMQP.Channel.Close refusal(ThrowingAction action) {
        IOException error = assertThrows(IOException.class, action::run);
        return assertInstanceOf(AMQP.Channel.Close.class, ((ShutdownSignalException) error.getCause()).getReason());
    }

    private interface ThrowingAction {
        void run() throws Exception;
    }

    @Test
    void anInvalidXConsumerTimeoutIsRefusedWith406() throws Exception {
        Object[][] cases = {
                {0, "{value_zero,0}"},
                {-5, "{value_negative,-5}"},
                {"1000", "\"expected integer, got longstr\""},
        };
        for (Object[] c : cases) {
            Channel ch = connection.createChannel();
            AMQP.Channel.Close close = refusal(() -> ch.queueDeclare("ct.bad", false, false, false,
                    Map.of("x-consumer-timeout", c[0])));
            assertEquals(406, close.getReplyCode());
            assertEquals("PRECONDITION_FAILED - invalid arg 'x-consumer-timeout' for queue 'ct.bad' in vhost '/': " + c[1],
                    close.getReplyText());
        }
        Channel ch = connection.createChannel();
        assertEquals(404, refusal(() -> ch.queueDeclarePassive("ct.bad")).getReplyCode(), "no queue was declared");
        assertTrue(connection.isOpen());
    }
}
