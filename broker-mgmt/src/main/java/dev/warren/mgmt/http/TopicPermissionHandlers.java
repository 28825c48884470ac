package dev.warren.mgmt.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warren.core.auth.TopicPermission;
import dev.warren.core.auth.Users;
import java.util.function.Predicate;

/**
 * /api/topic-permissions (administrators only), as RabbitMQ's API: list all, or a user's in a virtual host
 * (GET), set one exchange's write and read patterns (PUT {"exchange","write","read"}), clear the user's in
 * the virtual host (DELETE); also listed per user and per virtual host.
 */
final class TopicPermissionHandlers {
    private final Scope scope;

    TopicPermissionHandlers(Scope scope) {
        this.scope = scope;
    }

    void register(Router router) {
        router.get("/api/topic-permissions", Requirement.ADMINISTRATOR, request -> list(t -> true));
        router.get("/api/topic-permissions/{vhost}/{user}", Requirement.ADMINISTRATOR, this::show);
        router.put("/api/topic-permissions/{vhost}/{user}", Requirement.ADMINISTRATOR, this::put);
        router.delete("/api/topic-permissions/{vhost}/{user}", Requirement.ADMINISTRATOR, this::delete);
        router.get("/api/users/{user}/topic-permissions", Requirement.ADMINISTRATOR, this::ofUser);
        router.get("/api/vhosts/{vhost}/topic-permissions", Requirement.ADMINISTRATOR, this::ofVhost);
    }

    private Users users() {
        return scope.broker().users();
    }

    private ApiResponse list(Predicate<TopicPermission> which) {
        ArrayNode out = Json.array();
        users().topicPermissions().stream().filter(which).forEach(t -> out.add(view(t)));
        return ApiResponse.json(out);
    }

    private ApiResponse ofUser(ApiRequest request) {
        String user = scope.user(request.param("user"));
        return list(t -> t.user().equals(user));
    }

    private ApiResponse ofVhost(ApiRequest request) {
        String vhost = scope.vhost(request.principal(), request.param("vhost")).name();
        return list(t -> t.vhost().equals(vhost));
    }

    private ApiResponse show(ApiRequest request) {
        String vhost = request.param("vhost");
        String user = request.param("user");
        ArrayNode out = Json.array();
        users().topicPermissions().stream().filter(t -> t.vhost().equals(vhost) && t.user().equals(user))
                .forEach(t -> out.add(view(t)));
        if (out.isEmpty()) {
            throw ApiException.notFound();
        }
        return ApiResponse.json(out);
    }

    private ApiResponse put(ApiRequest request) {
        String vhost = scope.vhost(request.principal(), request.param("vhost")).name();
        String user = scope.user(request.param("user"));
        ObjectNode body = request.jsonObject();
        TopicPermission permission;
        try {
            permission = TopicPermission.of(user, vhost, Json.required(body, "exchange"), Json.required(body, "write"), Json.required(body, "read"));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        boolean created = users().topicPermission(user, vhost, permission.exchange()).isEmpty();
        if (!users().setTopicPermission(permission)) {
            throw ApiException.notFound(); // the user was deleted meanwhile
        }
        return ApiResponse.createdOrUpdated(created);
    }

    private ApiResponse delete(ApiRequest request) {
        if (!users().clearTopicPermissions(request.param("user"), request.param("vhost"), request.queryParam("exchange"))) {
            throw ApiException.notFound();
        }
        return ApiResponse.noContent();
    }

    static ObjectNode view(TopicPermission t) {
        return Json.object().put("user", t.user()).put("vhost", t.vhost()).put("exchange", t.exchange())
                .put("write", t.write()).put("read", t.read());
    }
}
