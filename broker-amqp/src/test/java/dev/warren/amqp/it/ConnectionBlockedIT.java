package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.BlockedListener;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.core.store.ResourceAlarm;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The connection.blocked capability: a client that announces it hears connection.blocked (with RabbitMQ's
 * reason) when a resource alarm stops publishing, and connection.unblocked when it clears. (DiskAlarmIT in
 * deploy raises the alarm the real way, from the free-disk check.)
 */
@Timeout(60)
class ConnectionBlockedIT {

    @Test
    void aPublishingConnectionIsToldItIsBlockedAndThenUnblocked() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start()) {
            ResourceAlarm disk = broker.broker().storage().diskAlarm();
            Connection publisher = broker.connect();
            try {
                BlockingQueue<String> events = new LinkedBlockingQueue<>();
                publisher.addBlockedListener(new BlockedListener() {
                    @Override
                    public void handleBlocked(String reason) {
                        events.add("blocked: " + reason);
                    }

                    @Override
                    public void handleUnblocked() {
                        events.add("unblocked");
                    }
                });
                Channel channel = publisher.createChannel();
                String queue = channel.queueDeclare().getQueue();
                disk.set(true);
                channel.basicPublish("", queue, null, "first".getBytes());
                assertEquals("blocked: low on disk", events.poll(10, TimeUnit.SECONDS));
                disk.set(false);
                assertEquals("unblocked", events.poll(10, TimeUnit.SECONDS));
                channel.basicPublish("", queue, null, "second".getBytes());
                BrokerFixture.await("both messages", 5_000, () -> {
                    try {
                        return channel.queueDeclarePassive(queue).getMessageCount() == 2;
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
                assertTrue(publisher.isOpen());
            } finally {
                disk.set(false);
                publisher.abort(2_000);
            }
        }
    }
}
