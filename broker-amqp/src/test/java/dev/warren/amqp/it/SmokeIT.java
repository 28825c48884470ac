package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DeliverCallback;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SmokeIT {
    @Test
    void publishedMessageIsConsumedAndGot() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start();
             Connection producer = broker.connect();
             Connection consumer = broker.connect()) {
            Channel pch = producer.createChannel();
            Channel cch = consumer.createChannel();
            String queue = cch.queueDeclare().getQueue();
            BlockingQueue<String> received = new ArrayBlockingQueue<>(10);
            DeliverCallback onDeliver = (tag, delivery) -> received.add(new String(delivery.getBody(), StandardCharsets.UTF_8));
            cch.basicConsume(queue, true, onDeliver, tag -> { });
            pch.basicPublish("", queue, null, "hello".getBytes(StandardCharsets.UTF_8));
            assertEquals("hello", received.poll(5, TimeUnit.SECONDS));

            String q2 = pch.queueDeclare("smoke-get", false, false, false, null).getQueue();
            byte[] big = new byte[300_000];
            big[299_999] = 7;
            pch.basicPublish("", q2, null, big);
            GetResponse got = null;
            long deadline = System.currentTimeMillis() + 5000;
            while (got == null && System.currentTimeMillis() < deadline) {
                got = pch.basicGet(q2, true);
            }
            assertNotNull(got);
            assertEquals(300_000, got.getBody().length);
            assertEquals(7, got.getBody()[299_999]);
        }
    }
}
