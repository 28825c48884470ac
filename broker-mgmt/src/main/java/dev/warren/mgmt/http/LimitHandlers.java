package dev.warren.mgmt.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warren.core.VirtualHost;
import dev.warren.core.auth.User;
import dev.warren.core.auth.Users;
import dev.warren.core.limits.Limits;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * /api/vhost-limits and /api/user-limits (administrators only), as RabbitMQ's API: list all or one's
 * ({@code [{"vhost"|"user", "value": {...}}]}), PUT one limit ({@code {"value": N}}) and DELETE one limit.
 */
final class LimitHandlers {
    private final Scope scope;

    LimitHandlers(Scope scope) {
        this.scope = scope;
    }

    void register(Router router) {
        router.get("/api/vhost-limits", Requirement.ADMINISTRATOR, request -> vhostLimits(null));
        router.get("/api/vhost-limits/{vhost}", Requirement.ADMINISTRATOR, request -> vhostLimits(vhost(request)));
        router.put("/api/vhost-limits/{vhost}/{name}", Requirement.ADMINISTRATOR, this::putVhostLimit);
        router.delete("/api/vhost-limits/{vhost}/{name}", Requirement.ADMINISTRATOR, this::deleteVhostLimit);
        router.get("/api/user-limits", Requirement.ADMINISTRATOR, request -> userLimits(null));
        router.get("/api/user-limits/{user}", Requirement.ADMINISTRATOR, request -> userLimits(user(request)));
        router.put("/api/user-limits/{user}/{name}", Requirement.ADMINISTRATOR, this::putUserLimit);
        router.delete("/api/user-limits/{user}/{name}", Requirement.ADMINISTRATOR, this::deleteUserLimit);
    }

    private Users users() {
        return scope.broker().users();
    }

    private VirtualHost vhost(ApiRequest request) {
        return scope.vhost(request.principal(), request.param("vhost"));
    }

    private String user(ApiRequest request) {
        return scope.user(request.param("user"));
    }

    private ApiResponse vhostLimits(VirtualHost only) {
        ArrayNode out = Json.array();
        for (VirtualHost vhost : scope.broker().vhosts()) {
            if ((only == null || only == vhost) && !vhost.limits().isEmpty()) {
                out.addObject().put("vhost", vhost.name()).set("value", value(vhost.limits()));
            }
        }
        return ApiResponse.json(out);
    }

    private ApiResponse userLimits(String only) {
        ArrayNode out = Json.array();
        for (User user : users().list()) {
            Limits limits = users().limits(user.name());
            if ((only == null || only.equals(user.name())) && !limits.isEmpty()) {
                out.addObject().put("user", user.name()).set("value", value(limits));
            }
        }
        return ApiResponse.json(out);
    }

    private ApiResponse putVhostLimit(ApiRequest request) {
        VirtualHost vhost = vhost(request);
        vhost.limits(with(vhost.limits(), request, Limits.VHOST_KEYS));
        return ApiResponse.noContent();
    }

    private ApiResponse deleteVhostLimit(ApiRequest request) {
        VirtualHost vhost = vhost(request);
        vhost.limits(vhost.limits().without(Set.of(request.param("name"))));
        return ApiResponse.noContent();
    }

    private ApiResponse putUserLimit(ApiRequest request) {
        String user = user(request);
        if (!users().setLimits(user, with(users().limits(user), request, Limits.USER_KEYS))) {
            throw ApiException.notFound();
        }
        return ApiResponse.noContent();
    }

    private ApiResponse deleteUserLimit(ApiRequest request) {
        String user = user(request);
        users().setLimits(user, users().limits(user).without(Set.of(request.param("name"))));
        return ApiResponse.noContent();
    }

    /** The limits with the one named in the path set to the body's {@code value}; 400 in RabbitMQ's words when invalid. */
    private static Limits with(Limits current, ApiRequest request, Set<String> allowed) {
        ObjectNode body = request.jsonObject();
        JsonNode value = body.get("value");
        if (value == null) {
            throw ApiException.badRequest("[{key_missing,value}]");
        }
        Map<String, Object> merged = new TreeMap<>(current.values());
        merged.put(request.param("name"), Json.MAPPER.convertValue(value, Object.class));
        try {
            return Limits.parse(merged, allowed);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    private static ObjectNode value(Limits limits) {
        ObjectNode value = Json.object();
        limits.values().forEach(value::put);
        return value;
    }
}
