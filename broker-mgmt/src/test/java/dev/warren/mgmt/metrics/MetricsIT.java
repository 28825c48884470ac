package dev.warren.mgmt.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import dev.warren.core.store.MemoryAlarm;
import dev.warren.mgmt.http.ApiClient;
import dev.warren.mgmt.http.SharedManagementIT;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** /metrics read by Prometheus' own parser, before and after messages flow. */
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MetricsIT extends SharedManagementIT {
    private static final int N = 20;
    private static ApiClient anonymous;

    @BeforeAll
    static void createAnonymousClient() {
        anonymous = ApiClient.anonymous(fixture.baseUrl());
    }

    private static PrometheusParser.Samples scrape() throws Exception {
        ApiClient.Response r = anonymous.get("/metrics");
        assertEquals(200, r.status(), r.toString());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        return PrometheusParser.parse(r.body());
    }

    /** Scrapes until the condition holds (gauges are read live, but the broker's threads may lag), 10 s at most. */
    private static PrometheusParser.Samples scrapeUntil(Predicate<PrometheusParser.Samples> condition) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        PrometheusParser.Samples samples = scrape();
        while (!condition.test(samples) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            samples = scrape();
        }
        return samples;
    }

    @Test
    void theScrapeIsValidExpositionWithBrokerJvmAndProcessFamilies() throws Exception {
        PrometheusParser.Samples s = scrape();
        for (String gauge : List.of("warren_connections", "warren_channels", "warren_consumers", "warren_queues",
                "jvm_memory_used_bytes", "jvm_threads_live_threads", "jvm_classes_loaded_classes", "system_cpu_count",
                "process_uptime_seconds", "process_files_open_files")) {
            assertEquals("gauge", s.typeOf(gauge), gauge);
        }
        for (String counter : List.of("warren_messages_published", "warren_messages_delivered", "warren_messages_acked",
                "warren_messages_redelivered", "warren_messages_returned", "warren_messages_confirmed",
                "warren_consumer_timeouts")) {
            assertEquals("counter", s.typeOf(counter), counter);
        }
        assertEquals("histogram", s.typeOf("warren_confirm_latency_seconds"));
        assertEquals("histogram", s.typeOf("warren_fsync_latency_seconds"));
        assertTrue(s.typeOf("jvm_gc_memory_allocated_bytes") != null, "GC metrics are bound");
    }

    @Test
    void theMemoryAlarmGaugesShowTheReadingTheLimitAndTheAlarm() throws Exception {
        MemoryAlarm memory = fixture.broker().storage().memoryAlarm();
        PrometheusParser.Samples calm = scrape();
        assertEquals("gauge", calm.typeOf("warren_memory_alarm"));
        assertEquals(0, calm.value("warren_memory_alarm"));
        assertEquals(memory.used(), calm.value("warren_memory_used_bytes"));
        assertEquals(memory.limit(), calm.value("warren_memory_limit_bytes"));
        try {
            memory.setWatermark(MemoryAlarm.Watermark.absolute(1));
            PrometheusParser.Samples alarmed = scrape();
            assertEquals(1, alarmed.value("warren_memory_alarm"));
            assertEquals(1, alarmed.value("warren_memory_limit_bytes"));
        } finally {
            memory.setWatermark(MemoryAlarm.Watermark.relative(0.6));
        }
        assertEquals(0, scrape().value("warren_memory_alarm"));
    }

    @Test
    void valuesMoveWhenMessagesFlow() throws Exception {
        PrometheusParser.Samples before = scrape();
        double published = before.value("warren_messages_published_total");
        double confirmed = before.value("warren_messages_confirmed_total");
        double delivered = before.value("warren_messages_delivered_total");
        double acked = before.value("warren_messages_acked_total");
        double redelivered = before.value("warren_messages_redelivered_total");
        double returned = before.value("warren_messages_returned_total");
        double confirmSamples = before.value("warren_confirm_latency_seconds_count");
        double fsyncSamples = before.value("warren_fsync_latency_seconds_count");
        assertNull(before.find("warren_queue_messages_ready", "queue", "metered"));

        assertEquals(201, api.put("/api/queues/%2F/metered", "{\"durable\":true}").status());
        Connection connection = fixture.connectionFactory("guest", "guest").newConnection();
        try {
            Channel channel = connection.createChannel();
            channel.confirmSelect();
            for (int i = 0; i < N; i++) {
                channel.basicPublish("", "metered", MessageProperties.PERSISTENT_TEXT_PLAIN, ("m" + i).getBytes());
            }
            channel.waitForConfirmsOrDie(10_000);

            PrometheusParser.Samples published1 = scrapeUntil(x ->
                    Double.valueOf(N).equals(x.find("warren_queue_messages_ready", "vhost", "/", "queue", "metered")));
            assertEquals(N, published1.value("warren_queue_messages_ready", "vhost", "/", "queue", "metered"));
            assertEquals(0, published1.value("warren_queue_messages_unacked", "vhost", "/", "queue", "metered"));
            assertEquals(published + N, published1.value("warren_messages_published_total"));
            assertEquals(confirmed + N, published1.value("warren_messages_confirmed_total"));
            assertEquals(1, published1.value("warren_connections"));
            assertEquals(1, published1.value("warren_channels"));
            assertTrue(published1.value("warren_confirm_latency_seconds_count") > confirmSamples);
            assertTrue(published1.value("warren_fsync_latency_seconds_count") > fsyncSamples, "persistent messages were synced");
            assertTrue(published1.value("warren_confirm_latency_seconds_bucket", "le", "+Inf") > confirmSamples);

            // take all N without acking: they move from ready to unacked
            GetResponse last = null;
            for (int i = 0; i < N; i++) {
                last = channel.basicGet("metered", false);
            }
            PrometheusParser.Samples taken = scrapeUntil(x ->
                    Double.valueOf(N).equals(x.find("warren_queue_messages_unacked", "vhost", "/", "queue", "metered")));
            assertEquals(0, taken.value("warren_queue_messages_ready", "vhost", "/", "queue", "metered"));
            assertEquals(N, taken.value("warren_queue_messages_unacked", "vhost", "/", "queue", "metered"));
            assertEquals(delivered + N, taken.value("warren_messages_delivered_total"));

            // requeue them all, take them again (redelivered), ack them all
            channel.basicNack(last.getEnvelope().getDeliveryTag(), true, true);
            for (int i = 0; i < N; i++) {
                last = channel.basicGet("metered", false);
                assertTrue(last.getEnvelope().isRedeliver());
            }
            channel.basicAck(last.getEnvelope().getDeliveryTag(), true);
            channel.basicPublish("", "no-such-queue", true, MessageProperties.TEXT_PLAIN, new byte[] {1});
            channel.waitForConfirmsOrDie(10_000);

            PrometheusParser.Samples drained = scrapeUntil(x ->
                    Double.valueOf(acked + N).equals(x.find("warren_messages_acked_total")));
            assertEquals(acked + N, drained.value("warren_messages_acked_total"));
            assertEquals(redelivered + N, drained.value("warren_messages_redelivered_total"));
            assertEquals(delivered + 2 * N, drained.value("warren_messages_delivered_total"));
            assertEquals(returned + 1, drained.value("warren_messages_returned_total"));
            assertEquals(0, drained.value("warren_queue_messages_ready", "vhost", "/", "queue", "metered"));
            assertEquals(0, drained.value("warren_queue_messages_unacked", "vhost", "/", "queue", "metered"));
        } finally {
            connection.abort();
        }

        assertEquals(204, api.delete("/api/queues/%2F/metered").status());
        PrometheusParser.Samples afterDelete = scrape();
        assertNull(afterDelete.find("warren_queue_messages_ready", "queue", "metered"), "deleted queues leave the scrape");
        assertEquals(0, scrapeUntil(x -> Double.valueOf(0).equals(x.find("warren_connections"))).value("warren_connections"));
    }

    @Test
    void consumersAreCounted() throws Exception {
        api.put("/api/queues/%2F/watched", "{}");
        Connection connection = fixture.connectionFactory("guest", "guest").newConnection();
        try {
            Channel channel = connection.createChannel();
            channel.basicConsume("watched", true, new com.rabbitmq.client.DefaultConsumer(channel));
            PrometheusParser.Samples s = scrapeUntil(x ->
                    Double.valueOf(1).equals(x.find("warren_queue_consumers", "vhost", "/", "queue", "watched")));
            assertEquals(1, s.value("warren_queue_consumers", "vhost", "/", "queue", "watched"));
            assertTrue(s.value("warren_consumers") >= 1);
        } finally {
            connection.abort();
            api.delete("/api/queues/%2F/watched");
        }
    }

    @Test
    void expiredDeadLetteredAndDroppedMessagesAreCountedPerQueue() throws Exception {
        api.put("/api/queues/%2F/lifecycle.dead", "{}");
        api.put("/api/queues/%2F/lifecycle.src", "{\"arguments\":{\"x-message-ttl\":50,\"x-dead-letter-exchange\":\"\","
                + "\"x-dead-letter-routing-key\":\"lifecycle.dead\"}}");
        api.put("/api/queues/%2F/lifecycle.bounded", "{\"arguments\":{\"x-max-length\":1}}");
        Connection connection = fixture.connectionFactory("guest", "guest").newConnection();
        try {
            Channel channel = connection.createChannel();
            channel.confirmSelect();
            for (int i = 0; i < 3; i++) {
                channel.basicPublish("", "lifecycle.src", null, ("m" + i).getBytes());
                channel.basicPublish("", "lifecycle.bounded", null, ("m" + i).getBytes());
            }
            channel.waitForConfirmsOrDie(10_000);
            PrometheusParser.Samples s = scrapeUntil(x ->
                    Double.valueOf(3).equals(x.find("warren_queue_messages_dead_lettered", "vhost", "/", "queue", "lifecycle.src")));
            assertEquals(3, s.value("warren_queue_messages_expired", "vhost", "/", "queue", "lifecycle.src"));
            assertEquals(0, s.value("warren_queue_messages_dropped", "vhost", "/", "queue", "lifecycle.src"));
            assertEquals(2, s.value("warren_queue_messages_dropped", "vhost", "/", "queue", "lifecycle.bounded"));
            assertEquals(0, s.value("warren_queue_messages_expired", "vhost", "/", "queue", "lifecycle.bounded"));
            assertEquals(3, api.get("/api/queues/%2F/lifecycle.src").json().path("messages_dead_lettered").asInt());
            assertEquals(3, api.get("/api/queues/%2F/lifecycle.src").json().path("messages_expired").asInt());
            assertEquals(2, api.get("/api/queues/%2F/lifecycle.bounded").json().path("messages_dropped").asInt());
        } finally {
            connection.abort();
            for (String q : new String[] {"lifecycle.dead", "lifecycle.src", "lifecycle.bounded"}) {
                api.delete("/api/queues/%2F/" + q);
            }
        }
    }

    @Test
    void aConsumerTimeoutIsCounted() throws Exception {
        double before = scrape().value("warren_consumer_timeouts_total");
        api.put("/api/queues/%2F/slow", "{\"arguments\":{\"x-consumer-timeout\":100}}");
        Connection connection = fixture.connectionFactory("guest", "guest").newConnection();
        try {
            Channel channel = connection.createChannel();
            channel.basicPublish("", "slow", null, new byte[] {1});
            channel.basicConsume("slow", false, new com.rabbitmq.client.DefaultConsumer(channel)); // never acks
            PrometheusParser.Samples s = scrapeUntil(x -> Double.valueOf(before + 1).equals(x.find("warren_consumer_timeouts_total")));
            assertEquals(before + 1, s.value("warren_consumer_timeouts_total"));
        } finally {
            connection.abort();
            api.delete("/api/queues/%2F/slow");
        }
    }
}
