package dev.warren.mgmt.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.ShutdownSignalException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** /api/connections (with DELETE), /api/channels and /api/consumers against real client connections. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConnectionsChannelsConsumersIT extends SharedManagementIT {
    private static Connection connect(String connectionName) throws Exception {
        ConnectionFactory factory = fixture.connectionFactory("guest", "guest");
        factory.setClientProperties(Map.of("connection_name", connectionName, "product", "test-client"));
        return factory.newConnection();
    }

    private static JsonNode connectionNamed(String clientName) {
        for (JsonNode c : api.get("/api/connections").json()) {
            if (clientName.equals(c.path("client_properties").path("connection_name").asText())) {
                return c;
            }
        }
        throw new AssertionError("no connection with client name " + clientName);
    }

    @Test
    void connectionsAreListedWithRabbitMqsFields() throws Exception {
        try (Connection ignored = connect("listed")) {
            JsonNode c = connectionNamed("listed");
            assertEquals("guest", c.path("user").asText());
            assertEquals("/", c.path("vhost").asText());
            assertEquals("127.0.0.1", c.path("peer_host").asText());
            assertEquals(fixture.amqpPort(), c.path("port").asInt());
            assertEquals("AMQP 0-9-1", c.path("protocol").asText());
            assertEquals("PLAIN", c.path("auth_mechanism").asText());
            assertTrue(c.path("name").asText().contains(" -> 127.0.0.1:" + fixture.amqpPort()), c.toString());
            String path = "/api/connections/" + ApiClient.enc(c.path("name").asText());
            assertEquals(c.path("name").asText(), api.get(path).json().path("name").asText());
            assertTrue(api.get("/api/vhosts/%2F/connections").json().size() >= 1);
        }
        assertEquals(404, api.get("/api/connections/" + ApiClient.enc("1.2.3.4:5 -> 6.7.8.9:10")).status());
    }

    @Test
    void channelsAndConsumersAreListed() throws Exception {
        api.put("/api/queues/%2F/consumed", "{}");
        try (Connection connection = connect("consuming")) {
            Channel channel = connection.createChannel();
            channel.basicQos(7);
            channel.confirmSelect();
            String tag = channel.basicConsume("consumed", false, "my-tag", new DefaultConsumer(channel));
            JsonNode c = connectionNamed("consuming");
            String connectionName = c.path("name").asText();
            assertEquals(1, c.path("channels").asInt());

            JsonNode channels = api.get("/api/connections/" + ApiClient.enc(connectionName) + "/channels").json();
            assertEquals(1, channels.size());
            JsonNode ch = channels.get(0);
            assertEquals(connectionName + " (" + channel.getChannelNumber() + ")", ch.path("name").asText());
            assertEquals(7, ch.path("prefetch_count").asInt());
            assertTrue(ch.path("confirm").asBoolean());
            assertEquals(1, ch.path("consumer_count").asInt());
            assertEquals(connectionName, ch.path("connection_details").path("name").asText());
            assertEquals(ch.path("name").asText(),
                    api.get("/api/channels/" + ApiClient.enc(ch.path("name").asText())).json().path("name").asText());
            assertTrue(api.get("/api/channels").json().size() >= 1);
            assertTrue(api.get("/api/vhosts/%2F/channels").json().size() >= 1);

            JsonNode consumer = null;
            for (JsonNode x : api.get("/api/consumers/%2F").json()) {
                if (x.path("consumer_tag").asText().equals(tag)) {
                    consumer = x;
                }
            }
            assertTrue(consumer != null, "consumer " + tag + " not listed");
            assertEquals("consumed", consumer.path("queue").path("name").asText());
            assertEquals("/", consumer.path("queue").path("vhost").asText());
            assertTrue(consumer.path("ack_required").asBoolean());
            assertEquals(connectionName, consumer.path("channel_details").path("connection_name").asText());
            assertTrue(api.get("/api/consumers").json().size() >= 1);
        }
    }

    @Test
    void deleteClosesAConnectionWithTheGivenReason() throws Exception {
        Connection connection = connect("to-close");
        try {
            CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
            connection.addShutdownListener(closed::complete);
            String name = connectionNamed("to-close").path("name").asText();
            ApiClient.Response r = api.send("DELETE", "/api/connections/" + ApiClient.enc(name), null,
                    "X-Reason", "maintenance window");
            assertEquals(204, r.status());
            ShutdownSignalException signal = closed.get(10, TimeUnit.SECONDS);
            AMQP.Connection.Close close = (AMQP.Connection.Close) signal.getReason();
            assertEquals(320, close.getReplyCode());
            assertEquals("CONNECTION_FORCED - maintenance window", close.getReplyText());
        } finally {
            connection.abort();
        }
    }

    @Test
    void deleteWithoutAReasonUsesRabbitMqsDefault() throws Exception {
        Connection connection = connect("default-reason");
        try {
            CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
            connection.addShutdownListener(closed::complete);
            String name = connectionNamed("default-reason").path("name").asText();
            assertEquals(204, api.delete("/api/connections/" + ApiClient.enc(name)).status());
            AMQP.Connection.Close close = (AMQP.Connection.Close) closed.get(10, TimeUnit.SECONDS).getReason();
            assertEquals("CONNECTION_FORCED - Closed via management plugin", close.getReplyText());
        } finally {
            connection.abort();
        }
    }
}
