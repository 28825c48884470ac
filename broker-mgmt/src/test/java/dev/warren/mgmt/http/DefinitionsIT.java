package dev.warren.mgmt.http;

import static dev.warren.mgmt.http.SharedManagementIT.names;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * /api/definitions round trip (export from one broker, import into a fresh one) and the durability of
 * changes made over HTTP across a restart.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DefinitionsIT {
    @TempDir
    Path dataDir;

    /** Users, a vhost, permissions, durable exchange, queue and binding, plus a transient queue, all over HTTP. */
    private static void define(ApiClient api) {
        assertEquals(201, api.put("/api/users/exported", "{\"password\":\"pw\",\"tags\":\"management\"}").status());
        assertEquals(201, api.put("/api/vhosts/prod", "{}").status());
        assertEquals(201, api.put("/api/permissions/prod/exported", "{\"configure\":\"^orders\",\"write\":\".*\",\"read\":\".*\"}").status());
        assertEquals(201, api.put("/api/permissions/prod/guest", "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}").status());
        assertEquals(201, api.put("/api/exchanges/prod/orders-x", "{\"type\":\"topic\",\"durable\":true}").status());
        assertEquals(201, api.put("/api/queues/prod/orders-q", "{\"durable\":true,\"arguments\":{\"x-max-length\":10}}").status());
        assertEquals(201, api.put("/api/queues/prod/transient", "{\"durable\":false}").status());
        assertEquals(201, api.post("/api/bindings/prod/e/orders-x/q/orders-q", "{\"routing_key\":\"order.*\"}").status());
    }

    /** What define() made is there (the transient queue only where {@code transientToo}). */
    private static void assertDefined(ManagementFixture fixture, boolean transientToo) {
        ApiClient api = fixture.guestApi();
        ApiClient.Response login = ApiClient.basic(fixture.baseUrl(), "exported", "pw").get("/api/whoami");
        assertEquals(200, login.status(), "the password still works: " + login);
        assertEquals("management", api.get("/api/users/exported").json().path("tags").get(0).asText());
        JsonNode permission = api.get("/api/permissions/prod/exported").json();
        assertEquals("^orders", permission.path("configure").asText());
        JsonNode exchange = api.get("/api/exchanges/prod/orders-x").json();
        assertEquals("topic", exchange.path("type").asText());
        assertTrue(exchange.path("durable").asBoolean());
        JsonNode queue = api.get("/api/queues/prod/orders-q").json();
        assertTrue(queue.path("durable").asBoolean());
        assertEquals(10, queue.path("arguments").path("x-max-length").asInt());
        assertEquals(List.of("order.*"), names(api.get("/api/bindings/prod/e/orders-x/q/orders-q").json(), "routing_key"));
        assertEquals(transientToo ? 200 : 404, api.get("/api/queues/prod/transient").status());
    }

    @Test
    void exportThenImportIntoAFreshBrokerReproducesTheDefinitions() throws Exception {
        JsonNode exported;
        String exportedHash;
        try (ManagementFixture source = ManagementFixture.start()) {
            ApiClient api = source.guestApi();
            define(api);
            ApiClient.Response r = api.get("/api/definitions");
            assertEquals(200, r.status());
            exported = r.json();
            exportedHash = api.get("/api/users/exported").json().path("password_hash").asText();
        }
        assertEquals("Warren", exported.path("product_name").asText());
        assertTrue(names(exported.path("users"), "name").contains("exported"));
        assertTrue(names(exported.path("queues"), "name").contains("orders-q"));
        assertFalse(names(exported.path("queues"), "name").contains("transient"), "only durable queues are definitions");
        for (JsonNode u : exported.path("users")) {
            assertTrue(u.has("password_hash") && !u.has("password"), "passwords are exported as hashes only");
        }

        try (ManagementFixture fresh = ManagementFixture.start()) {
            ApiClient api = fresh.guestApi();
            assertEquals(404, api.get("/api/users/exported").status());
            ApiClient.Response imported = api.post("/api/definitions", exported.toString());
            assertEquals(204, imported.status(), imported.toString());
            assertDefined(fresh, false);
            assertEquals(exportedHash, api.get("/api/users/exported").json().path("password_hash").asText());
        }
    }

    @Test
    void changesMadeOverHttpSurviveARestart() throws Exception {
        ManagementFixture fixture = ManagementFixture.start(dataDir);
        try {
            ApiClient api = fixture.guestApi();
            define(api);
            api.put("/api/users/removed", "{\"password\":\"r\",\"tags\":\"\"}");
            assertEquals(204, api.delete("/api/users/removed").status());
            api.put("/api/vhosts/removed-vhost", "{}");
            assertEquals(204, api.delete("/api/vhosts/removed-vhost").status());

            fixture = fixture.restart();
            assertDefined(fixture, false);
            ApiClient after = fixture.guestApi();
            assertEquals(404, after.get("/api/users/removed").status());
            assertEquals(404, after.get("/api/vhosts/removed-vhost").status());
        } finally {
            fixture.close();
        }
    }

    /**
     * A definitions file exported from RabbitMQ 3.10.8 (src/test/resources/rabbitmq-3.10-definitions.json, made
     * with rabbitmqctl set_permissions, set_topic_permissions, set_vhost_limits, set_user_limits, set_policy,
     * set_operator_policy, a durable queue and exchange declared through its API, and export_definitions, then
     * cut down to the fixture's vhost and user) imports with its password hash, permissions, topic
     * permissions, limits, policies and operator policies; the queue and exchange take the policies RabbitMQ
     * gave them; and it exports back the same entries.
     */
    @Test
    void aRabbitMq310ExportWithTopicPermissionsLimitsAndPoliciesImportsAndExportsBackTheSame() throws Exception {
        JsonNode rabbit;
        try (InputStream in = DefinitionsIT.class.getResourceAsStream("/rabbitmq-3.10-definitions.json")) {
            rabbit = Json.MAPPER.readTree(in);
        }
        try (ManagementFixture fixture = ManagementFixture.start()) {
            ApiClient api = fixture.guestApi();
            ApiClient.Response imported = api.post("/api/definitions", rabbit.toString());
            assertEquals(204, imported.status(), imported.toString());
            com.rabbitmq.client.ConnectionFactory asUser = fixture.connectionFactory("fixture-user", "fixture-pw");
            asUser.setVirtualHost("fixture-vh");
            asUser.newConnection().close(); // RabbitMQ's password hash logs the user in
            assertEquals(50, api.get("/api/vhost-limits/fixture-vh").json().get(0).path("value").path("max-connections").asInt());
            assertEquals(20, api.get("/api/vhost-limits/fixture-vh").json().get(0).path("value").path("max-queues").asInt());
            assertEquals(5, api.get("/api/user-limits/fixture-user").json().get(0).path("value").path("max-connections").asInt());
            assertEquals("^{username}\\.", api.get("/api/topic-permissions/fixture-vh/fixture-user").json().get(0).path("write").asText());

            JsonNode exported = api.get("/api/definitions").json();
            assertEquals(entries(rabbit, "topic_permissions", "fixture-user"), entries(exported, "topic_permissions", "fixture-user"));
            assertEquals(entries(rabbit, "permissions", "fixture-user"), entries(exported, "permissions", "fixture-user"));
            assertEquals(normalized(rabbit.path("parameters")), normalized(onlyVhost(exported.path("parameters"), "fixture-vh")));
            assertEquals(normalized(rabbit.path("policies")), normalized(onlyVhost(exported.path("policies"), "fixture-vh")));

            // what RabbitMQ 3.10.8 showed for them after the same policies (GET /api/queues/fixture-vh/fixture.q)
            JsonNode queue = api.get("/api/queues/fixture-vh/fixture.q").json();
            assertEquals("fixture-ttl", queue.path("policy").asText(), "priority 2 beats fixture-lazy's 0");
            assertEquals("fixture-cap", queue.path("operator_policy").asText());
            assertEquals("{\"dead-letter-exchange\":\"fixture.dlx\",\"max-length\":1000,\"message-ttl\":60000,"
                    + "\"overflow\":\"reject-publish\"}", queue.path("effective_policy_definition").toString());
            assertEquals("fixture-ae", api.get("/api/exchanges/fixture-vh/fixture.x").json().path("policy").asText());
            JsonNode user = userNamed(exported, "fixture-user");
            JsonNode rabbitUser = userNamed(rabbit, "fixture-user");
            assertEquals(rabbitUser.path("password_hash"), user.path("password_hash"));
            assertEquals(rabbitUser.path("limits"), user.path("limits"));
        }
    }

    private static List<JsonNode> entries(JsonNode document, String section, String user) {
        List<JsonNode> rows = new java.util.ArrayList<>();
        document.path(section).forEach(row -> {
            if (row.path("user").asText().equals(user)) {
                rows.add(row);
            }
        });
        return rows;
    }

    private static JsonNode onlyVhost(JsonNode rows, String vhost) {
        com.fasterxml.jackson.databind.node.ArrayNode kept = Json.array();
        rows.forEach(row -> {
            if (row.path("vhost").asText().equals(vhost)) {
                kept.add(row);
            }
        });
        return kept;
    }

    /**
     * Rows sorted by component and name, each with its keys sorted, and a definition given as RabbitMQ 3.10
     * exports an operator policy's ([[key, value], ...]) turned into the object it stands for.
     */
    private static List<String> normalized(JsonNode rows) {
        List<String> out = new java.util.ArrayList<>();
        for (JsonNode row : rows) {
            out.add(sorted(row).toString());
        }
        java.util.Collections.sort(out);
        return out;
    }

    private static JsonNode sorted(JsonNode node) {
        if (node.isArray() && node.size() > 0 && node.get(0).isArray() && node.get(0).size() == 2) {
            com.fasterxml.jackson.databind.node.ObjectNode pairs = Json.object();
            node.forEach(pair -> pairs.set(pair.get(0).asText(), pair.get(1)));
            return sorted(pairs);
        }
        if (!node.isObject()) {
            return node;
        }
        com.fasterxml.jackson.databind.node.ObjectNode out = Json.object();
        new java.util.TreeMap<String, JsonNode>(Json.MAPPER.convertValue(node,
                new com.fasterxml.jackson.core.type.TypeReference<java.util.Map<String, JsonNode>>() { }))
                .forEach((k, v) -> out.set(k, sorted(v)));
        return out;
    }

    private static JsonNode userNamed(JsonNode document, String name) {
        for (JsonNode user : document.path("users")) {
            if (user.path("name").asText().equals(name)) {
                return user;
            }
        }
        throw new AssertionError("no user " + name + " in " + document.path("users"));
    }

    @Test
    void anImportWithAnUnsupportedHashIs400() throws Exception {
        try (ManagementFixture fixture = ManagementFixture.start()) {
            ApiClient api = fixture.guestApi();
            String document = "{\"users\":[{\"name\":\"old\",\"password_hash\":\"xyz\",\"hashing_algorithm\":"
                    + "\"rabbit_password_hashing_md5\",\"tags\":\"\"}],\"vhosts\":[{\"name\":\"/\"}]}";
            ApiClient.Response r = api.post("/api/definitions", document);
            assertEquals(400, r.status());
            assertTrue(r.json().path("reason").asText().contains("rabbit_password_hashing_md5"), r.toString());
            assertEquals(400, api.post("/api/definitions", "[1,2]").status());
        }
    }
}
