package dev.warren.mgmt.cli;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The text of {@code warrenctl status}: the facts of the management API's overview, in sections as
 * rabbitmqctl status prints them (Runtime, Alarms, Memory, Totals, Listeners). Fields the overview lacks
 * are left out.
 */
final class StatusReport {
    private StatusReport() {
    }

    static String text(JsonNode overview) {
        StringBuilder text = new StringBuilder("Runtime\n\n");
        line(text, "Node name", overview.path("node"));
        line(text, "Product name", overview.path("product_name"));
        line(text, "Product version", overview.path("product_version"));
        line(text, "RabbitMQ version", overview.path("rabbitmq_version"));
        line(text, "Management version", overview.path("management_version"));
        line(text, "Cluster name", overview.path("cluster_name"));
        line(text, "Runtime", overview.path("erlang_full_version"));
        line(text, "Uptime (seconds)", overview.path("uptime_seconds"));
        if (!overview.path("app_running").asBoolean(true)) {
            text.append("Application: stopped (stop_app); start_app starts the AMQP listeners again\n");
        }

        alarms(text, overview);
        memory(text, overview);

        JsonNode objects = overview.path("object_totals");
        if (objects.isObject()) {
            text.append("\nTotals\n\n");
            line(text, "Connection count", objects.path("connections"));
            line(text, "Channel count", objects.path("channels"));
            line(text, "Queue count", objects.path("queues"));
            line(text, "Consumer count", objects.path("consumers"));
            line(text, "Exchange count", objects.path("exchanges"));
        }
        JsonNode messages = overview.path("queue_totals");
        if (messages.isObject()) {
            text.append("\nMessages\n\n");
            line(text, "Total", messages.path("messages"));
            line(text, "Ready", messages.path("messages_ready"));
            line(text, "Unacknowledged", messages.path("messages_unacknowledged"));
        }
        JsonNode listeners = overview.path("listeners");
        if (listeners.isArray() && !listeners.isEmpty()) {
            text.append("\nListeners\n\n");
            for (JsonNode listener : listeners) {
                text.append("Interface: ").append(listener.path("ip_address").asText("?"))
                        .append(", port: ").append(listener.path("port").asText("?"))
                        .append(", protocol: ").append(listener.path("protocol").asText("?"));
                String purpose = purpose(listener.path("protocol").asText(""));
                if (!purpose.isEmpty()) {
                    text.append(", purpose: ").append(purpose);
                }
                text.append('\n');
            }
        }
        return text.toString();
    }

    /** rabbitmqctl's wording: one line per raised alarm, or "(none)". */
    private static void alarms(StringBuilder text, JsonNode overview) {
        if (!overview.has("mem_alarm") && !overview.has("disk_free_alarm")) {
            return;
        }
        text.append("\nAlarms\n\n");
        String node = overview.path("node").asText("?");
        boolean none = true;
        if (overview.path("disk_free_alarm").asBoolean(false)) {
            text.append("Free disk space alarm on node ").append(node).append('\n');
            none = false;
        }
        if (overview.path("mem_alarm").asBoolean(false)) {
            text.append("Memory alarm on node ").append(node).append('\n');
            none = false;
        }
        if (none) {
            text.append("(none)\n");
        }
    }

    private static void memory(StringBuilder text, JsonNode overview) {
        if (!overview.has("mem_used")) {
            return;
        }
        text.append("\nMemory\n\n");
        text.append("Total memory used: ").append(gigabytes(overview.path("mem_used").asLong())).append('\n');
        text.append("Calculation strategy: heap beyond the young generation + direct buffers + mapped files\n");
        JsonNode setting = overview.path("vm_memory_high_watermark_setting");
        String limit = gigabytes(overview.path("mem_limit").asLong());
        if (setting.has("absolute")) {
            text.append("Memory high watermark setting: ").append(setting.path("absolute").asLong())
                    .append(" bytes, computed to: ").append(limit).append('\n');
        } else if (setting.has("relative")) {
            text.append("Memory high watermark setting: ").append(setting.path("relative").asDouble())
                    .append(" of available memory, computed to: ").append(limit).append('\n');
        }
    }

    /** As rabbitmqctl prints memory: gigabytes of 10^9 bytes, four decimals. */
    private static String gigabytes(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.4f gb", bytes / 1e9);
    }

    private static String purpose(String protocol) {
        return switch (protocol) {
            case "amqp" -> "AMQP 0-9-1";
            case "http" -> "HTTP API";
            case "prometheus", "http/prometheus" -> "Prometheus exporter API over HTTP";
            default -> "";
        };
    }

    private static void line(StringBuilder text, String label, JsonNode value) {
        if (value.isMissingNode() || value.isNull()) {
            return;
        }
        text.append(label).append(": ").append(Values.cell(value)).append('\n');
    }
}
