package dev.warren.mgmt.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warren.core.auth.PasswordHash;
import dev.warren.core.auth.User;
import dev.warren.core.auth.UserPermission;
import dev.warren.core.auth.Users;
import dev.warren.store.DefinitionsJson;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetAddress;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;

/**
 * /api/users (administrators only): list, show, create or update (PUT with a password or a password hash,
 * and tags), delete (closes the user's connections); the user's permissions; and warrenctl's password check.
 */
final class UserHandlers {
    private final Scope scope;

    UserHandlers(Scope scope) {
        this.scope = scope;
    }

    void register(Router router) {
        router.get("/api/users", Requirement.ADMINISTRATOR, this::list);
        router.get("/api/users/{user}", Requirement.ADMINISTRATOR, this::show);
        router.put("/api/users/{user}", Requirement.ADMINISTRATOR, this::put);
        router.delete("/api/users/{user}", Requirement.ADMINISTRATOR, this::delete);
        router.get("/api/users/{user}/permissions", Requirement.ADMINISTRATOR, this::permissions);
        router.post("/api/warren/authenticate", Requirement.ADMINISTRATOR, this::authenticate);
    }

    private Users users() {
        return scope.broker().users();
    }

    private ApiResponse list(ApiRequest request) {
        ArrayNode out = Json.array();
        users().list().forEach(u -> out.add(Views.user(u)));
        return ApiResponse.json(out);
    }

    private User existing(ApiRequest request) {
        return users().user(request.param("user")).orElseThrow(ApiException::notFound);
    }

    private ApiResponse show(ApiRequest request) {
        return ApiResponse.json(Views.user(existing(request)));
    }

    /**
     * Creates or updates a user. {@code password} is hashed; {@code password_hash} (RabbitMQ's salted SHA-256,
     * base64) is kept as it is. On an update, a missing password keeps the old one and missing tags keep the
     * old tags; a new user without either has no password (cannot log in with one) and no tags.
     */
    private ApiResponse put(ApiRequest request) {
        String name = request.param("user");
        if (name.isEmpty()) {
            throw ApiException.badRequest("a user name must not be empty");
        }
        ObjectNode body = request.jsonObject();
        String password = Json.text(body, "password", null);
        String hash = Json.text(body, "password_hash", null);
        String algorithm = Json.text(body, "hashing_algorithm", DefinitionsJson.HASHING_ALGORITHM);
        if (password != null && hash != null) {
            throw ApiException.badRequest("give password or password_hash, not both");
        }
        if (hash != null) {
            if (!algorithm.equals(DefinitionsJson.HASHING_ALGORITHM)) {
                throw ApiException.badRequest("password hashing algorithm '" + algorithm + "' is not supported (only "
                        + DefinitionsJson.HASHING_ALGORITHM + ")");
            }
            checkHash(hash);
        }
        Optional<User> before = users().user(name);
        Set<String> tags = body.has("tags") ? Json.tags(body.get("tags"))
                : before.map(User::tags).orElse(Set.of());
        String newHash = password != null ? PasswordHash.hash(password)
                : hash != null ? hash
                : before.map(User::passwordHash).orElse("");
        users().put(new User(name, newHash, tags));
        return ApiResponse.createdOrUpdated(before.isEmpty());
    }

    private static void checkHash(String hash) {
        if (hash.isEmpty()) {
            return; // RabbitMQ's "no password"
        }
        try {
            if (Base64.getDecoder().decode(hash).length <= 4) {
                throw ApiException.badRequest("password_hash is too short");
            }
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("password_hash is not base64");
        }
    }

    private ApiResponse delete(ApiRequest request) {
        if (!scope.broker().deleteUser(request.param("user"))) {
            throw ApiException.notFound();
        }
        return ApiResponse.noContent();
    }

    private ApiResponse permissions(ApiRequest request) {
        User user = existing(request);
        ArrayNode out = Json.array();
        for (UserPermission p : users().permissions()) {
            if (p.user().equals(user.name())) {
                out.add(Views.permission(p));
            }
        }
        return ApiResponse.json(out);
    }

    /**
     * warrenctl authenticate_user: checks a user's password as rabbitmqctl does, without the loopback-only
     * rule (that rule is about where a login comes from, and this is not a login). 200 with the user's name
     * and tags, or 401.
     */
    private ApiResponse authenticate(ApiRequest request) {
        JsonNode body = request.jsonObject();
        String name = Json.text(body, "username", null);
        String password = Json.text(body, "password", null);
        if (name == null || password == null) {
            throw ApiException.badRequest("username and password are required");
        }
        return users().authenticate(name, password, InetAddress.getLoopbackAddress())
                .map(u -> {
                    ObjectNode n = Json.object().put("name", u.name());
                    n.set("tags", Json.tagList(u.tags()));
                    return ApiResponse.json(n);
                })
                .orElseGet(() -> ApiResponse.json(HttpResponseStatus.UNAUTHORIZED,
                        Json.error("not_authorized", "user '" + name + "' - invalid credentials")));
    }
}
