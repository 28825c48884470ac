package dev.warren.mgmt.http;

import dev.warren.core.auth.Users;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * Who sent a request: HTTP basic auth checked against the user database (with the loopback-only rule for
 * users such as guest, by the caller's address), or {@code Bearer <secret>} with warrenctl's local secret,
 * compared in constant time.
 */
public final class Authenticator {
    static final String LOGIN_FAILED = "Login failed";

    private final Users users;
    private final byte[] localSecret;

    /** @param localSecret warrenctl's secret, or null when there is none (no data directory) */
    public Authenticator(Users users, String localSecret) {
        this.users = users;
        this.localSecret = localSecret == null ? null : localSecret.getBytes(StandardCharsets.US_ASCII);
    }

    /** The caller, or a 401 when the request has no credentials or wrong ones. */
    public Principal authenticate(ApiRequest request) {
        String authorization = request.header(HttpHeaderNames.AUTHORIZATION.toString());
        if (authorization == null) {
            throw ApiException.loginFailed(LOGIN_FAILED);
        }
        int space = authorization.indexOf(' ');
        String scheme = space < 0 ? authorization : authorization.substring(0, space);
        String credentials = space < 0 ? "" : authorization.substring(space + 1).trim();
        if (scheme.equalsIgnoreCase("Basic")) {
            return basic(credentials, request);
        }
        if (scheme.equalsIgnoreCase("Bearer") && localSecret != null
                && MessageDigest.isEqual(localSecret, credentials.getBytes(StandardCharsets.US_ASCII))) {
            return Principal.warrenctl();
        }
        throw ApiException.loginFailed(LOGIN_FAILED);
    }

    private Principal basic(String credentials, ApiRequest request) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(credentials), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiException.loginFailed(LOGIN_FAILED);
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            throw ApiException.loginFailed(LOGIN_FAILED);
        }
        return users.authenticate(decoded.substring(0, colon), decoded.substring(colon + 1), request.peer())
                .map(Principal::of)
                .orElseThrow(() -> ApiException.loginFailed(LOGIN_FAILED));
    }
}
