package dev.warren.mgmt.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.core.auth.Users;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class AuthenticatorTest {
    private final Users users = Users.withDefaultUser("guest", "guest");
    private final Authenticator authenticator = new Authenticator(users, "s3cret-s3cret-s3cret-s3cret-s3cret-xx");

    private static ApiRequest request(String authorization, String peer) throws Exception {
        DefaultHttpHeaders headers = new DefaultHttpHeaders();
        if (authorization != null) {
            headers.set("Authorization", authorization);
        }
        return new ApiRequest(HttpMethod.GET, "/api/whoami", List.of("api", "whoami"), Map.of(), headers, new byte[0],
                InetAddress.getByName(peer), Map.of(), null);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void guestLogsInFromLoopbackOnly() throws Exception {
        assertEquals("guest", authenticator.authenticate(request(basic("guest", "guest"), "127.0.0.1")).name());
        ApiException remote = assertThrows(ApiException.class,
                () -> authenticator.authenticate(request(basic("guest", "guest"), "192.0.2.10")));
        assertEquals(401, remote.status().code());
    }

    @Test
    void otherUsersLogInFromAnywhere() throws Exception {
        users.add("remote", "pw", java.util.Set.of("management"));
        assertEquals("remote", authenticator.authenticate(request(basic("remote", "pw"), "192.0.2.10")).name());
    }

    @Test
    void aPasswordMayContainColons() throws Exception {
        users.add("colon", "a:b:c", java.util.Set.of());
        assertEquals("colon", authenticator.authenticate(request(basic("colon", "a:b:c"), "127.0.0.1")).name());
    }

    @Test
    void theBearerSecretIsTheLocalAdministrator() throws Exception {
        Principal p = authenticator.authenticate(request("Bearer s3cret-s3cret-s3cret-s3cret-s3cret-xx", "192.0.2.10"));
        assertEquals("warrenctl", p.name());
        assertTrue(p.isAdministrator());
        assertTrue(p.local());
    }

    @Test
    void missingMalformedOrWrongCredentialsAre401() {
        for (String bad : new String[] {null, "Basic !!!", "Basic " + Base64.getEncoder().encodeToString("nocolon".getBytes()),
                "Bearer wrong", "Bearer ", "Digest x", basic("guest", "nope")}) {
            ApiException e = assertThrows(ApiException.class, () -> authenticator.authenticate(request(bad, "127.0.0.1")), bad);
            assertEquals(401, e.status().code());
            assertEquals("Login failed", e.reason());
        }
    }

    @Test
    void withoutASecretBearerTokensAreRefused() {
        Authenticator noSecret = new Authenticator(users, null);
        assertThrows(ApiException.class, () -> noSecret.authenticate(request("Bearer anything", "127.0.0.1")));
    }
}
