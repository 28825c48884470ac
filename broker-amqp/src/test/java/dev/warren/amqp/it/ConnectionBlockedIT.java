package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.BlockedListener;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.core.store.ResourceAlarm;
import dev.warren.core.store.Storage;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The connection.blocked capability: a client that announces it hears connection.blocked (with RabbitMQ's
 * reason) when a resource alarm stops publishing, and connection.unblocked when it clears; with two alarms
 * it stays blocked until both have cleared. (DiskAlarmIT and MemoryAlarmIT in deploy raise the alarms the
 * real way, from the free-disk check and the memory watermark.)
 */
@Timeout(60)
class ConnectionBlockedIT {

    @Test
    void aPublishingConnectionIsToldItIsBlockedAndThenUnblocked() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start()) {
            ResourceAlarm disk = broker.broker().storage().diskAlarm();
            Connection publisher = broker.connect();
            try {
                BlockingQueue<String> events = listen(publisher);
                Channel channel = publisher.createChannel();
                String queue = channel.queueDeclare().getQueue();
                disk.set(true);
                channel.basicPublish("", queue, null, "first".getBytes());
                assertEquals("blocked: low on disk", events.poll(10, TimeUnit.SECONDS));
                assertEquals("blocked", broker.broker().connections().list().get(0).state(), "as management shows it");
                disk.set(false);
                assertEquals("unblocked", events.poll(10, TimeUnit.SECONDS));
                BrokerFixture.await("the connection to run again", 5_000,
                        () -> broker.broker().connections().list().get(0).state().equals("running"));
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

    @Test
    void theMemoryAlarmBlocksWithLowOnMemory() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start()) {
            ResourceAlarm memory = broker.broker().storage().memoryAlarm().alarm();
            Connection publisher = broker.connect();
            try {
                BlockingQueue<String> events = listen(publisher);
                Channel channel = publisher.createChannel();
                String queue = channel.queueDeclare().getQueue();
                memory.set(true);
                channel.basicPublish("", queue, null, "first".getBytes());
                assertEquals("blocked: low on memory", events.poll(10, TimeUnit.SECONDS));
                memory.set(false);
                assertEquals("unblocked", events.poll(10, TimeUnit.SECONDS));
            } finally {
                memory.set(false);
                publisher.abort(2_000);
            }
        }
    }

    @Test
    void withBothAlarmsTheReasonNamesBothAndTheConnectionStaysBlockedUntilBothClear() throws Exception {
        try (BrokerFixture broker = BrokerFixture.startOnOneLoop(Storage.inMemory())) {
            ResourceAlarm disk = broker.broker().storage().diskAlarm();
            ResourceAlarm memory = broker.broker().storage().memoryAlarm().alarm();
            Connection publisher = broker.connect();
            try {
                BlockingQueue<String> events = listen(publisher);
                Channel channel = publisher.createChannel();
                String queue = channel.queueDeclare().getQueue();
                memory.set(true);
                disk.set(true);
                channel.basicPublish("", queue, null, "first".getBytes());
                assertEquals("blocked: low on disk & memory", events.poll(10, TimeUnit.SECONDS), "RabbitMQ's wording");
                memory.set(false);
                // a connection that was told it is blocked is not told again, nor unblocked while disk is low
                Channel observer = broker.connect().createChannel();
                try {
                    // one loop serves both connections, and it runs the tasks queued in a cycle at the latest after
                    // that cycle's reads: the second round trip starts after the alarm task has run
                    observer.exchangeDeclarePassive("amq.direct");
                    observer.exchangeDeclarePassive("amq.direct");
                    assertEquals(null, events.poll());
                } finally {
                    observer.getConnection().abort(2_000);
                }
                disk.set(false);
                assertEquals("unblocked", events.poll(10, TimeUnit.SECONDS));
            } finally {
                disk.set(false);
                memory.set(false);
                publisher.abort(2_000);
            }
        }
    }

    private static BlockingQueue<String> listen(Connection connection) {
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        connection.addBlockedListener(new BlockedListener() {
            @Override
            public void handleBlocked(String reason) {
                events.add("blocked: " + reason);
            }

            @Override
            public void handleUnblocked() {
                events.add("unblocked");
            }
        });
        return events;
    }
}
