package dev.warren.mgmt.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warren.core.Broker;
import dev.warren.core.MessageQueue;
import dev.warren.core.VirtualHost;
import dev.warren.core.connection.ListenerControl;
import dev.warren.core.connection.ClientConnection;
import dev.warren.mgmt.rates.SampledSeries;
import dev.warren.core.store.MemoryAlarm;
import dev.warren.core.store.ResourceAlarm;
import java.util.List;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * GET /api/overview, /api/whoami and the alarms health check. The overview also carries the node fields
 * RabbitMQ shows under /api/nodes for its alarms (mem_used, mem_limit, mem_alarm, disk_free_alarm) and the
 * watermark setting, which warrenctl status prints.
 */
final class OverviewHandlers {
    private final Scope scope;
    private final ServerIdentity identity;

    OverviewHandlers(Scope scope, ServerIdentity identity) {
        this.scope = scope;
        this.identity = identity;
    }

    void register(Router router) {
        router.get("/api/overview", Requirement.MANAGEMENT, this::overview);
        router.get("/api/whoami", Requirement.MANAGEMENT, this::whoami);
        router.get("/api/health/checks/alarms", Requirement.MANAGEMENT, this::alarms);
        router.get("/api/health/checks/local-alarms", Requirement.MANAGEMENT, this::alarms);
    }

    private ApiResponse overview(ApiRequest request) {
        Principal who = request.principal();
        Broker broker = scope.broker();
        ObjectNode n = Json.object()
                .put("management_version", identity.productVersion())
                .put("rates_mode", scope.rates().sampled() ? "basic" : "none")
                .put("product_name", "Warren")
                .put("product_version", identity.productVersion())
                .put("node", identity.node())
                .put("cluster_name", identity.node());
        ListenerControl control = scope.broker().listeners();
        boolean stopped = control != ListenerControl.NONE && !control.listening();
        n.put("app_running", !stopped); // false after stop_app, until start_app
        ArrayNode listeners = n.putArray("listeners");
        if (identity.amqpPort() > 0 && !stopped) {
            listeners.addObject().put("node", identity.node()).put("protocol", "amqp").put("ip_address", "::")
                    .put("port", identity.amqpPort());
        }
        if (identity.amqpsPort() > 0 && !stopped) {
            listeners.addObject().put("node", identity.node()).put("protocol", "amqp/ssl").put("ip_address", "::")
                    .put("port", identity.amqpsPort());
        }
        if (identity.httpPort().getAsInt() > 0) {
            listeners.addObject().put("node", identity.node()).put("protocol", "http").put("ip_address", "::")
                    .put("port", identity.httpPort().getAsInt());
        }
        if (identity.httpsPort().getAsInt() > 0) {
            listeners.addObject().put("node", identity.node()).put("protocol", "https").put("ip_address", "::")
                    .put("port", identity.httpsPort().getAsInt());
        }

        RateFields rates = scope.rateFields(request);
        List<VirtualHost> visible = scope.visibleVhosts(who);
        long queues = 0;
        long exchanges = 0;
        long consumers = 0;
        long ready = 0;
        long unacked = 0;
        for (VirtualHost v : visible) {
            exchanges += v.exchanges().size();
            for (MessageQueue q : v.queues()) {
                queues++;
                consumers += q.consumerCount();
                ready += q.messageCount();
                unacked += q.unacknowledgedCount();
            }
        }
        long connections = 0;
        long channels = 0;
        for (ClientConnection c : scope.connections(who, null)) {
            connections++;
            channels += c.channelCount();
        }
        memory(broker.storage().memoryAlarm(), broker.storage().diskAlarm(), n);
        n.putObject("object_totals").put("connections", connections).put("channels", channels)
                .put("exchanges", exchanges).put("queues", queues).put("consumers", consumers);
        ObjectNode queueTotals = n.putObject("queue_totals").put("messages", ready + unacked).put("messages_ready", ready)
                .put("messages_unacknowledged", unacked);
        rates.summedMessageDetails(queueTotals, visible, SampledSeries.VHOST);
        ObjectNode stats = n.putObject("message_stats");
        if (who.isMonitor()) {
            // broker-wide counters, shown to monitors only (they are not split per virtual host)
            rates.counters(stats, broker.stats(), SampledSeries.BROKER);
        }
        return ApiResponse.json(n);
    }

    /** The alarms' state and the memory alarm's reading, with RabbitMQ's node field names. */
    private static void memory(MemoryAlarm memory, ResourceAlarm disk, ObjectNode out) {
        out.put("mem_used", memory.used())
                .put("mem_limit", memory.limit())
                .put("mem_alarm", memory.raised())
                .put("disk_free_alarm", disk.raised());
        MemoryAlarm.Watermark watermark = memory.watermark();
        ObjectNode setting = out.putObject("vm_memory_high_watermark_setting");
        if (watermark.isAbsolute()) {
            setting.put("absolute", watermark.absolute());
        } else {
            setting.put("relative", watermark.relative());
        }
    }

    private ApiResponse whoami(ApiRequest request) {
        Principal who = request.principal();
        ObjectNode n = Json.object().put("name", who.name());
        n.set("tags", Json.tagList(who.tags()));
        return ApiResponse.json(n);
    }

    private ApiResponse alarms(ApiRequest request) {
        List<ResourceAlarm> raised = scope.broker().storage().alarms().stream().filter(ResourceAlarm::raised).toList();
        if (raised.isEmpty()) {
            return ApiResponse.json(Json.object().put("status", "ok"));
        }
        ObjectNode n = Json.object().put("status", "failed")
                .put("reason", "resource alarm(s) in effect in the cluster");
        ArrayNode alarms = n.putArray("alarms");
        for (ResourceAlarm alarm : raised) {
            alarms.addObject().put("node", identity.node()).put("resource", alarm.resource());
        }
        return ApiResponse.json(HttpResponseStatus.SERVICE_UNAVAILABLE, n);
    }
}
