package dev.warren.mgmt.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * cluster_status: the cluster's nodes as the node asked sees them (/api/nodes), in rabbitmqctl's sections, and as its
 * JSON with {@code disk_nodes} (every member: Warren's nodes all keep their data on disk) and {@code running_nodes}.
 */
final class ClusterActions {
    private ClusterActions() {
    }

    static Result clusterStatus(Call call) {
        JsonNode nodes = NodeClient.require(call.node().get("/api/nodes")).body();
        JsonNode overview = NodeClient.require(call.node().get("/api/overview")).body();
        ObjectNode json = NodeClient.JSON.createObjectNode();
        json.put("cluster_name", overview.path("cluster_name").asText(call.node().node()));
        ArrayNode disk = json.putArray("disk_nodes");
        ArrayNode running = json.putArray("running_nodes");
        for (JsonNode node : nodes) {
            disk.add(node.path("name").asText());
            if (node.path("running").asBoolean(false)) {
                running.add(node.path("name").asText());
            }
        }
        json.putArray("ram_nodes");
        json.putObject("partitions");
        StringBuilder text = new StringBuilder("Basics\n\nCluster name: ").append(json.path("cluster_name").asText())
                .append("\n\nDisk Nodes\n\n");
        disk.forEach(n -> text.append(n.asText()).append('\n'));
        text.append("\nRunning Nodes\n\n");
        running.forEach(n -> text.append(n.asText()).append('\n'));
        return new Result.Document(text.toString().stripTrailing(), json);
    }

    /** forget_cluster_node NODE: run on a remaining node, with the forgotten one stopped. */
    static Result forgetClusterNode(Call call) {
        String node = call.arg(0);
        ApiResponse response = call.node().delete("/api/nodes/" + NodeClient.segment(node), java.util.Map.of());
        if (response.status() == 400) {
            throw CliException.error(ExitCodes.USAGE, response.reason());
        }
        NodeClient.require(response);
        return Result.done();
    }

    /** join_cluster NODE: run on the node that joins; it restarts in the cluster once the answer is sent. */
    static Result joinCluster(Call call) {
        ApiResponse response = call.node().post("/api/warren/join_cluster",
                NodeClient.JSON.createObjectNode().put("node", call.arg(0)));
        if (response.status() == 400) {
            throw CliException.error(ExitCodes.USAGE, response.reason());
        }
        NodeClient.require(response);
        return Result.done();
    }

    static String banner(Call call) {
        return "Cluster status of node " + call.node().node() + " ...";
    }
}
