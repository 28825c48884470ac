package dev.warren.mgmt.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * POST /api/exchanges/{vhost}/{name}/publish and POST /api/queues/{vhost}/{name}/get in RabbitMQ's shape,
 * each checked against the other side over AMQP.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PublishAndGetIT extends SharedManagementIT {
    @Test
    void aMessagePublishedOverTheApiIsRoutedAndReachesAnAmqpClientWithItsProperties() throws Exception {
        api.put("/api/queues/%2F/pub-api", "{}");
        ApiClient.Response r = api.post("/api/exchanges/%2F/amq.direct/publish", """
                {"routing_key":"pub-api","payload":"hello","payload_encoding":"string",
                 "properties":{"delivery_mode":2,"content_type":"text/plain","message_id":"m-1",
                               "headers":{"trace":"abc","hops":3}}}""");
        assertEquals(200, r.status(), r.toString());
        assertFalse(r.json().path("routed").asBoolean(), "not bound yet");
        api.post("/api/bindings/%2F/e/amq.direct/q/pub-api", "{\"routing_key\":\"pub-api\"}");
        r = api.post("/api/exchanges/%2F/amq.direct/publish", """
                {"routing_key":"pub-api","payload":"hello","payload_encoding":"string",
                 "properties":{"delivery_mode":2,"content_type":"text/plain","message_id":"m-1",
                               "headers":{"trace":"abc","hops":3}}}""");
        assertTrue(r.json().path("routed").asBoolean(), r.toString());
        try (Connection connection = fixture.connectionFactory("guest", "guest").newConnection()) {
            Channel channel = connection.createChannel();
            GetResponse got = channel.basicGet("pub-api", true);
            assertNotNull(got);
            assertEquals("hello", new String(got.getBody(), StandardCharsets.UTF_8));
            AMQP.BasicProperties props = got.getProps();
            assertEquals(2, props.getDeliveryMode());
            assertEquals("text/plain", props.getContentType());
            assertEquals("m-1", props.getMessageId());
            assertEquals("abc", props.getHeaders().get("trace").toString());
            assertEquals(3, ((Number) props.getHeaders().get("hops")).intValue());
            assertEquals("amq.direct", got.getEnvelope().getExchange());
        }
    }

    @Test
    void theDefaultExchangeIsAmqDefaultInThePathAndBase64PayloadsAreDecoded() throws Exception {
        api.put("/api/queues/%2F/pub-default", "{}");
        byte[] bytes = {0, 1, 2, (byte) 0xff};
        ApiClient.Response r = api.post("/api/exchanges/%2F/amq.default/publish",
                "{\"routing_key\":\"pub-default\",\"payload\":\"" + Base64.getEncoder().encodeToString(bytes)
                        + "\",\"payload_encoding\":\"base64\",\"properties\":{}}");
        assertTrue(r.json().path("routed").asBoolean(), r.toString());
        try (Connection connection = fixture.connectionFactory("guest", "guest").newConnection()) {
            GetResponse got = connection.createChannel().basicGet("pub-default", true);
            assertArrayEquals(bytes, got.getBody());
        }
    }

    @Test
    void aPersistentMessageToADurableQueueSurvivesARestart() throws Exception {
        api.put("/api/queues/%2F/pub-durable", "{\"durable\":true}");
        api.post("/api/exchanges/%2F/amq.default/publish",
                "{\"routing_key\":\"pub-durable\",\"payload\":\"kept\",\"payload_encoding\":\"string\",\"properties\":{\"delivery_mode\":2}}");
        fixture = fixture.restart();
        api = fixture.guestApi();
        JsonNode got = api.post("/api/queues/%2F/pub-durable/get", "{\"count\":1,\"ackmode\":\"ack_requeue_false\",\"encoding\":\"auto\"}").json();
        assertEquals("kept", got.get(0).path("payload").asText());
    }

    @Test
    void getShowsMessagesAndRequeuesThemWithAckRequeueTrue() throws Exception {
        api.put("/api/queues/%2F/get-requeue", "{}");
        publishOverAmqp("get-requeue", "one", "two", "three");
        JsonNode got = api.post("/api/queues/%2F/get-requeue/get",
                "{\"count\":2,\"ackmode\":\"ack_requeue_true\",\"encoding\":\"auto\",\"truncate\":50000}").json();
        assertEquals(2, got.size(), got.toString());
        assertEquals("one", got.get(0).path("payload").asText());
        assertEquals("string", got.get(0).path("payload_encoding").asText());
        assertEquals(3, got.get(0).path("payload_bytes").asInt());
        assertEquals("two", got.get(1).path("payload").asText());
        assertEquals(2, got.get(0).path("message_count").asInt());
        assertEquals(1, got.get(1).path("message_count").asInt());
        assertEquals("", got.get(0).path("exchange").asText());
        assertEquals("get-requeue", got.get(0).path("routing_key").asText());
        assertEquals("corr-1", got.get(0).path("properties").path("correlation_id").asText());
        assertFalse(got.get(0).path("redelivered").asBoolean());
        assertEquals(3, await("/api/queues/%2F/get-requeue", q -> q.path("messages_ready").asInt() == 3)
                .path("messages_ready").asInt());
        JsonNode again = api.post("/api/queues/%2F/get-requeue/get", "{\"count\":1,\"ackmode\":\"ack_requeue_true\",\"encoding\":\"auto\"}").json();
        assertEquals("one", again.get(0).path("payload").asText());
        assertTrue(again.get(0).path("redelivered").asBoolean());
    }

    @Test
    void ackRequeueFalseRemovesTheMessagesAndAnEmptyQueueGivesAnEmptyList() throws Exception {
        api.put("/api/queues/%2F/get-ack", "{}");
        publishOverAmqp("get-ack", "a", "b");
        JsonNode got = api.post("/api/queues/%2F/get-ack/get", "{\"count\":5,\"ackmode\":\"ack_requeue_false\",\"encoding\":\"auto\"}").json();
        assertEquals(2, got.size());
        await("/api/queues/%2F/get-ack", q -> q.path("messages").asInt() == 0);
        assertEquals(0, api.post("/api/queues/%2F/get-ack/get", "{\"count\":1,\"ackmode\":\"ack_requeue_false\",\"encoding\":\"auto\"}").json().size());
        try (Connection connection = fixture.connectionFactory("guest", "guest").newConnection()) {
            assertNull(connection.createChannel().basicGet("get-ack", true));
        }
    }

    @Test
    void rejectRequeueFalseDeadLettersWhenTheQueueSaysSo() throws Exception {
        api.put("/api/queues/%2F/get-dead", "{}");
        api.put("/api/queues/%2F/get-reject", "{\"arguments\":{\"x-dead-letter-exchange\":\"\",\"x-dead-letter-routing-key\":\"get-dead\"}}");
        publishOverAmqp("get-reject", "bad");
        api.post("/api/queues/%2F/get-reject/get", "{\"count\":1,\"ackmode\":\"reject_requeue_false\",\"encoding\":\"auto\"}");
        JsonNode dead = await("/api/queues/%2F/get-dead", q -> q.path("messages").asInt() == 1);
        assertEquals(1, dead.path("messages").asInt());
        assertEquals(0, api.get("/api/queues/%2F/get-reject").json().path("messages").asInt());
    }

    @Test
    void binaryPayloadsAreShownAsBase64AndTruncated() throws Exception {
        api.put("/api/queues/%2F/get-binary", "{}");
        try (Connection connection = fixture.connectionFactory("guest", "guest").newConnection()) {
            connection.createChannel().basicPublish("", "get-binary", null, new byte[] {(byte) 0xc3, 0x28, 1, 2, 3, 4});
        }
        await("/api/queues/%2F/get-binary", q -> q.path("messages").asInt() == 1);
        JsonNode got = api.post("/api/queues/%2F/get-binary/get",
                "{\"count\":1,\"ackmode\":\"ack_requeue_true\",\"encoding\":\"auto\",\"truncate\":2}").json().get(0);
        assertEquals("base64", got.path("payload_encoding").asText());
        assertEquals(Base64.getEncoder().encodeToString(new byte[] {(byte) 0xc3, 0x28}), got.path("payload").asText());
        assertEquals(6, got.path("payload_bytes").asInt());
    }

    @Test
    void publishAndGetAreHeldToTheUsersPermissionsAndBadRequestsAre400() {
        api.put("/api/users/pub-reader", "{\"password\":\"p\",\"tags\":\"management\"}");
        api.put("/api/permissions/%2F/pub-reader", "{\"configure\":\"\",\"write\":\"\",\"read\":\"^allowed$\"}");
        api.put("/api/queues/%2F/pub-secret", "{}");
        ApiClient reader = ApiClient.basic(fixture.baseUrl(), "pub-reader", "p");
        ApiClient.Response publish = reader.post("/api/exchanges/%2F/amq.default/publish",
                "{\"routing_key\":\"pub-secret\",\"payload\":\"x\",\"payload_encoding\":\"string\",\"properties\":{}}");
        assertEquals(403, publish.status(), publish.toString());
        assertEquals(403, reader.post("/api/queues/%2F/pub-secret/get", "{\"count\":1,\"ackmode\":\"ack_requeue_true\"}").status());
        assertEquals(400, api.post("/api/queues/%2F/pub-secret/get", "{\"count\":1,\"ackmode\":\"maybe\"}").status());
        assertEquals(400, api.post("/api/exchanges/%2F/amq.default/publish",
                "{\"routing_key\":\"x\",\"payload\":\"x\",\"properties\":{\"colour\":\"red\"}}").status());
        assertEquals(400, api.post("/api/exchanges/%2F/amq.default/publish",
                "{\"routing_key\":\"x\",\"payload\":\"x\",\"properties\":{\"user_id\":\"someone-else\"}}").status());
        assertEquals(404, api.post("/api/exchanges/%2F/no-such-exchange/publish",
                "{\"routing_key\":\"x\",\"payload\":\"x\"}").status());
    }

    @Test
    void publishingIsRefusedWhileAResourceAlarmBlocksPublishers() {
        api.put("/api/queues/%2F/pub-alarm", "{}");
        try {
            api.put("/api/warren/vm_memory_high_watermark", "{\"absolute\": 1}");
            ApiClient.Response r = api.post("/api/exchanges/%2F/amq.default/publish",
                    "{\"routing_key\":\"pub-alarm\",\"payload\":\"x\",\"payload_encoding\":\"string\",\"properties\":{}}");
            assertEquals(503, r.status(), r.toString());
            assertTrue(r.json().path("reason").asText().contains("memory alarm"), r.toString());
        } finally {
            api.put("/api/warren/vm_memory_high_watermark", "{\"relative\": 0.6}");
        }
        assertEquals(0, api.get("/api/queues/%2F/pub-alarm").json().path("messages").asInt());
    }

    private static void publishOverAmqp(String queue, String... bodies) throws Exception {
        try (Connection connection = fixture.connectionFactory("guest", "guest").newConnection()) {
            Channel channel = connection.createChannel();
            channel.confirmSelect();
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().correlationId("corr-1")
                    .headers(Map.of("k", "v")).build();
            for (String body : bodies) {
                channel.basicPublish("", queue, props, body.getBytes(StandardCharsets.UTF_8));
            }
            channel.waitForConfirmsOrDie(10_000);
        }
    }
}
