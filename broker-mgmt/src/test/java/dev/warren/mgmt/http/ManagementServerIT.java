package dev.warren.mgmt.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The server itself: listening, the local secret file for warrenctl, logins, unknown paths and methods. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ManagementServerIT extends SharedManagementIT {
    @Test
    void writesTheLocalSecretFileOwnerOnlyWithTheBoundUrl() throws Exception {
        Path file = fixture.dataDir().resolve("warrenctl.json");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        JsonNode content = Json.MAPPER.readTree(file.toFile());
        assertEquals("http://127.0.0.1:" + fixture.managementPort(), content.path("url").asText());
        String secret = content.path("secret").asText();
        assertTrue(java.util.Base64.getUrlDecoder().decode(secret).length >= 32, secret);
    }

    @Test
    void theLocalSecretLogsInAsAnAdministratorCalledWarrenctl() throws Exception {
        String secret = Json.MAPPER.readTree(fixture.dataDir().resolve("warrenctl.json").toFile()).path("secret").asText();
        ApiClient.Response whoami = ApiClient.bearer(fixture.baseUrl(), secret).get("/api/whoami");
        assertEquals(200, whoami.status(), whoami.toString());
        assertEquals("warrenctl", whoami.json().path("name").asText());
        assertEquals("administrator", whoami.json().path("tags").get(0).asText());
        assertEquals(200, ApiClient.bearer(fixture.baseUrl(), secret).get("/api/users").status());
    }

    @Test
    void aWrongSecretIsRefusedWith401() {
        ApiClient.Response r = ApiClient.bearer(fixture.baseUrl(), "not-the-secret").get("/api/whoami");
        assertEquals(401, r.status());
        assertEquals("not_authorized", r.json().path("error").asText());
    }

    @Test
    void noCredentialsIs401WithABasicChallenge() {
        ApiClient.Response r = ApiClient.anonymous(fixture.baseUrl()).get("/api/overview");
        assertEquals(401, r.status());
        assertEquals("not_authorized", r.json().path("error").asText());
        assertEquals("Login failed", r.json().path("reason").asText());
        assertEquals("Basic realm=\"Warren Management\"", r.headers().firstValue("WWW-Authenticate").orElse(""));
    }

    @Test
    void aWrongPasswordIs401() {
        assertEquals(401, ApiClient.basic(fixture.baseUrl(), "guest", "wrong").get("/api/whoami").status());
        assertEquals(401, ApiClient.basic(fixture.baseUrl(), "nobody", "guest").get("/api/whoami").status());
    }

    @Test
    void anUnknownPathIs404ObjectNotFound() {
        ApiClient.Response r = api.get("/api/no-such-thing");
        assertEquals(404, r.status());
        assertEquals("Object Not Found", r.json().path("error").asText());
        assertEquals("Not Found", r.json().path("reason").asText());
    }

    @Test
    void aWrongMethodIs405WithTheAllowedOnes() {
        ApiClient.Response r = api.post("/api/overview", "{}");
        assertEquals(405, r.status());
        assertEquals("GET", r.headers().firstValue("Allow").orElse(""));
    }

    @Test
    void badJsonIs400() {
        ApiClient.Response r = api.put("/api/users/someone", "{not json");
        assertEquals(400, r.status());
        assertEquals("bad_request", r.json().path("error").asText());
    }

    @Test
    void metricsNeedNoLogin() {
        ApiClient.Response r = ApiClient.anonymous(fixture.baseUrl()).get("/metrics");
        assertEquals(200, r.status());
        assertTrue(r.body().contains("warren_connections"), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        String auth = java.util.Base64.getEncoder().encodeToString("guest:guest".getBytes(StandardCharsets.US_ASCII));
        String requests = "GET /api/whoami HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic " + auth + "\r\n\r\n"
                + "GET /api/overview HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic " + auth + "\r\n\r\n"
                + "GET /api/vhosts HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAuthorization: Basic " + auth
                + "\r\n\r\n";
        try (Socket socket = new Socket("127.0.0.1", fixture.managementPort())) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(requests.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String all = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int whoami = all.indexOf("\"tags\":[\"administrator\"]");
            int overview = all.indexOf("\"product_name\":\"Warren\"");
            int vhosts = all.indexOf("\"default_queue_type\"");
            assertTrue(whoami >= 0 && overview > whoami && vhosts > overview, all);
            assertEquals(3, all.split("HTTP/1.1 200 OK", -1).length - 1, all);
        }
    }
}
