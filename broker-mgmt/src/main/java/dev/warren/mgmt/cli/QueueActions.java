package dev.warren.mgmt.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** purge_queue, delete_queue and close_connection. */
final class QueueActions {
    private QueueActions() {
    }

    static Result purgeQueue(Call call) {
        String queue = call.arg(0);
        NodeClient.require(call.node().delete(queuePath(call.vhost(), queue) + "/contents", Map.of()),
                () -> CliException.error(ExitCodes.DATAERR,
                        "Queue '" + queue + "' in vhost '" + call.vhost() + "' not found"));
        return Result.done();
    }

    /**
     * Deletes the queue, reporting how many messages went with it, as rabbitmqctl does; a missing queue, or
     * one that --if-empty or --if-unused spares, is rabbitmqctl's usage error (64).
     */
    static Result deleteQueue(Call call) {
        String queue = call.arg(0);
        if (queue.isEmpty()) {
            throw Failures.badArgument("queue name cannot be empty string.");
        }
        NodeClient node = call.node();
        String path = queuePath(call.vhost(), queue);
        JsonNode state = NodeClient.require(node.get(path), QueueActions::notFound).body();
        List<String> conditions = new ArrayList<>();
        if (call.has(Option.IF_EMPTY)) {
            conditions.add("if-empty=true");
        }
        if (call.has(Option.IF_UNUSED)) {
            conditions.add("if-unused=true");
        }
        String query = conditions.isEmpty() ? "" : "?" + String.join("&", conditions);
        ApiResponse response = node.delete(path + query, Map.of());
        if (response.status() == 404) {
            throw notFound();
        }
        if (response.status() == 400 && !conditions.isEmpty()) {
            // the API answers 400 "406 PRECONDITION_FAILED - queue '...' in vhost '...' in use" (or "not empty")
            String reason = response.reason();
            if (reason.endsWith("in use")) {
                throw CliException.error(ExitCodes.USAGE, "Queue is in use");
            }
            if (reason.endsWith("not empty")) {
                throw CliException.error(ExitCodes.USAGE, "Queue is not empty");
            }
        }
        NodeClient.require(response);
        return new Result.Text("Queue was successfully deleted with " + state.path("messages").asLong(0) + " messages");
    }

    static String deleteQueueBanner(Call call) {
        StringBuilder banner = new StringBuilder("Deleting queue '" + call.arg(0) + "' on vhost '" + call.vhost() + "' ");
        List<String> conditions = new ArrayList<>();
        if (call.has(Option.IF_EMPTY)) {
            conditions.add("if queue is empty ");
        }
        if (call.has(Option.IF_UNUSED)) {
            conditions.add("if queue is unused ");
        }
        return banner.append(String.join("and ", conditions)).append("...").toString();
    }

    static Result closeConnection(Call call) {
        String name = call.arg(0);
        ApiResponse response = call.node().delete("/api/connections/" + NodeClient.segment(name),
                Map.of("X-Reason", call.arg(1)));
        NodeClient.require(response, () -> CliException.error(ExitCodes.DATAERR, "Connection '" + name + "' not found"));
        return Result.done();
    }

    /** Closes the vhost's (or, with --global, every) connection, up to --limit, pausing --per-connection-delay ms between. */
    static Result closeAllConnections(Call call) {
        boolean global = call.has(Option.ALL_VHOSTS);
        if (!global) {
            Failures.requireVhost(call.node(), call.vhost());
        }
        long limit = nonNegative(call.option(Option.LIMIT, String.valueOf(Long.MAX_VALUE)), "limit");
        long delay = nonNegative(call.option(Option.PER_CONNECTION_DELAY, "0"), "per-connection-delay");
        JsonNode connections = NodeClient.require(call.node().get("/api/connections")).body();
        int closed = 0;
        for (JsonNode c : connections) {
            if (closed >= limit) {
                break;
            }
            if (!global && !c.path("vhost").asText().equals(call.vhost())) {
                continue;
            }
            if (closed > 0 && delay > 0) {
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            ApiResponse response = call.node().delete("/api/connections/" + NodeClient.segment(c.path("name").asText()),
                    Map.of("X-Reason", call.arg(0)));
            if (response.status() != 404) { // one that went away meanwhile is not an error
                NodeClient.require(response);
                closed++;
            }
        }
        return new Result.Text("Closed " + closed + " connections");
    }

    private static long nonNegative(String value, String option) {
        try {
            long parsed = Long.parseLong(value);
            if (parsed >= 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw Failures.badArgument("--" + option + " must be a non-negative integer, got '" + value + "'");
    }

    private static CliException notFound() {
        return CliException.error(ExitCodes.USAGE, "Queue not found");
    }

    private static String queuePath(String vhost, String queue) {
        return "/api/queues/" + NodeClient.segment(vhost) + "/" + NodeClient.segment(queue);
    }
}
