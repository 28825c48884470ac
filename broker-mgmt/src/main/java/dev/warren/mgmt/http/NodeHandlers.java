package dev.warren.mgmt.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.management.UnixOperatingSystemMXBean;
import dev.warren.core.cluster.ClusterNode;
import dev.warren.core.store.MemoryAlarm;
import dev.warren.core.store.ResourceAlarm;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * GET /api/nodes and /api/nodes/{node}: every cluster node (this one alone outside a cluster) with RabbitMQ's field
 * names: its name, type and whether it is running; for this node also uptime, memory used against the high
 * watermark, free disk against the limit, file descriptors, alarms (another node's facts are on that node).
 * Monitoring users and administrators only, as in RabbitMQ.
 */
final class NodeHandlers {
    private final Scope scope;
    private final ServerIdentity identity;

    NodeHandlers(Scope scope, ServerIdentity identity) {
        this.scope = scope;
        this.identity = identity;
    }

    void register(Router router) {
        router.get("/api/nodes", Requirement.MONITORING, request -> {
            ArrayNode nodes = Json.array();
            for (ClusterNode member : scope.broker().cluster().nodes()) {
                nodes.add(member.name().equals(identity.node()) ? node() : member(member));
            }
            return ApiResponse.json(nodes);
        });
        router.get("/api/nodes/{node}", Requirement.MONITORING, request -> {
            String name = request.param("node");
            if (name.equals(identity.node())) {
                return ApiResponse.json(node());
            }
            return ApiResponse.json(scope.broker().cluster().nodes().stream().filter(n -> n.name().equals(name))
                    .findFirst().map(NodeHandlers::member).orElseThrow(ApiException::notFound));
        });
        // forget_cluster_node: a stopped node leaves the cluster for good
        router.delete("/api/nodes/{node}", Requirement.ADMINISTRATOR, request -> {
            String node = request.param("node");
            await(scope.broker().cluster().forget(node), "forgetting " + node);
            return ApiResponse.noContent();
        });
        // join_cluster: this node, outside a cluster, is reset and restarts as a member of the cluster of {"node"}
        router.post("/api/warren/join_cluster", Requirement.ADMINISTRATOR, request -> {
            String seed = request.jsonObject().path("node").asText("");
            if (seed.isEmpty()) {
                throw ApiException.badRequest("expected {\"node\": \"NAME@HOST:PORT\"}, a node of the cluster to join");
            }
            await(scope.broker().cluster().join(seed), "joining the cluster of " + seed);
            return ApiResponse.noContent();
        });
    }

    /** Waits for a cluster change; what it refused (IllegalArgumentException) is a 400 with its reason. */
    private static void await(java.util.concurrent.CompletableFuture<Void> change, String what) {
        try {
            change.get(CHANGE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                    ? c.getCause() : e.getCause();
            if (cause instanceof IllegalArgumentException refused) {
                throw ApiException.badRequest(refused.getMessage());
            }
            throw new IllegalStateException(what + " failed", cause);
        } catch (TimeoutException e) {
            throw ApiException.unavailable(what + " did not finish within " + CHANGE_TIMEOUT_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted while " + what);
        }
    }

    private static final long CHANGE_TIMEOUT_SECONDS = 60;

    /** Another cluster node, as far as this one knows it. */
    private static ObjectNode member(ClusterNode member) {
        return Json.object().put("name", member.name()).put("type", "disc").put("running", member.running());
    }

    private ObjectNode node() {
        MemoryAlarm memory = scope.broker().storage().memoryAlarm();
        ResourceAlarm disk = scope.broker().storage().diskAlarm();
        ObjectNode n = Json.object()
                .put("name", identity.node())
                .put("type", "disc")
                .put("running", true)
                .put("uptime", ManagementFactory.getRuntimeMXBean().getUptime())
                .put("processors", Runtime.getRuntime().availableProcessors())
                .put("mem_used", memory.used())
                .put("mem_limit", memory.limit())
                .put("mem_alarm", memory.raised())
                .put("disk_free_alarm", disk.raised());
        // unknown until the store's first reading (a broker without a store never has one)
        if (disk.level() >= 0) {
            n.put("disk_free", disk.level()).put("disk_free_limit", disk.limit());
        }
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof UnixOperatingSystemMXBean unix) {
            n.put("fd_used", unix.getOpenFileDescriptorCount()).put("fd_total", unix.getMaxFileDescriptorCount());
        }
        return n;
    }
}
