package dev.warren.mgmt.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import dev.warren.core.auth.PasswordHash;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** /api/users, /api/permissions and warrenctl's password check. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class UsersAndPermissionsIT extends SharedManagementIT {
    @Test
    void putCreatesAUserWith201AndUpdatesWith204() {
        assertEquals(201, api.put("/api/users/alice", "{\"password\":\"a1\",\"tags\":\"monitoring,management\"}").status());
        JsonNode alice = api.get("/api/users/alice").json();
        assertEquals("alice", alice.path("name").asText());
        assertEquals("rabbit_password_hashing_sha256", alice.path("hashing_algorithm").asText());
        assertEquals("[\"management\",\"monitoring\"]", alice.path("tags").toString());
        assertTrue(PasswordHash.matches(alice.path("password_hash").asText(), "a1"));

        assertEquals(204, api.put("/api/users/alice", "{\"password\":\"a2\",\"tags\":[\"administrator\"]}").status());
        JsonNode updated = api.get("/api/users/alice").json();
        assertEquals("administrator", updated.path("tags").get(0).asText());
        assertEquals(200, ApiClient.basic(fixture.baseUrl(), "alice", "a2").get("/api/whoami").status());
        assertEquals(401, ApiClient.basic(fixture.baseUrl(), "alice", "a1").get("/api/whoami").status());
        assertTrue(names(api.get("/api/users").json(), "name").containsAll(List.of("alice", "guest")));
    }

    @Test
    void aPasswordHashIsKeptAsItIs() {
        String hash = PasswordHash.hash("from-elsewhere");
        assertEquals(201, api.put("/api/users/hashed", "{\"password_hash\":\"" + hash + "\",\"tags\":\"management\"}").status());
        assertEquals(hash, api.get("/api/users/hashed").json().path("password_hash").asText());
        assertEquals(200, ApiClient.basic(fixture.baseUrl(), "hashed", "from-elsewhere").get("/api/whoami").status());
    }

    @Test
    void anUpdateWithoutTagsOrPasswordKeepsThem() {
        api.put("/api/users/keeper", "{\"password\":\"k\",\"tags\":\"monitoring\"}");
        assertEquals(204, api.put("/api/users/keeper", "{}").status());
        assertEquals("monitoring", api.get("/api/users/keeper").json().path("tags").get(0).asText());
        assertEquals(200, ApiClient.basic(fixture.baseUrl(), "keeper", "k").get("/api/whoami").status());
    }

    @Test
    void anUnsupportedHashingAlgorithmIs400() {
        ApiClient.Response r = api.put("/api/users/md5", "{\"password_hash\":\"abcdefgh\",\"hashing_algorithm\":\"rabbit_password_hashing_md5\"}");
        assertEquals(400, r.status());
        assertEquals(404, api.get("/api/users/md5").status());
    }

    @Test
    void deleteRemovesAUserAndAnUnknownUserIs404() {
        api.put("/api/users/temp", "{\"password\":\"t\",\"tags\":\"\"}");
        assertEquals(204, api.delete("/api/users/temp").status());
        ApiClient.Response gone = api.get("/api/users/temp");
        assertEquals(404, gone.status());
        assertEquals("Object Not Found", gone.json().path("error").asText());
        assertEquals(404, api.delete("/api/users/temp").status());
    }

    @Test
    void deletingAUserClosesTheirConnections() throws Exception {
        api.put("/api/users/leaver", "{\"password\":\"l\",\"tags\":\"\"}");
        api.put("/api/permissions/%2F/leaver", "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}");
        Connection connection = fixture.connectionFactory("leaver", "l").newConnection();
        try {
            CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
            connection.addShutdownListener(closed::complete);
            assertEquals(204, api.delete("/api/users/leaver").status());
            ShutdownSignalException signal = closed.get(10, TimeUnit.SECONDS);
            assertTrue(signal.isHardError());
            com.rabbitmq.client.AMQP.Connection.Close close = (com.rabbitmq.client.AMQP.Connection.Close) signal.getReason();
            assertEquals(320, close.getReplyCode());
            assertFalse(connection.isOpen());
        } finally {
            connection.abort();
        }
    }

    @Test
    void permissionsArePutShownListedAndCleared() {
        api.put("/api/users/bob", "{\"password\":\"b\",\"tags\":\"management\"}");
        ApiClient.Response put = api.put("/api/permissions/%2F/bob", "{\"configure\":\"^bob-.*\",\"write\":\".*\",\"read\":\"\"}");
        assertEquals(201, put.status(), put.toString());
        assertEquals(204, api.put("/api/permissions/%2F/bob", "{\"configure\":\"^bob-.*\",\"write\":\".*\",\"read\":\".*\"}").status());
        JsonNode p = api.get("/api/permissions/%2F/bob").json();
        assertEquals("bob", p.path("user").asText());
        assertEquals("/", p.path("vhost").asText());
        assertEquals("^bob-.*", p.path("configure").asText());
        assertEquals(".*", p.path("read").asText());
        assertTrue(names(api.get("/api/permissions").json(), "user").contains("bob"));
        assertEquals(List.of("/"), names(api.get("/api/users/bob/permissions").json(), "vhost"));
        assertTrue(names(api.get("/api/vhosts/%2F/permissions").json(), "user").containsAll(List.of("bob", "guest")));

        assertEquals(204, api.delete("/api/permissions/%2F/bob").status());
        assertEquals(404, api.get("/api/permissions/%2F/bob").status());
        assertEquals(404, api.delete("/api/permissions/%2F/bob").status());
    }

    @Test
    void topicPermissionsArePutListedExportedAndCleared() {
        api.put("/api/users/tess", "{\"password\":\"t\",\"tags\":\"\"}");
        ApiClient.Response put = api.put("/api/topic-permissions/%2F/tess",
                "{\"exchange\":\"amq.topic\",\"write\":\"^{username}\\\\.\",\"read\":\".*\"}");
        assertEquals(201, put.status(), put.toString());
        assertEquals(204, api.put("/api/topic-permissions/%2F/tess",
                "{\"exchange\":\"amq.topic\",\"write\":\"^{username}\\\\.\",\"read\":\"^public\"}").status());
        assertEquals(201, api.put("/api/topic-permissions/%2F/tess", "{\"exchange\":\"events\",\"write\":\".*\",\"read\":\"\"}").status());
        JsonNode mine = api.get("/api/topic-permissions/%2F/tess").json();
        assertEquals(List.of("amq.topic", "events"), names(mine, "exchange"));
        assertEquals("^{username}\\.", mine.get(0).path("write").asText());
        assertEquals("^public", mine.get(0).path("read").asText());
        assertTrue(names(api.get("/api/topic-permissions").json(), "user").contains("tess"));
        assertEquals(List.of("/", "/"), names(api.get("/api/users/tess/topic-permissions").json(), "vhost"));
        assertTrue(names(api.get("/api/vhosts/%2F/topic-permissions").json(), "user").contains("tess"));
        JsonNode exported = api.get("/api/definitions").json().path("topic_permissions");
        assertTrue(names(exported, "exchange").containsAll(List.of("amq.topic", "events")), exported.toString());

        ApiClient.Response bad = api.put("/api/topic-permissions/%2F/tess", "{\"exchange\":\"x\",\"write\":\"(\",\"read\":\".*\"}");
        assertEquals(400, bad.status(), bad.toString());
        assertEquals(400, api.put("/api/topic-permissions/%2F/tess", "{\"write\":\".*\",\"read\":\".*\"}").status());
        assertEquals(404, api.put("/api/topic-permissions/%2F/no-such-user", "{\"exchange\":\"x\",\"write\":\"\",\"read\":\"\"}").status());

        assertEquals(204, api.delete("/api/topic-permissions/%2F/tess?exchange=events").status());
        assertEquals(List.of("amq.topic"), names(api.get("/api/topic-permissions/%2F/tess").json(), "exchange"));
        assertEquals(204, api.delete("/api/topic-permissions/%2F/tess").status());
        assertEquals(404, api.get("/api/topic-permissions/%2F/tess").status());
        assertEquals(404, api.delete("/api/topic-permissions/%2F/tess").status());
    }

    @Test
    void aBadRegexOrMissingFieldIs400AndUnknownUserOrVhost404() {
        api.put("/api/users/carol", "{\"password\":\"c\",\"tags\":\"\"}");
        ApiClient.Response bad = api.put("/api/permissions/%2F/carol", "{\"configure\":\"(\",\"write\":\".*\",\"read\":\".*\"}");
        assertEquals(400, bad.status());
        assertEquals("bad_request", bad.json().path("error").asText());
        assertEquals(400, api.put("/api/permissions/%2F/carol", "{\"configure\":\".*\"}").status());
        assertEquals(404, api.put("/api/permissions/no-such-vhost/carol", "{\"configure\":\"\",\"write\":\"\",\"read\":\"\"}").status());
        assertEquals(404, api.put("/api/permissions/%2F/no-such-user", "{\"configure\":\"\",\"write\":\"\",\"read\":\"\"}").status());
        assertEquals(404, api.get("/api/users/no-such-user/permissions").status());
        assertEquals(404, api.get("/api/vhosts/no-such-vhost/permissions").status());
    }

    @Test
    void authenticateChecksAPasswordForAdministratorsOnly() {
        api.put("/api/users/dave", "{\"password\":\"d\",\"tags\":\"management\"}");
        ApiClient.Response ok = api.post("/api/warren/authenticate", "{\"username\":\"dave\",\"password\":\"d\"}");
        assertEquals(200, ok.status(), ok.toString());
        assertEquals("dave", ok.json().path("name").asText());
        assertEquals("management", ok.json().path("tags").get(0).asText());

        ApiClient.Response wrong = api.post("/api/warren/authenticate", "{\"username\":\"dave\",\"password\":\"x\"}");
        assertEquals(401, wrong.status());
        assertEquals("not_authorized", wrong.json().path("error").asText());

        ApiClient.Response notAdmin = ApiClient.basic(fixture.baseUrl(), "dave", "d")
                .post("/api/warren/authenticate", "{\"username\":\"dave\",\"password\":\"d\"}");
        assertEquals(403, notAdmin.status());
    }
}
