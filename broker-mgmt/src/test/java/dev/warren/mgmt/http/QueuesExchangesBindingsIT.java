package dev.warren.mgmt.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** /api/queues, /api/exchanges and /api/bindings, with messages and consumers from a real AMQP client. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class QueuesExchangesBindingsIT extends SharedManagementIT {
    @Test
    void putDeclaresAQueueWith201ThenAgainWith204() {
        ApiClient.Response created = api.put("/api/queues/%2F/orders", "{\"durable\":true,\"arguments\":{\"x-max-length\":100}}");
        assertEquals(201, created.status(), created.toString());
        assertEquals(204, api.put("/api/queues/%2F/orders", "{\"durable\":true,\"arguments\":{\"x-max-length\":100}}").status());
        JsonNode q = api.get("/api/queues/%2F/orders").json();
        assertEquals("orders", q.path("name").asText());
        assertEquals("/", q.path("vhost").asText());
        assertTrue(q.path("durable").asBoolean());
        assertFalse(q.path("auto_delete").asBoolean());
        assertFalse(q.path("exclusive").asBoolean());
        assertEquals(100, q.path("arguments").path("x-max-length").asInt());
        for (String field : List.of("messages", "messages_ready", "messages_unacknowledged", "consumers", "memory")) {
            assertTrue(q.has(field), field);
        }
        assertTrue(names(api.get("/api/queues").json(), "name").contains("orders"));
        assertTrue(names(api.get("/api/queues/%2F").json(), "name").contains("orders"));
    }

    @Test
    void anInequivalentRedeclareIs400() {
        api.put("/api/queues/%2F/strict", "{\"durable\":true}");
        ApiClient.Response r = api.put("/api/queues/%2F/strict", "{\"durable\":false}");
        assertEquals(400, r.status());
        assertEquals("bad_request", r.json().path("error").asText());
        assertTrue(r.json().path("reason").asText().startsWith("406 PRECONDITION_FAILED - inequivalent arg 'durable'"), r.toString());
    }

    @Test
    void unknownVhostOrQueueIs404() {
        assertEquals(404, api.get("/api/queues/%2F/no-such-queue").status());
        assertEquals(404, api.get("/api/queues/no-such-vhost").status());
        assertEquals(404, api.put("/api/queues/no-such-vhost/q", "{}").status());
        assertEquals(404, api.delete("/api/queues/%2F/no-such-queue").status());
        assertEquals(404, api.delete("/api/queues/%2F/no-such-queue/contents").status());
    }

    @Test
    void queueCountsFollowMessagesAndConsumersAndPurgeEmptiesIt() throws Exception {
        api.put("/api/queues/%2F/counted", "{\"durable\":false}");
        try (Connection connection = fixture.connectionFactory("guest", "guest").newConnection()) {
            Channel channel = connection.createChannel();
            channel.confirmSelect();
            for (int i = 0; i < 5; i++) {
                channel.basicPublish("", "counted", null, ("m" + i).getBytes(StandardCharsets.UTF_8));
            }
            channel.waitForConfirmsOrDie(10_000);
            JsonNode q = await("/api/queues/%2F/counted", n -> n.path("messages_ready").asInt() == 5);
            assertEquals(5, q.path("messages").asInt());
            assertTrue(q.path("memory").asLong() > 0, q.toString());

            Channel consumerChannel = connection.createChannel();
            consumerChannel.basicQos(2);
            consumerChannel.basicConsume("counted", false, new DefaultConsumer(consumerChannel));
            q = await("/api/queues/%2F/counted", n -> n.path("messages_unacknowledged").asInt() == 2);
            assertEquals(3, q.path("messages_ready").asInt());
            assertEquals(1, q.path("consumers").asInt());
            assertEquals(5, q.path("messages").asInt());

            assertEquals(204, api.delete("/api/queues/%2F/counted/contents").status());
            q = api.get("/api/queues/%2F/counted").json();
            assertEquals(0, q.path("messages_ready").asInt());
            assertEquals(2, q.path("messages_unacknowledged").asInt());

            ApiClient.Response inUse = api.delete("/api/queues/%2F/counted?if-unused=true");
            assertEquals(400, inUse.status(), inUse.toString());
        }
    }

    @Test
    void deleteRemovesAQueueUnlessItIsNotEmptyAndIfEmptyWasAsked() throws Exception {
        api.put("/api/queues/%2F/doomed", "{}");
        try (Connection connection = fixture.connectionFactory("guest", "guest").newConnection()) {
            Channel channel = connection.createChannel();
            channel.confirmSelect();
            channel.basicPublish("", "doomed", null, new byte[] {1});
            channel.waitForConfirmsOrDie(10_000);
        }
        await("/api/queues/%2F/doomed", n -> n.path("messages_ready").asInt() == 1);
        assertEquals(400, api.delete("/api/queues/%2F/doomed?if-empty=true").status());
        assertEquals(204, api.delete("/api/queues/%2F/doomed").status());
        assertEquals(404, api.get("/api/queues/%2F/doomed").status());
    }

    @Test
    void exchangesAreDeclaredShownListedAndDeleted() {
        ApiClient.Response created = api.put("/api/exchanges/%2F/events",
                "{\"type\":\"topic\",\"durable\":true,\"auto_delete\":false,\"internal\":false,\"arguments\":{}}");
        assertEquals(201, created.status(), created.toString());
        assertEquals(204, api.put("/api/exchanges/%2F/events", "{\"type\":\"topic\",\"durable\":true}").status());
        JsonNode e = api.get("/api/exchanges/%2F/events").json();
        assertEquals("topic", e.path("type").asText());
        assertTrue(e.path("durable").asBoolean());
        assertFalse(e.path("internal").asBoolean());
        assertEquals("/", e.path("vhost").asText());
        List<String> all = names(api.get("/api/exchanges/%2F").json(), "name");
        assertTrue(all.containsAll(List.of("", "amq.direct", "amq.topic", "events")), all.toString());
        assertEquals("direct", api.get("/api/exchanges/%2F/amq.default").json().path("type").asText());

        assertEquals(400, api.put("/api/exchanges/%2F/events", "{\"type\":\"fanout\",\"durable\":true}").status());
        assertEquals(400, api.put("/api/exchanges/%2F/weird", "{\"type\":\"no-such-type\"}").status());
        assertEquals(403, api.delete("/api/exchanges/%2F/amq.direct").status());
        assertEquals(204, api.delete("/api/exchanges/%2F/events").status());
        assertEquals(404, api.get("/api/exchanges/%2F/events").status());
        assertEquals(404, api.delete("/api/exchanges/%2F/events").status());
    }

    @Test
    void aDelayedMessageExchangeShowsHowManyMessagesItHolds() throws Exception {
        assertEquals(201, api.put("/api/exchanges/%2F/later",
                "{\"type\":\"x-delayed-message\",\"durable\":false,\"arguments\":{\"x-delayed-type\":\"direct\"}}").status());
        assertEquals(0, api.get("/api/exchanges/%2F/later").json().path("messages_delayed").asInt(-1));
        try (Connection connection = fixture.connectionFactory("guest", "guest").newConnection()) {
            Channel channel = connection.createChannel();
            channel.confirmSelect();
            AMQP.BasicProperties delayed = new AMQP.BasicProperties.Builder().headers(Map.of("x-delay", 60_000)).build();
            channel.basicPublish("later", "k", delayed, new byte[1]);
            channel.basicPublish("later", "k", delayed, new byte[1]);
            channel.waitForConfirmsOrDie(5_000);
            await("/api/exchanges/%2F/later", e -> e.path("messages_delayed").asInt() == 2);
        }
        assertFalse(api.get("/api/exchanges/%2F/amq.direct").json().has("messages_delayed"));
        assertEquals(204, api.delete("/api/exchanges/%2F/later").status());
    }

    @Test
    void bindingsAreCreatedListedAndDeletedByPropertiesKey() {
        api.put("/api/exchanges/%2F/logs", "{\"type\":\"direct\",\"durable\":true}");
        api.put("/api/queues/%2F/errors", "{\"durable\":true}");
        ApiClient.Response created = api.post("/api/bindings/%2F/e/logs/q/errors", "{\"routing_key\":\"error\",\"arguments\":{}}");
        assertEquals(201, created.status(), created.toString());
        assertEquals("/api/bindings/%2F/e/logs/q/errors/error", created.headers().firstValue("Location").orElse(""));
        assertEquals(201, api.post("/api/bindings/%2F/e/logs/q/errors", "{\"routing_key\":\"\"}").status());
        assertEquals(201, api.post("/api/bindings/%2F/e/logs/q/errors", "{\"routing_key\":\"k\",\"arguments\":{\"x\":1}}").status());

        JsonNode between = api.get("/api/bindings/%2F/e/logs/q/errors").json();
        assertEquals(3, between.size(), between.toString());
        List<String> keys = names(between, "properties_key");
        assertTrue(keys.containsAll(List.of("~", "error")), keys.toString());
        String withArguments = keys.stream().filter(k -> k.startsWith("k~")).findFirst().orElseThrow();

        JsonNode one = api.get("/api/bindings/%2F/e/logs/q/errors/error").json();
        assertEquals("logs", one.path("source").asText());
        assertEquals("errors", one.path("destination").asText());
        assertEquals("queue", one.path("destination_type").asText());
        assertEquals("error", one.path("routing_key").asText());

        JsonNode ofQueue = api.get("/api/queues/%2F/errors/bindings").json();
        assertEquals(4, ofQueue.size(), "the default exchange's binding is listed too: " + ofQueue);
        assertTrue(names(ofQueue, "source").contains(""));
        assertEquals(3, api.get("/api/exchanges/%2F/logs/bindings/source").json().size());
        assertTrue(api.get("/api/bindings/%2F").json().size() >= 4);
        assertTrue(api.get("/api/bindings").json().size() >= 4);

        assertEquals(204, api.delete("/api/bindings/%2F/e/logs/q/errors/" + ApiClient.enc(withArguments)).status());
        assertEquals(204, api.delete("/api/bindings/%2F/e/logs/q/errors/~").status());
        assertEquals(404, api.delete("/api/bindings/%2F/e/logs/q/errors/~").status());
        assertEquals(List.of("error"), names(api.get("/api/bindings/%2F/e/logs/q/errors").json(), "routing_key"));
        assertEquals(404, api.post("/api/bindings/%2F/e/no-such-exchange/q/errors", "{}").status());
        assertEquals(404, api.post("/api/bindings/%2F/e/logs/q/no-such-queue", "{}").status());
    }

    @Test
    void exchangeToExchangeBindingsAreListedFromBothEnds() {
        api.put("/api/exchanges/%2F/upstream", "{\"type\":\"fanout\"}");
        api.put("/api/exchanges/%2F/downstream", "{\"type\":\"fanout\"}");
        assertEquals(201, api.post("/api/bindings/%2F/e/upstream/e/downstream", "{\"routing_key\":\"\"}").status());
        JsonNode to = api.get("/api/exchanges/%2F/downstream/bindings/destination").json();
        assertEquals(1, to.size());
        assertEquals("exchange", to.get(0).path("destination_type").asText());
        assertEquals("upstream", to.get(0).path("source").asText());
        assertEquals(1, api.get("/api/bindings/%2F/e/upstream/e/downstream").json().size());
        assertEquals(204, api.delete("/api/bindings/%2F/e/upstream/e/downstream/~").status());
        assertEquals(0, api.get("/api/exchanges/%2F/upstream/bindings/source").json().size());
    }

    @Test
    void messagesRouteThroughABindingMadeOverHttp() throws Exception {
        api.put("/api/exchanges/%2F/http-made", "{\"type\":\"direct\"}");
        api.put("/api/queues/%2F/http-target", "{}");
        api.post("/api/bindings/%2F/e/http-made/q/http-target", "{\"routing_key\":\"rk\"}");
        try (Connection connection = fixture.connectionFactory("guest", "guest").newConnection()) {
            Channel channel = connection.createChannel();
            channel.confirmSelect();
            channel.basicPublish("http-made", "rk", null, new byte[] {7});
            channel.waitForConfirmsOrDie(10_000);
            assertEquals(7, channel.basicGet("http-target", true).getBody()[0]);
        }
    }

    @Test
    void listsTakeRabbitMqsColumnsSortAndPaginationOptions() {
        api.put("/api/vhosts/listing", "{}");
        api.put("/api/permissions/listing/guest", "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}");
        for (String q : List.of("page-a1", "page-a2", "page-b1")) {
            api.put("/api/queues/listing/" + q, "{}");
        }
        JsonNode columns = api.get("/api/queues/listing?columns=name,messages").json();
        assertEquals(3, columns.size());
        assertEquals(List.of("name", "messages"), List.copyOf(iterable(columns.get(0).fieldNames())));

        JsonNode reversed = api.get("/api/queues/listing?sort=name&sort_reverse=true").json();
        assertEquals(List.of("page-b1", "page-a2", "page-a1"), names(reversed, "name"));

        JsonNode page = api.get("/api/queues/listing?page=1&page_size=1&name=-A").json();
        assertEquals(3, page.path("total_count").asInt());
        assertEquals(2, page.path("filtered_count").asInt());
        assertEquals(2, page.path("page_count").asInt());
        assertEquals(List.of("page-a1"), names(page.path("items"), "name"));
        assertEquals(400, api.get("/api/queues/listing?page=0").status());
    }

    private static <T> List<T> iterable(java.util.Iterator<T> it) {
        List<T> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void aSingleActiveConsumerQueueShowsWhichConsumerIsActive() throws Exception {
        api.put("/api/queues/%2F/sac", "{\"durable\":false,\"arguments\":{\"x-single-active-consumer\":true}}");
        try (Connection connection = fixture.connectionFactory("guest", "guest").newConnection()) {
            Channel channel = connection.createChannel();
            String first = channel.basicConsume("sac", true, "first", new DefaultConsumer(channel));
            channel.basicConsume("sac", true, "second", new DefaultConsumer(channel));
            JsonNode q = await("/api/queues/%2F/sac", n -> n.path("consumers").asInt() == 2);
            assertEquals(first, q.path("single_active_consumer_tag").asText());
            channel.basicCancel(first);
            q = await("/api/queues/%2F/sac", n -> n.path("consumers").asInt() == 1);
            assertEquals("second", q.path("single_active_consumer_tag").asText());
        } finally {
            api.delete("/api/queues/%2F/sac");
        }
    }
}
