package dev.warren.mgmt.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** /api/vhosts: create, show, list, delete (which closes the vhost's connections). */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class VhostsIT extends SharedManagementIT {
    @Test
    void putCreatesAVhostWith201ThenAgainWith204() {
        assertEquals(201, api.put("/api/vhosts/staging", "{\"description\":\"for tests\"}").status());
        assertEquals(204, api.put("/api/vhosts/staging", "").status());
        JsonNode v = api.get("/api/vhosts/staging").json();
        assertEquals("staging", v.path("name").asText());
        assertEquals(0, v.path("messages").asInt());
        assertTrue(names(api.get("/api/vhosts").json(), "name").containsAll(List.of("/", "staging")));
        // a new vhost has the standard exchanges
        assertEquals(200, api.get("/api/exchanges/staging/amq.topic").status());
    }

    @Test
    void aVhostNameMayContainASlash() {
        assertEquals(201, api.put("/api/vhosts/" + ApiClient.enc("team/a"), "{}").status());
        assertEquals("team/a", api.get("/api/vhosts/team%2Fa").json().path("name").asText());
        assertEquals(204, api.delete("/api/vhosts/team%2Fa").status());
    }

    @Test
    void unknownVhostIs404() {
        ApiClient.Response r = api.get("/api/vhosts/nowhere");
        assertEquals(404, r.status());
        assertEquals("Object Not Found", r.json().path("error").asText());
        assertEquals(404, api.delete("/api/vhosts/nowhere").status());
    }

    @Test
    void deletingAVhostClosesItsConnectionsAndForgetsItsPermissions() throws Exception {
        api.put("/api/vhosts/short-lived", "{}");
        api.put("/api/permissions/short-lived/guest", "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}");
        api.put("/api/queues/short-lived/q", "{\"durable\":true}");
        ConnectionFactory factory = fixture.connectionFactory("guest", "guest");
        factory.setVirtualHost("short-lived");
        Connection connection = factory.newConnection();
        try {
            CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
            connection.addShutdownListener(closed::complete);
            assertEquals(204, api.delete("/api/vhosts/short-lived").status());
            AMQP.Connection.Close close = (AMQP.Connection.Close) closed.get(10, TimeUnit.SECONDS).getReason();
            assertEquals(320, close.getReplyCode());
        } finally {
            connection.abort();
        }
        assertFalse(names(api.get("/api/vhosts").json(), "name").contains("short-lived"));
        assertEquals(404, api.get("/api/permissions/short-lived/guest").status());
        assertEquals(404, api.get("/api/queues/short-lived/q").status());
    }
}
