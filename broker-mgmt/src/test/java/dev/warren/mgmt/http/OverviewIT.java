package dev.warren.mgmt.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.core.Broker;
import dev.warren.core.auth.Users;
import dev.warren.core.store.MemoryAlarm;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** /api/overview, /api/whoami, /api/health/checks/alarms and the memory watermark endpoint. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class OverviewIT extends SharedManagementIT {
    @Test
    void overviewNamesTheProductListenersAndTotals() throws Exception {
        api.put("/api/queues/%2F/overview-q", "{}");
        try (Connection connection = fixture.connectionFactory("guest", "guest").newConnection()) {
            Channel channel = connection.createChannel();
            channel.confirmSelect();
            for (int i = 0; i < 3; i++) {
                channel.basicPublish("", "overview-q", null, "x".getBytes(StandardCharsets.UTF_8));
            }
            channel.waitForConfirmsOrDie(10_000);
            JsonNode o = api.get("/api/overview").json();
            assertEquals("Warren", o.path("product_name").asText());
            assertTrue(!o.path("product_version").asText().isEmpty());
            assertTrue(o.path("node").asText().startsWith("warren@"), o.toString());
            JsonNode listeners = o.path("listeners");
            assertEquals(List.of("amqp", "http"), List.of(listeners.get(0).path("protocol").asText(),
                    listeners.get(1).path("protocol").asText()));
            assertEquals(fixture.amqpPort(), listeners.get(0).path("port").asInt());
            assertEquals(fixture.managementPort(), listeners.get(1).path("port").asInt());
            JsonNode totals = o.path("object_totals");
            assertEquals(1, totals.path("connections").asInt());
            assertEquals(1, totals.path("channels").asInt());
            assertTrue(totals.path("queues").asInt() >= 1);
            assertTrue(totals.path("exchanges").asInt() >= 6);
            assertEquals(0, totals.path("consumers").asInt());
            assertEquals(3, o.path("queue_totals").path("messages_ready").asInt());
            assertEquals(3, o.path("queue_totals").path("messages").asInt());
            assertEquals(3, o.path("message_stats").path("publish").asInt());
            assertEquals(3, o.path("message_stats").path("confirm").asInt());
        }
    }

    @Test
    void overviewShowsMemoryUseTheLimitAndBothAlarmsAsRabbitMqsNodeFields() {
        MemoryAlarm memory = fixture.broker().storage().memoryAlarm();
        JsonNode o = api.get("/api/overview").json();
        assertEquals(ManagementFixture.PRETEND_MEMORY_USED, o.path("mem_used").asLong());
        assertEquals((long) (0.6 * ManagementFixture.PRETEND_TOTAL_MEMORY), o.path("mem_limit").asLong());
        assertFalse(o.path("mem_alarm").asBoolean(true));
        assertFalse(o.path("disk_free_alarm").asBoolean(true));
        assertEquals(0.6, o.path("vm_memory_high_watermark_setting").path("relative").asDouble());
        try {
            memory.setWatermark(MemoryAlarm.Watermark.absolute(1));
            JsonNode alarmed = api.get("/api/overview").json();
            assertTrue(alarmed.path("mem_alarm").asBoolean());
            assertEquals(1, alarmed.path("mem_limit").asLong());
            assertEquals(1, alarmed.path("vm_memory_high_watermark_setting").path("absolute").asLong());
        } finally {
            memory.setWatermark(MemoryAlarm.Watermark.relative(0.6));
        }
    }

    @Test
    void theWatermarkIsSetOverTheApiByAdministratorsAndValidated() {
        MemoryAlarm memory = fixture.broker().storage().memoryAlarm();
        try {
            ApiClient.Response set = api.put("/api/warren/vm_memory_high_watermark", "{\"absolute\": 1}");
            assertEquals(200, set.status(), set.toString());
            assertTrue(set.json().path("mem_alarm").asBoolean(), set.toString());
            assertTrue(memory.raised());
            ApiClient.Response back = api.put("/api/warren/vm_memory_high_watermark", "{\"relative\": 0.6}");
            assertEquals(200, back.status(), back.toString());
            assertFalse(memory.raised());
            for (String bad : List.of("{}", "{\"relative\": 1.5}", "{\"relative\": \"half\"}", "{\"absolute\": 0}",
                    "{\"absolute\": 2.5}", "{\"relative\": 0.5, \"absolute\": 100}")) {
                assertEquals(400, api.put("/api/warren/vm_memory_high_watermark", bad).status(), bad);
            }
            assertEquals(0.6, memory.watermark().relative(), "bad requests change nothing");
        } finally {
            memory.setWatermark(MemoryAlarm.Watermark.relative(0.6));
        }
    }

    @Test
    void whoamiNamesTheUserAndTags() {
        JsonNode me = api.get("/api/whoami").json();
        assertEquals("guest", me.path("name").asText());
        assertEquals("administrator", me.path("tags").get(0).asText());
    }

    @Test
    void theAlarmsCheckIsOkWithoutAlarmsAnd503WithOne() throws Exception {
        ApiClient.Response ok = api.get("/api/health/checks/alarms");
        assertEquals(200, ok.status());
        assertEquals("ok", ok.json().path("status").asText());

        // a broker whose disk alarm no store resets: raise it by hand
        Broker broker = new Broker(Users.withDefaultUser("guest", "guest"));
        io.netty.channel.MultiThreadIoEventLoopGroup loop =
                new io.netty.channel.MultiThreadIoEventLoopGroup(1, io.netty.channel.nio.NioIoHandler.newFactory());
        broker.restore(Map.of(), Optional.empty(), List.of(), loop::next);
        try (ManagementServer server = ManagementServer.start(broker,
                ManagementSettings.defaults().withHost("127.0.0.1").withPort(0).withAmqpPort(0))) {
            broker.storage().diskAlarm().set(true);
            ApiClient.Response failed = ApiClient.basic("http://127.0.0.1:" + server.port(), "guest", "guest")
                    .get("/api/health/checks/alarms");
            assertEquals(503, failed.status());
            assertEquals("failed", failed.json().path("status").asText());
            assertEquals("disk", failed.json().path("alarms").get(0).path("resource").asText());
            assertEquals(1, failed.json().path("alarms").size());

            broker.storage().memoryAlarm().update(1);
            broker.storage().memoryAlarm().setWatermark(MemoryAlarm.Watermark.relative(0));
            JsonNode both = ApiClient.basic("http://127.0.0.1:" + server.port(), "guest", "guest")
                    .get("/api/health/checks/alarms").json();
            assertEquals(List.of("disk", "memory"), List.of(both.path("alarms").get(0).path("resource").asText(),
                    both.path("alarms").get(1).path("resource").asText()), both.toString());

            broker.storage().diskAlarm().set(false);
            JsonNode memoryOnly = ApiClient.basic("http://127.0.0.1:" + server.port(), "guest", "guest")
                    .get("/api/health/checks/alarms").json();
            assertEquals("memory", memoryOnly.path("alarms").get(0).path("resource").asText(), memoryOnly.toString());
        } finally {
            loop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
