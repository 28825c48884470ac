package dev.warren.mgmt.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.management.UnixOperatingSystemMXBean;
import dev.warren.core.store.MemoryAlarm;
import dev.warren.core.store.ResourceAlarm;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * GET /api/nodes and /api/nodes/{node}: this node's facts with RabbitMQ's field names (Warren is one node):
 * uptime, memory used against the high watermark, free disk against the limit, file descriptors, alarms.
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
            nodes.add(node());
            return ApiResponse.json(nodes);
        });
        router.get("/api/nodes/{node}", Requirement.MONITORING, request -> {
            if (!request.param("node").equals(identity.node())) {
                throw ApiException.notFound();
            }
            return ApiResponse.json(node());
        });
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
