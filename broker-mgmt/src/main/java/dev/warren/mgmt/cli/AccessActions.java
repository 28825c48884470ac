package dev.warren.mgmt.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;

/**
 * Virtual hosts and permissions: add_vhost, delete_vhost, set_permissions, clear_permissions,
 * set_topic_permissions, clear_topic_permissions and their listings.
 */
final class AccessActions {
    private AccessActions() {
    }

    /** Creates the virtual host; like rabbitmqctl, succeeds when it already exists. */
    static Result addVhost(Call call) {
        String vhost = call.arg(0);
        if (vhost.isEmpty()) {
            throw Failures.badArgument("vhost cannot be an empty string");
        }
        ObjectNode body = NodeClient.JSON.createObjectNode();
        if (call.has(Option.DESCRIPTION)) {
            body.put("description", call.option(Option.DESCRIPTION, ""));
        }
        if (call.has(Option.TAGS)) {
            body.put("tags", call.option(Option.TAGS, ""));
        }
        NodeClient.require(call.node().put(vhostPath(vhost), body));
        return Result.done();
    }

    static Result traceOn(Call call) {
        return tracing(call, true);
    }

    static Result traceOff(Call call) {
        return tracing(call, false);
    }

    private static Result tracing(Call call, boolean on) {
        Failures.requireVhost(call.node(), call.vhost());
        NodeClient.require(call.node().put(vhostPath(call.vhost()), NodeClient.JSON.createObjectNode().put("tracing", on)));
        return Result.done();
    }

    static Result deleteVhost(Call call) {
        String vhost = call.arg(0);
        NodeClient.require(call.node().delete(vhostPath(vhost), Map.of()), () -> Failures.noSuchVhost(vhost));
        return Result.done();
    }

    static Result setPermissions(Call call) {
        return putForUserInVhost(call, permissionPath(call.vhost(), call.arg(0)), NodeClient.JSON.createObjectNode()
                .put("configure", call.arg(1))
                .put("write", call.arg(2))
                .put("read", call.arg(3)));
    }

    /** Removes the user's permissions in the virtual host; none to remove is fine, as in rabbitmqctl. */
    static Result clearPermissions(Call call) {
        return deleteForUserInVhost(call, permissionPath(call.vhost(), call.arg(0)));
    }

    /** PUTs a user's setting in the virtual host (the first argument names the user); 67/65 when either is missing. */
    private static Result putForUserInVhost(Call call, String path, ObjectNode body) {
        NodeClient node = call.node();
        Failures.requireUser(node, call.arg(0));
        Failures.requireVhost(node, call.vhost());
        NodeClient.require(node.put(path, body));
        return Result.done();
    }

    /** DELETEs a user's setting in the virtual host; nothing to delete is fine when both exist, as in rabbitmqctl. */
    private static Result deleteForUserInVhost(Call call, String path) {
        NodeClient node = call.node();
        ApiResponse response = node.delete(path, Map.of());
        if (response.status() == 404) {
            Failures.requireUser(node, call.arg(0));
            Failures.requireVhost(node, call.vhost());
            return Result.done();
        }
        NodeClient.require(response);
        return Result.done();
    }

    static Result listPermissions(Call call) {
        ApiResponse response = NodeClient.require(call.node().get(vhostPath(call.vhost()) + "/permissions"),
                () -> Failures.noSuchVhost(call.vhost()));
        return Listing.rows(call, response.body());
    }

    static Result listUserPermissions(Call call) {
        String user = call.arg(0);
        String path = "/api/users/" + NodeClient.segment(user) + "/permissions";
        ApiResponse response = NodeClient.require(call.node().get(path), () -> Failures.noSuchUser(user));
        return Listing.rows(call, response.body());
    }

    static Result setTopicPermissions(Call call) {
        return putForUserInVhost(call, topicPermissionPath(call.vhost(), call.arg(0)), NodeClient.JSON.createObjectNode()
                .put("exchange", call.arg(1))
                .put("write", call.arg(2))
                .put("read", call.arg(3)));
    }

    /** Removes the user's topic permissions (on one exchange, or all); none to remove is fine, as in rabbitmqctl. */
    static Result clearTopicPermissions(Call call) {
        String only = call.args().size() > 1 ? "?exchange=" + NodeClient.segment(call.arg(1)) : "";
        return deleteForUserInVhost(call, topicPermissionPath(call.vhost(), call.arg(0)) + only);
    }

    static Result listTopicPermissions(Call call) {
        ApiResponse response = NodeClient.require(call.node().get(vhostPath(call.vhost()) + "/topic-permissions"),
                () -> Failures.noSuchVhost(call.vhost()));
        return Listing.rows(call, response.body());
    }

    static Result listUserTopicPermissions(Call call) {
        String user = call.arg(0);
        NodeClient node = call.node();
        Failures.requireUser(node, user);
        ApiResponse response = NodeClient.require(node.get("/api/users/" + NodeClient.segment(user) + "/topic-permissions"));
        return Listing.rows(call, response.body());
    }

    private static String topicPermissionPath(String vhost, String user) {
        return "/api/topic-permissions/" + NodeClient.segment(vhost) + "/" + NodeClient.segment(user);
    }

    private static String vhostPath(String vhost) {
        return "/api/vhosts/" + NodeClient.segment(vhost);
    }

    private static String permissionPath(String vhost, String user) {
        return "/api/permissions/" + NodeClient.segment(vhost) + "/" + NodeClient.segment(user);
    }
}
