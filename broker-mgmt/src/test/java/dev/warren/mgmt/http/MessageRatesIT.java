package dev.warren.mgmt.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.AMQP;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Message rates and samples in the API (RabbitMQ's {@code *_details}, {@code msg_rates_age/incr} and
 * {@code lengths_age/incr}) against real client traffic. The broker samples every 200 ms here, so the
 * tests wait on conditions with deadlines, never on the clock.
 */
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MessageRatesIT {
    private static final long INTERVAL_MILLIS = 200;
    private static final byte[] BODY = "x".getBytes(StandardCharsets.UTF_8);

    private static ManagementFixture fixture;
    private static ApiClient api;

    @BeforeAll
    static void startBroker() throws Exception {
        fixture = ManagementFixture.start(s -> s.withRatesInterval(INTERVAL_MILLIS));
        api = fixture.guestApi();
    }

    @AfterAll
    static void stopBroker() {
        if (fixture != null) {
            fixture.close();
        }
    }

    /** Polls GET path as {@link #api} until the JSON satisfies the condition, for at most 20 s. */
    private static JsonNode await(String path, Predicate<JsonNode> condition) throws InterruptedException {
        return api.await(path, condition, Duration.ofSeconds(20));
    }

    private static double rate(JsonNode n, String field) {
        return n.path(field + "_details").path("rate").asDouble();
    }

    private static Connection connect(String name) throws Exception {
        ConnectionFactory factory = fixture.connectionFactory("guest", "guest");
        factory.setClientProperties(Map.of("connection_name", name));
        return factory.newConnection();
    }

    /** The broker's name for the connection the client named {@code clientName}. */
    private static String connectionName(String clientName) throws InterruptedException {
        JsonNode found = await("/api/connections", list -> {
            for (JsonNode c : list) {
                if (clientName.equals(c.path("client_properties").path("connection_name").asText())) {
                    return true;
                }
            }
            return false;
        });
        for (JsonNode c : found) {
            if (clientName.equals(c.path("client_properties").path("connection_name").asText())) {
                return c.path("name").asText();
            }
        }
        throw new AssertionError("no connection " + clientName);
    }

    /** Publishes to a queue through the default exchange, with confirms, until stopped. */
    private static Thread steadyPublisher(Channel channel, String queue, AtomicBoolean stop) {
        Thread t = new Thread(() -> {
            try {
                while (!stop.get()) {
                    channel.basicPublish("", queue, null, BODY);
                    channel.waitForConfirmsOrDie(10_000);
                    Thread.sleep(2);
                }
            } catch (Exception e) {
                if (!stop.get()) {
                    throw new IllegalStateException(e);
                }
            }
        }, "steady-publisher");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Test
    void ratesFollowTrafficOnTheOverviewQueueChannelAndConnection() throws Exception {
        api.put("/api/queues/%2F/rates-flow", "{}");
        AtomicBoolean stop = new AtomicBoolean();
        try (Connection publishing = connect("rates-publisher"); Connection consuming = connect("rates-consumer")) {
            Channel pub = publishing.createChannel();
            pub.confirmSelect();
            Channel sub = consuming.createChannel();
            sub.basicConsume("rates-flow", false, new DefaultConsumer(sub) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body)
                        throws IOException {
                    getChannel().basicAck(envelope.getDeliveryTag(), false);
                }
            });
            Thread publisher = steadyPublisher(pub, "rates-flow", stop);
            String connection = connectionName("rates-publisher");
            String channel = connection + " (1)";
            try {
                await("/api/overview", o -> {
                    JsonNode s = o.path("message_stats");
                    return rate(s, "publish") > 0 && rate(s, "confirm") > 0 && rate(s, "deliver_get") > 0
                            && rate(s, "ack") > 0;
                });
                await("/api/queues/%2F/rates-flow", q -> {
                    JsonNode s = q.path("message_stats");
                    return rate(s, "publish") > 0 && rate(s, "deliver") > 0 && rate(s, "ack") > 0
                            && s.path("deliver_no_ack").asLong(-1) == 0;
                });
                await("/api/channels/" + ApiClient.enc(channel),
                        ch -> rate(ch.path("message_stats"), "publish") > 0 && rate(ch.path("message_stats"), "confirm") > 0);
                await("/api/connections/" + ApiClient.enc(connection),
                        c -> rate(c.path("message_stats"), "publish") > 0);
                await("/api/queues", list -> {
                    for (JsonNode q : list) {
                        if (q.path("name").asText().equals("rates-flow")) {
                            return rate(q.path("message_stats"), "publish") > 0;
                        }
                    }
                    return false;
                });
            } finally {
                stop.set(true);
                publisher.join(10_000);
            }
            // the traffic stopped: once two samples without it are in, the rates fall back to 0
            await("/api/queues/%2F/rates-flow", q -> rate(q.path("message_stats"), "publish") == 0.0);
        }
    }

    @Test
    void samplesComeNewestFirstOnePerIncrementWithTheirAverages() throws Exception {
        api.put("/api/queues/%2F/rates-samples", "{}");
        try (Connection connection = connect("rates-samples")) {
            Channel channel = connection.createChannel();
            channel.confirmSelect();
            for (int i = 0; i < 10; i++) {
                channel.basicPublish("", "rates-samples", null, BODY);
            }
            channel.waitForConfirmsOrDie(10_000);
        }
        String path = "/api/overview?msg_rates_age=4&msg_rates_incr=1&lengths_age=4&lengths_incr=1";
        JsonNode o = await(path, n -> n.path("message_stats").path("publish_details").path("samples").size() == 5
                && n.path("queue_totals").path("messages_details").path("samples").size() == 5);

        JsonNode publish = o.path("message_stats").path("publish_details");
        JsonNode samples = publish.path("samples");
        for (int i = 1; i < samples.size(); i++) {
            long newer = samples.get(i - 1).path("timestamp").asLong();
            long older = samples.get(i).path("timestamp").asLong();
            assertTrue(newer > older, "newest first: " + samples);
            assertTrue(Math.abs(newer - older - 1000) < 800, "one sample a second (5 ticks of 200 ms): " + samples);
            assertTrue(samples.get(i - 1).path("sample").asLong() >= samples.get(i).path("sample").asLong(),
                    "a counter never goes back: " + samples);
        }
        assertTrue(publish.has("avg_rate") && publish.has("avg"), publish.toString());
        assertTrue(publish.has("rate"), publish.toString());
        assertTrue(o.path("queue_totals").path("messages_details").has("avg"), o.path("queue_totals").toString());
    }

    @Test
    void aQueuesLengthSamplesShowItFillAndEmpty() throws Exception {
        api.put("/api/queues/%2F/rates-length", "{}");
        String path = "/api/queues/%2F/rates-length?lengths_age=20&lengths_incr=1&msg_rates_age=20&msg_rates_incr=1";
        try (Connection connection = connect("rates-length")) {
            Channel channel = connection.createChannel();
            channel.confirmSelect();
            for (int i = 0; i < 5; i++) {
                channel.basicPublish("", "rates-length", null, BODY);
            }
            channel.waitForConfirmsOrDie(10_000);
            // two samples a second apart both see the five: the history holds them across a whole increment
            await(path, q -> sample(q.path("messages_ready_details"), 0) == 5 && sample(q.path("messages_ready_details"), 1) == 5
                    && newest(q.path("messages_details")) == 5);

            for (int i = 0; i < 5; i++) {
                assertTrue(channel.basicGet("rates-length", true) != null);
            }
        }
        JsonNode q = await(path, n -> newest(n.path("messages_ready_details")) == 0
                && newest(n.path("message_stats").path("get_no_ack_details")) == 5);
        boolean sawFive = false;
        for (JsonNode s : q.path("messages_ready_details").path("samples")) {
            sawFive |= s.path("sample").asLong() == 5;
        }
        assertTrue(sawFive, "the history still shows the five that waited: " + q.path("messages_ready_details"));
        assertEquals(5, q.path("message_stats").path("publish").asLong());
        assertEquals(5, q.path("message_stats").path("deliver_get").asLong());
        assertEquals(0, q.path("messages_unacknowledged").asLong());
    }

    private static long newest(JsonNode details) {
        return sample(details, 0);
    }

    /** The value of the sample {@code back} places from the newest, or -1 when there is none. */
    private static long sample(JsonNode details, int back) {
        JsonNode samples = details.path("samples");
        return samples.size() <= back ? -1 : samples.get(back).path("sample").asLong();
    }

    @Test
    void anExchangeCountsPublishesInAndOneOutPerQueueReached() throws Exception {
        api.put("/api/exchanges/%2F/rates-fanout", "{\"type\": \"fanout\"}");
        for (String q : new String[] {"rates-fan-1", "rates-fan-2"}) {
            api.put("/api/queues/%2F/" + q, "{}");
            api.post("/api/bindings/%2F/e/rates-fanout/q/" + q, "{}");
        }
        try (Connection connection = connect("rates-fanout")) {
            Channel channel = connection.createChannel();
            channel.confirmSelect();
            for (int i = 0; i < 4; i++) {
                channel.basicPublish("rates-fanout", "", null, BODY);
            }
            channel.waitForConfirmsOrDie(10_000);
        }
        JsonNode e = await("/api/exchanges/%2F/rates-fanout?msg_rates_age=10&msg_rates_incr=1",
                n -> newest(n.path("message_stats").path("publish_in_details")) == 4);
        JsonNode stats = e.path("message_stats");
        assertEquals(4, stats.path("publish_in").asLong());
        assertEquals(8, stats.path("publish_out").asLong());
        assertEquals(8, newest(stats.path("publish_out_details")));
    }

    @Test
    void aConnectionKeepsTheCountsOfItsClosedChannels() throws Exception {
        api.put("/api/queues/%2F/rates-channels", "{}");
        try (Connection connection = connect("rates-channels")) {
            Channel first = connection.createChannel();
            first.confirmSelect();
            Channel second = connection.createChannel();
            second.confirmSelect();
            for (int i = 0; i < 3; i++) {
                first.basicPublish("", "rates-channels", null, BODY);
            }
            first.waitForConfirmsOrDie(10_000);
            second.basicPublish("", "rates-channels", null, BODY);
            second.basicPublish("", "rates-channels", null, BODY);
            second.waitForConfirmsOrDie(10_000);
            first.close();

            String name = connectionName("rates-channels");
            JsonNode c = api.get("/api/connections/" + ApiClient.enc(name)).json();
            assertEquals(5, c.path("message_stats").path("publish").asLong(), c.toString());
            assertEquals(5, c.path("message_stats").path("confirm").asLong(), c.toString());
            JsonNode ch = api.get("/api/channels/" + ApiClient.enc(name + " (" + second.getChannelNumber() + ")")).json();
            assertEquals(2, ch.path("message_stats").path("publish").asLong(), ch.toString());
            JsonNode listed = api.get("/api/connections/" + ApiClient.enc(name) + "/channels").json();
            assertEquals(1, listed.size());
            assertEquals(2, listed.get(0).path("message_stats").path("publish").asLong());
        }
    }

    @Test
    void withoutARangeDetailsCarryOnlyTheRate() {
        api.put("/api/queues/%2F/rates-plain", "{}");
        JsonNode q = api.get("/api/queues/%2F/rates-plain").json();
        JsonNode details = q.path("messages_details");
        assertTrue(details.has("rate"), q.toString());
        assertFalse(details.has("samples"), q.toString());
        assertFalse(q.path("message_stats").path("publish_details").has("samples"), q.toString());
        assertEquals("basic", api.get("/api/overview").json().path("rates_mode").asText());
    }

    @Test
    void rangeParametersThatAreNotWholeSecondsOrComeAloneAre400() {
        assertEquals(400, api.get("/api/overview?msg_rates_age=60").status());
        assertEquals(400, api.get("/api/queues?lengths_age=sixty&lengths_incr=5").status());
        assertEquals(400, api.get("/api/exchanges?msg_rates_age=60&msg_rates_incr=0").status());
        assertEquals(200, api.get("/api/overview?msg_rates_age=60&msg_rates_incr=5").status());
    }
}
