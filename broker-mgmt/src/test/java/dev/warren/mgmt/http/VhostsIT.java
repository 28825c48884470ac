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
    void vhostAndUserLimitsArePutListedExportedAndDeleted() {
        api.put("/api/vhosts/capped", "{}");
        api.put("/api/users/capped-user", "{\"password\":\"p\",\"tags\":\"\"}");
        assertEquals(204, api.put("/api/vhost-limits/capped/max-queues", "{\"value\": 3}").status());
        assertEquals(204, api.put("/api/vhost-limits/capped/max-connections", "{\"value\": 9}").status());
        JsonNode limits = api.get("/api/vhost-limits/capped").json();
        assertEquals("capped", limits.get(0).path("vhost").asText());
        assertEquals(3, limits.get(0).path("value").path("max-queues").asInt());
        assertEquals(9, limits.get(0).path("value").path("max-connections").asInt());
        assertTrue(names(api.get("/api/vhost-limits").json(), "vhost").contains("capped"));
        ApiClient.Response bad = api.put("/api/vhost-limits/capped/max-channels", "{\"value\": 3}");
        assertEquals(400, bad.status(), bad.toString());
        assertTrue(bad.json().path("reason").asText().contains("Unrecognised terms"), bad.toString());
        assertEquals(400, api.put("/api/vhost-limits/capped/max-queues", "{\"value\": \"x\"}").status());
        assertEquals(404, api.put("/api/vhost-limits/no-such-vhost/max-queues", "{\"value\": 3}").status());

        assertEquals(204, api.put("/api/user-limits/capped-user/max-channels", "{\"value\": 4}").status());
        assertEquals(4, api.get("/api/user-limits/capped-user").json().get(0).path("value").path("max-channels").asInt());
        assertEquals(404, api.put("/api/user-limits/no-such-user/max-channels", "{\"value\": 4}").status());

        JsonNode exported = api.get("/api/definitions").json();
        assertTrue(exported.path("parameters").toString().contains("{\"component\":\"vhost-limits\",\"name\":\"limits\","
                + "\"vhost\":\"capped\",\"value\":{\"max-connections\":9,\"max-queues\":3}}"), exported.path("parameters").toString());
        for (JsonNode user : exported.path("users")) {
            if (user.path("name").asText().equals("capped-user")) {
                assertEquals(4, user.path("limits").path("max-channels").asInt(), user.toString());
            }
        }

        assertEquals(204, api.delete("/api/vhost-limits/capped/max-queues").status());
        assertEquals(1, api.get("/api/vhost-limits/capped").json().get(0).path("value").size());
        assertEquals(204, api.delete("/api/vhost-limits/capped/max-connections").status());
        assertEquals(0, api.get("/api/vhost-limits/capped").json().size());
        assertEquals(204, api.delete("/api/user-limits/capped-user/max-channels").status());
        assertEquals(0, api.get("/api/user-limits/capped-user").json().size());
    }

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
