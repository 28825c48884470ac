package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.warren.core.connection.ClientConnection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Flow control by queue depth: a publisher faster than a queue's consumer can read is read more slowly, so the
 * queue does not grow without bound — and nothing is lost, and a queue without consumers is never a reason.
 *
 * <p>The slow reader is the Java client with a work pool timeout: its reading thread waits while a thousand
 * deliveries are queued for the application, so a stuck consumer stops reading its socket, as pika's blocking
 * connection or any client that reads only when the application asks does.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class QueueFlowIT {
    private static final int MESSAGES = 60_000;
    /** 1 KiB: the sockets between the broker and the stuck consumer fill with ~10 MB, some 10,000 deliveries. */
    private static final int BODY_BYTES = 1024;
    /**
     * What the queue may hold while its consumer reads nothing: the flow's high mark (2,000), plus what was read
     * from the publisher's socket before it stopped (a read of up to 64 KiB, a few dozen of these publishes), and
     * generously as much again for the deliveries the consumer's socket gives back as it fills.
     */
    private static final int MOST_READY_WHILE_THE_CONSUMER_IS_STUCK = 20_000;

    @Test
    void aPublisherIsHeldToTheQueuesConsumerPaceAndNothingIsLost() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start();
             Connection publisherConnection = broker.factory().newConnection("publisher");
             Connection consumerConnection = slowReaderFactory(broker).newConnection()) {
            Channel consumerChannel = consumerConnection.createChannel();
            consumerChannel.queueDeclare("paced", false, false, false, null);
            CountDownLatch unstick = new CountDownLatch(1);
            AtomicInteger received = new AtomicInteger();
            consumerChannel.basicConsume("paced", true, new DefaultConsumer(consumerChannel) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                        throws java.io.IOException {
                    try {
                        unstick.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new java.io.IOException(e);
                    }
                    received.incrementAndGet();
                }
            });

            Channel publisher = publisherConnection.createChannel();
            CompletableFuture<Void> published = CompletableFuture.runAsync(() -> publish(publisher, "paced", MESSAGES, BODY_BYTES));

            BrokerFixture.await("the publisher to be held back", 30_000, () -> "flow".equals(stateOf(broker, "publisher")));
            int ready = broker.broker().vhost("/").queue("paced").messageCount();
            assertTrue(ready <= MOST_READY_WHILE_THE_CONSUMER_IS_STUCK, ready + " messages ready while the consumer reads nothing");
            assertFalse(published.isDone(), "the publisher cannot finish while the consumer is stuck");

            unstick.countDown();
            published.get(60, TimeUnit.SECONDS);
            BrokerFixture.await("every message to be consumed", 60_000, () -> received.get() == MESSAGES);
            BrokerFixture.await("the publisher to run again", 10_000, () -> "running".equals(stateOf(broker, "publisher")));
            assertEquals(0, broker.broker().vhost("/").queue("paced").messageCount());
        }
    }

    @Test
    void aQueueWithoutConsumersDoesNotHoldItsPublisherBack() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(); Connection connection = broker.connect()) {
            Channel channel = connection.createChannel();
            channel.queueDeclare("no-consumers", false, false, false, null);
            channel.confirmSelect();
            publish(channel, "no-consumers", 20_000, 16);
            channel.waitForConfirmsOrDie(30_000);
            assertEquals(20_000, broker.broker().vhost("/").queue("no-consumers").messageCount());
        }
    }

    private static ConnectionFactory slowReaderFactory(BrokerFixture broker) {
        ConnectionFactory factory = broker.factory();
        factory.setWorkPoolTimeout(80_000); // the reader waits (up to 80 s) while the application is behind
        return factory;
    }

    private static void publish(Channel channel, String queue, int count, int bodyBytes) {
        try {
            byte[] body = new byte[bodyBytes];
            for (int i = 0; i < count; i++) {
                channel.basicPublish("", queue, null, body);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The broker's state for the connection the client named so. */
    private static String stateOf(BrokerFixture broker, String clientName) {
        for (ClientConnection candidate : broker.broker().connections().list()) {
            if (clientName.equals(candidate.info().clientProperties().get("connection_name"))) {
                return candidate.state();
            }
        }
        return null;
    }
}
