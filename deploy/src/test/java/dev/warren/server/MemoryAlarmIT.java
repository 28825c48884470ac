package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BlockedListener;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The memory alarm end to end, triggered as an operator (or RabbitMQ's own tests) would: `warrenctl
 * set_vm_memory_high_watermark absolute 1` puts the watermark under what any broker uses. The Java client's
 * BlockedListener of a connection that has published hears "low on memory"; what is queued keeps flowing to
 * a consumer; what the blocked connection publishes next is not read until `set_vm_memory_high_watermark
 * 0.6` clears the alarm. (pika's view, a first publish during the alarm: PikaMemoryAlarmIT.) The
 * alarms health check, the overview and warrenctl status show the alarm while it is up.
 */
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MemoryAlarmIT {
    private static final String QUEUE = "memory-alarm";
    private static final int QUEUED = 5;
    private static final int HELD_BACK = 3;

    @TempDir
    Path dataDir;

    @Test
    void theAlarmBlocksPublishersWhileConsumersDrainAndRaisingTheWatermarkUnblocks() throws Exception {
        ServerConfig config = ServerConfig.defaults().withAmqpPort(0).withMgmtPort(LocalWarrenctl.freePort())
                .withDataDir(dataDir);
        try (WarrenServer server = WarrenServer.start(config)) {
            LocalWarrenctl warrenctl = new LocalWarrenctl(dataDir);
            ConnectionFactory factory = new ConnectionFactory();
            factory.setHost("127.0.0.1");
            factory.setPort(server.amqpPort());
            factory.setAutomaticRecoveryEnabled(false);
            Connection publisher = factory.newConnection();
            // a blocked connection is not read, so its close would wait: it is aborted instead, as in RabbitMQ
            try (Connection consuming = factory.newConnection()) {
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
                Channel ch = publisher.createChannel();
                ch.queueDeclare(QUEUE, true, false, false, null);
                ch.confirmSelect();
                for (int i = 0; i < QUEUED; i++) {
                    ch.basicPublish("", QUEUE, null, ("queued " + i).getBytes(StandardCharsets.UTF_8));
                }
                ch.waitForConfirmsOrDie(10_000);
                assertEquals(200, alarmsCheck(server).statusCode());

                warrenctl.run("set_vm_memory_high_watermark", "absolute", "1");
                assertTrue(server.broker().storage().memoryAlarm().raised(), "judged at once against the last reading");
                HttpResponse<String> check = alarmsCheck(server);
                assertEquals(503, check.statusCode(), check.body());
                assertTrue(check.body().contains("\"resource\":\"memory\""), check.body());
                assertTrue(warrenctl.run("status").contains("\nAlarms\n\nMemory alarm on node "), "warrenctl status");

                // this connection has published: it is blocked as soon as the alarm rises, without publishing again
                assertEquals("blocked: low on memory", events.poll(10, TimeUnit.SECONDS));
                for (int i = 0; i < HELD_BACK; i++) {
                    ch.basicPublish("", QUEUE, null, ("held back " + i).getBytes(StandardCharsets.UTF_8));
                }

                List<String> received = new CopyOnWriteArrayList<>();
                Channel consumer = consuming.createChannel();
                consumer.basicConsume(QUEUE, true, new DefaultConsumer(consumer) {
                    @Override
                    public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                        received.add(new String(body, StandardCharsets.UTF_8));
                    }
                });
                await("the queued messages drained during the alarm", received, () -> received.size() == QUEUED);
                assertEquals(0, consumer.queueDeclarePassive(QUEUE).getMessageCount(), "the held-back publishes were not read");
                assertEquals(QUEUED, received.size());
                assertTrue(publisher.isOpen(), "blocked, not closed");

                warrenctl.run("set_vm_memory_high_watermark", "0.6");
                assertEquals("unblocked", events.poll(10, TimeUnit.SECONDS));
                await("the held-back messages after the alarm cleared", received, () -> received.size() == QUEUED + HELD_BACK);
                assertEquals("held back 0", received.get(QUEUED));
                assertEquals(200, alarmsCheck(server).statusCode());
                assertTrue(warrenctl.run("status").contains("\nAlarms\n\n(none)\n"));
            } finally {
                publisher.abort(2000);
            }
        }
    }

    /** GET /api/health/checks/alarms as guest (allowed from loopback). */
    private static HttpResponse<String> alarmsCheck(WarrenServer server) throws Exception {
        String auth = Base64.getEncoder().encodeToString("guest:guest".getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.managementPort() + "/api/health/checks/alarms"))
                .header("Authorization", "Basic " + auth).timeout(Duration.ofSeconds(10)).GET().build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static void await(String what, List<String> received, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; received " + received);
            }
            Thread.sleep(10);
        }
    }
}
