package dev.warren.mgmt.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** add_user, delete_user, change_password, authenticate_user, set_user_tags, list_users. */
final class UserActions {
    static final String GRANT_REMINDER = "Done. Don't forget to grant the user permissions to some virtual hosts! "
            + "See 'warrenctl help set_permissions' to learn more.";

    private UserActions() {
    }

    static Result addUser(Call call) {
        String user = call.arg(0);
        if (user.isEmpty()) {
            throw Failures.badArgument("user cannot be an empty string");
        }
        String password = password(call, ExitCodes.DATAERR);
        NodeClient node = call.node();
        ApiResponse existing = node.get(userPath(user));
        if (existing.ok()) {
            throw CliException.error(ExitCodes.SOFTWARE, "User \"" + user + "\" already exists");
        }
        if (existing.status() != 404) {
            NodeClient.require(existing);
        }
        ObjectNode body = NodeClient.JSON.createObjectNode().put("password", password).put("tags", "");
        NodeClient.require(node.put(userPath(user), body));
        return new Result.Note(GRANT_REMINDER);
    }

    static Result deleteUser(Call call) {
        String user = call.arg(0);
        NodeClient.require(call.node().delete(userPath(user), Map.of()), () -> Failures.noSuchUser(user));
        return Result.done();
    }

    static Result changePassword(Call call) {
        String user = call.arg(0);
        String password = password(call, ExitCodes.SOFTWARE);
        NodeClient node = call.node();
        JsonNode existing = Failures.requireUser(node, user).body();
        ObjectNode body = NodeClient.JSON.createObjectNode()
                .put("password", password)
                .put("tags", String.join(",", tags(existing.path("tags"))));
        NodeClient.require(node.put(userPath(user), body));
        return Result.done();
    }

    static Result authenticateUser(Call call) {
        String user = call.arg(0);
        String password = password(call, ExitCodes.SOFTWARE);
        NodeClient node = call.node();
        // warrenctl's own credentials first, so that a 401 below can only be about the user's
        NodeClient.require(node.get("/api/overview"));
        ObjectNode body = NodeClient.JSON.createObjectNode().put("username", user).put("password", password);
        ApiResponse response = node.postCheckingCredentials("/api/warren/authenticate", body);
        if (response.status() == 401) {
            String reason = response.body().path("reason").asText("");
            throw new CliException(ExitCodes.DATAERR, "Error: failed to authenticate user \"" + user + "\"\n"
                    + (reason.isEmpty() ? "user '" + user + "' - invalid credentials" : reason));
        }
        NodeClient.require(response);
        return new Result.Text("Success");
    }

    static Result setUserTags(Call call) {
        String user = call.arg(0);
        List<String> tags = call.args().subList(1, call.args().size());
        NodeClient node = call.node();
        JsonNode existing = Failures.requireUser(node, user).body();
        ObjectNode body = NodeClient.JSON.createObjectNode().put("tags", String.join(",", tags));
        // keep the password: send back the hash the API gave, as RabbitMQ's API accepts it
        if (existing.hasNonNull("password_hash")) {
            body.put("password_hash", existing.get("password_hash").asText());
            if (existing.hasNonNull("hashing_algorithm")) {
                body.put("hashing_algorithm", existing.get("hashing_algorithm").asText());
            }
        }
        NodeClient.require(node.put(userPath(user), body));
        return Result.done();
    }

    static String tagsBanner(Call call) {
        List<String> tags = call.args().subList(1, call.args().size());
        return "Setting tags for user \"" + call.arg(0) + "\" to [" + String.join(", ", tags) + "] ...";
    }

    /** A user's tags as a JSON array, whether the API gives a list or RabbitMQ's older "a,b" string. */
    static JsonNode tagArray(JsonNode tags) {
        ArrayNode array = NodeClient.JSON.createArrayNode();
        tags(tags).forEach(array::add);
        return array;
    }

    private static List<String> tags(JsonNode tags) {
        List<String> list = new ArrayList<>();
        if (tags.isArray()) {
            tags.forEach(t -> list.add(t.asText()));
        } else if (tags.isTextual()) {
            for (String t : tags.asText().split(",")) {
                if (!t.isBlank()) {
                    list.add(t.trim());
                }
            }
        }
        return list;
    }

    private static String password(Call call, int exitCodeWhenMissing) {
        if (call.args().size() > 1) {
            return call.arg(1);
        }
        String password = call.readPassword();
        if (password == null) {
            throw CliException.error(exitCodeWhenMissing, "Password is not provided via argument or stdin");
        }
        return password;
    }

    private static String userPath(String user) {
        return "/api/users/" + NodeClient.segment(user);
    }
}
