package dev.warren.mgmt.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warren.core.auth.Permission;
import dev.warren.core.auth.UserPermission;
import dev.warren.core.auth.Users;

/** /api/permissions (administrators only): list, show, set (PUT configure/write/read) and clear. */
final class PermissionHandlers {
    private final Scope scope;

    PermissionHandlers(Scope scope) {
        this.scope = scope;
    }

    void register(Router router) {
        router.get("/api/permissions", Requirement.ADMINISTRATOR, this::list);
        router.get("/api/permissions/{vhost}/{user}", Requirement.ADMINISTRATOR, this::show);
        router.put("/api/permissions/{vhost}/{user}", Requirement.ADMINISTRATOR, this::put);
        router.delete("/api/permissions/{vhost}/{user}", Requirement.ADMINISTRATOR, this::delete);
    }

    private Users users() {
        return scope.broker().users();
    }

    private ApiResponse list(ApiRequest request) {
        ArrayNode out = Json.array();
        users().permissions().forEach(p -> out.add(Views.permission(p)));
        return ApiResponse.json(out);
    }

    private ApiResponse show(ApiRequest request) {
        String vhost = request.param("vhost");
        String user = request.param("user");
        Permission p = users().permission(user, vhost).orElseThrow(ApiException::notFound);
        return ApiResponse.json(Views.permission(new UserPermission(user, vhost, p)));
    }

    private ApiResponse put(ApiRequest request) {
        String vhost = scope.vhost(request.principal(), request.param("vhost")).name();
        String user = scope.user(request.param("user"));
        ObjectNode body = request.jsonObject();
        Permission permission;
        try {
            permission = new Permission(Json.required(body, "configure"), Json.required(body, "write"), Json.required(body, "read"));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        boolean created = users().permission(user, vhost).isEmpty();
        if (!users().setPermission(user, vhost, permission)) {
            throw ApiException.notFound(); // the user was deleted meanwhile
        }
        return ApiResponse.createdOrUpdated(created);
    }

    private ApiResponse delete(ApiRequest request) {
        if (!users().clearPermission(request.param("user"), request.param("vhost"))) {
            throw ApiException.notFound();
        }
        return ApiResponse.noContent();
    }
}
