package dev.warren.mgmt.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Connection;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RabbitMQ's tags: no management tag, no API (403 here, as the caller is known); management users see only
 * the vhosts they have permissions in and their own connections; monitoring users see everything but change
 * nothing administrative; administrators do everything. Changes through the API also obey the acting user's
 * AMQP permissions.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TagsAndVisibilityIT extends SharedManagementIT {
    private static ApiClient manager;
    private static ApiClient monitor;
    private static ApiClient plain;

    @BeforeAll
    static void createVhostsAndUsers() {
        api.put("/api/vhosts/team-a", "{}");
        api.put("/api/vhosts/team-b", "{}");
        api.put("/api/users/manager", "{\"password\":\"m\",\"tags\":\"management\"}");
        api.put("/api/permissions/team-a/manager", "{\"configure\":\"^mine-.*\",\"write\":\".*\",\"read\":\".*\"}");
        api.put("/api/users/monitor", "{\"password\":\"o\",\"tags\":\"monitoring\"}");
        api.put("/api/users/plain", "{\"password\":\"p\",\"tags\":\"\"}");
        api.put("/api/permissions/team-a/plain", "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}");
        api.put("/api/permissions/team-b/guest", "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}");
        api.put("/api/queues/team-b/secret-queue", "{\"durable\":true}");
        manager = ApiClient.basic(fixture.baseUrl(), "manager", "m");
        monitor = ApiClient.basic(fixture.baseUrl(), "monitor", "o");
        plain = ApiClient.basic(fixture.baseUrl(), "plain", "p");
    }

    @Test
    void aUserWithoutAManagementTagIsRefusedWith403() {
        ApiClient.Response r = plain.get("/api/overview");
        assertEquals(403, r.status());
        assertEquals("not_authorized", r.json().path("error").asText());
        assertEquals(403, plain.get("/api/queues").status());
    }

    @Test
    void aManagementUserIsRefusedAdministratorEndpointsWith403() {
        for (String path : List.of("/api/users", "/api/users/guest", "/api/permissions", "/api/definitions",
                "/api/vhosts/%2F/permissions", "/api/users/guest/permissions")) {
            ApiClient.Response r = manager.get(path);
            assertEquals(403, r.status(), path + ": " + r);
            assertEquals("Not administrator user", r.json().path("reason").asText());
        }
        assertEquals(403, manager.put("/api/vhosts/sneaky", "{}").status());
        assertEquals(403, manager.delete("/api/vhosts/team-a").status());
        assertEquals(403, manager.put("/api/users/sneaky", "{\"password\":\"x\"}").status());
        assertEquals(403, manager.delete("/api/users/guest").status());
        assertEquals(403, manager.put("/api/permissions/team-a/manager", "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}").status());
        assertEquals(403, manager.post("/api/definitions", "{}").status());
        assertEquals(403, monitor.get("/api/users").status());
        assertEquals(403, monitor.get("/api/definitions").status());
    }

    @Test
    void aManagementUserSeesOnlyTheVhostsTheyHavePermissionsIn() {
        assertEquals(List.of("team-a"), names(manager.get("/api/vhosts").json(), "name"));
        assertEquals(200, manager.get("/api/vhosts/team-a").status());
        assertEquals(403, manager.get("/api/vhosts/team-b").status());
        assertFalse(names(manager.get("/api/queues").json(), "name").contains("secret-queue"));
        assertEquals(403, manager.get("/api/queues/team-b").status());
        assertEquals(403, manager.get("/api/queues/team-b/secret-queue").status());
        assertEquals(403, manager.get("/api/exchanges/team-b").status());
        assertEquals(403, manager.get("/api/bindings/team-b").status());
        for (JsonNode e : manager.get("/api/exchanges").json()) {
            assertEquals("team-a", e.path("vhost").asText());
        }
        assertEquals(0, manager.get("/api/overview").json().path("object_totals").path("queues").asInt());
    }

    @Test
    void monitoringAndAdministratorUsersSeeEveryVhost() {
        for (ApiClient client : List.of(monitor, api)) {
            List<String> vhosts = names(client.get("/api/vhosts").json(), "name");
            assertTrue(vhosts.containsAll(List.of("/", "team-a", "team-b")), vhosts.toString());
            assertTrue(names(client.get("/api/queues").json(), "name").contains("secret-queue"));
        }
        assertEquals(200, monitor.get("/api/queues/team-b/secret-queue").status());
    }

    @Test
    void aManagementUserSeesOnlyTheirOwnConnectionsAndMonitorsSeeAll() throws Exception {
        try (Connection guestConnection = fixture.connectionFactory("guest", "guest").newConnection()) {
            String name = waitForConnection(api, "guest");
            assertFalse(names(manager.get("/api/connections").json(), "name").contains(name));
            assertEquals(403, manager.get("/api/connections/" + ApiClient.enc(name)).status());
            assertEquals(403, manager.delete("/api/connections/" + ApiClient.enc(name)).status());
            assertTrue(names(monitor.get("/api/connections").json(), "name").contains(name));
            assertEquals(200, monitor.get("/api/connections/" + ApiClient.enc(name)).status());
            assertEquals(403, monitor.delete("/api/connections/" + ApiClient.enc(name)).status());
            assertTrue(guestConnection.isOpen());
        }
    }

    static String waitForConnection(ApiClient client, String user) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (JsonNode c : client.get("/api/connections").json()) {
                if (c.path("user").asText().equals(user)) {
                    return c.path("name").asText();
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no connection of " + user + " listed");
    }

    @Test
    void declaringThroughTheApiObeysTheUsersAmqpPermissions() {
        ApiClient.Response refused = manager.put("/api/queues/team-a/theirs", "{\"durable\":true}");
        assertEquals(403, refused.status(), refused.toString());
        assertTrue(refused.json().path("reason").asText().contains("configure access to queue 'theirs'"), refused.toString());
        assertEquals(201, manager.put("/api/queues/team-a/mine-1", "{\"durable\":true}").status());
        assertEquals(403, manager.put("/api/exchanges/team-a/theirs", "{\"type\":\"fanout\"}").status());
        assertEquals(201, manager.put("/api/exchanges/team-a/mine-x", "{\"type\":\"fanout\"}").status());
        assertEquals(201, manager.post("/api/bindings/team-a/e/mine-x/q/mine-1", "{\"routing_key\":\"k\"}").status());
        assertEquals(204, manager.delete("/api/queues/team-a/mine-1").status());
        // the vhost is invisible to the manager, whatever the permission regexes say
        assertEquals(403, manager.put("/api/queues/team-b/mine-2", "{}").status());
    }

    @Test
    void administratorsAreHeldToTheirAmqpPermissionsToo() {
        // RabbitMQ checks AMQP permissions for administrators as well: guest has none in team-a
        assertEquals(403, api.put("/api/queues/team-a/admins-queue", "{}").status());
        assertEquals(201, api.put("/api/queues/team-b/admins-queue", "{}").status());
    }
}
