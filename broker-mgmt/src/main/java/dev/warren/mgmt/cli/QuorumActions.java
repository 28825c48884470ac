package dev.warren.mgmt.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * rabbitmq-queues' membership commands for quorum queues: add_member and delete_member for one queue, grow and
 * shrink for every quorum queue (grow's {@code all} adds the node to each queue that lacks it; {@code even} only
 * where that makes the member count odd again, as rabbitmq-queues does).
 */
final class QuorumActions {
    private QuorumActions() {
    }

    static Result addMember(Call call) {
        change(call, call.vhost(), call.arg(0), call.arg(1), true);
        return Result.done();
    }

    static Result deleteMember(Call call) {
        change(call, call.vhost(), call.arg(0), call.arg(1), false);
        return Result.done();
    }

    /** grow NODE all|even: the node becomes a member of every quorum queue (in every vhost) that lacks it. */
    static Result grow(Call call) {
        String node = call.arg(0);
        String which = call.arg(1);
        if (!which.equals("all") && !which.equals("even")) {
            throw Failures.badArgument("the second argument is 'all' or 'even', not '" + which + "'");
        }
        List<String> done = new ArrayList<>();
        for (JsonNode queue : quorumQueues(call)) {
            int members = queue.path("members").size();
            if (contains(queue.path("members"), node) || which.equals("even") && members % 2 != 0) {
                continue;
            }
            change(call, queue.path("vhost").asText(), queue.path("name").asText(), node, true);
            done.add(queue.path("vhost").asText() + " " + queue.path("name").asText());
        }
        return new Result.Text(String.join("\n", done));
    }

    /** shrink NODE: the node stops being a member of every quorum queue that has other members. */
    static Result shrink(Call call) {
        String node = call.arg(0);
        List<String> done = new ArrayList<>();
        for (JsonNode queue : quorumQueues(call)) {
            if (!contains(queue.path("members"), node) || queue.path("members").size() < 2) {
                continue;
            }
            change(call, queue.path("vhost").asText(), queue.path("name").asText(), node, false);
            done.add(queue.path("vhost").asText() + " " + queue.path("name").asText());
        }
        return new Result.Text(String.join("\n", done));
    }

    private static void change(Call call, String vhost, String queue, String node, boolean add) {
        String path = "/api/queues/" + NodeClient.segment(vhost) + "/" + NodeClient.segment(queue) + "/members/"
                + NodeClient.segment(node);
        ApiResponse response = add ? call.node().put(path, NodeClient.JSON.createObjectNode()) : call.node().delete(path, Map.of());
        NodeClient.require(response, () -> CliException.error(ExitCodes.DATAERR,
                "Queue '" + queue + "' in vhost '" + vhost + "' not found"));
    }

    private static List<JsonNode> quorumQueues(Call call) {
        List<JsonNode> queues = new ArrayList<>();
        for (JsonNode queue : NodeClient.require(call.node().get("/api/queues")).body()) {
            if ("quorum".equals(queue.path("type").asText())) {
                queues.add(queue);
            }
        }
        return queues;
    }

    private static boolean contains(JsonNode members, String node) {
        for (JsonNode member : members) {
            if (member.asText().equals(node)) {
                return true;
            }
        }
        return false;
    }
}
