package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.BlockedListener;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Below the free-disk limit, publishers are blocked with connection.blocked instead of anything being written. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DiskAlarmIT {
    @TempDir
    Path dataDir;

    @Test
    void aPublisherIsBlockedWhileFreeDiskIsBelowTheLimitAndOthersStillWork() throws Exception {
        // a limit no disk meets: the alarm is raised at once
        ServerConfig config = ServerConfig.defaults().withAmqpPort(0).withMgmtPort(0).withDataDir(dataDir)
                .withStorage(StorageConfig.defaults().withDiskFreeLimit(Long.MAX_VALUE / 2));
        try (WarrenServer server = WarrenServer.start(config)) {
            ConnectionFactory factory = new ConnectionFactory();
            factory.setHost("127.0.0.1");
            factory.setPort(server.amqpPort());
            factory.setAutomaticRecoveryEnabled(false);
            Connection publisher = factory.newConnection();
            // a blocked connection is not read, so its close would wait: it is aborted instead, as in RabbitMQ
            try (Connection observer = factory.newConnection()) {
                BlockingQueue<String> reasons = new LinkedBlockingQueue<>();
                publisher.addBlockedListener(new BlockedListener() {
                    @Override
                    public void handleBlocked(String reason) {
                        reasons.add(reason);
                    }

                    @Override
                    public void handleUnblocked() {
                        reasons.add("unblocked");
                    }
                });
                Channel ch = publisher.createChannel();
                ch.queueDeclare("alarm", true, false, false, null);
                ch.basicPublish("", "alarm", null, "first".getBytes());
                assertEquals("low on disk", reasons.poll(10, TimeUnit.SECONDS), "connection.blocked with RabbitMQ's reason");
                for (int i = 0; i < 10; i++) {
                    ch.basicPublish("", "alarm", null, "held back".getBytes());
                }
                Channel other = observer.createChannel();
                // the observer, which does not publish, is served; the held-back publishes were never read
                assertEquals(1, other.queueDeclarePassive("alarm").getMessageCount());
                assertTrue(publisher.isOpen(), "blocked, not closed");
            } finally {
                publisher.abort(2000);
            }
        }
    }
}
