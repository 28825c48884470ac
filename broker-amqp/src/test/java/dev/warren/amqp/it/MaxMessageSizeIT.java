package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import dev.warren.amqp.AmqpSettings;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * max_message_size, as RabbitMQ has it: a publish whose content header announces a larger body closes its
 * channel with 406 and RabbitMQ's text, before the body is buffered; one at the limit goes through; the
 * connection and its other channels carry on.
 */
@Timeout(60)
class MaxMessageSizeIT {
    private static final int LIMIT = 4096;
    private BrokerFixture broker;
    private Connection connection;

    @BeforeEach
    void start() throws Exception {
        broker = BrokerFixture.start(AmqpSettings.defaults().withMaxMessageSize(LIMIT));
        connection = broker.connect();
    }

    @AfterEach
    void stop() {
        connection.abort(2_000);
        broker.close();
    }

    @Test
    void aPublishLargerThanTheLimitClosesItsChannelWith406AndOneAtTheLimitGoesThrough() throws Exception {
        Channel other = connection.createChannel();
        String queue = other.queueDeclare().getQueue();
        Channel publisher = connection.createChannel();
        BlockingQueue<ShutdownSignalException> closed = new LinkedBlockingQueue<>();
        publisher.addShutdownListener(closed::add);

        publisher.basicPublish("", queue, null, new byte[LIMIT]);
        publisher.basicPublish("", queue, null, new byte[LIMIT + 1]);

        ShutdownSignalException signal = closed.poll(10, TimeUnit.SECONDS);
        assertNotNull(signal, "the channel was closed");
        AMQP.Channel.Close close = assertInstanceOf(AMQP.Channel.Close.class, signal.getReason());
        assertEquals(406, close.getReplyCode());
        assertEquals("PRECONDITION_FAILED - message size " + (LIMIT + 1) + " is larger than configured max size " + LIMIT,
                close.getReplyText());
        assertEquals(60, close.getClassId());
        assertEquals(40, close.getMethodId(), "basic.publish");
        assertTrue(connection.isOpen() && other.isOpen(), "the connection and its other channels carry on");
        Queues.awaitCount(other, queue, 1);
        assertEquals(LIMIT, other.basicGet(queue, true).getBody().length, "the one at the limit was taken");
    }
}
