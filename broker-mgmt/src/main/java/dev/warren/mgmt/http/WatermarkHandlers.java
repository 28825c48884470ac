package dev.warren.mgmt.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warren.core.store.MemoryAlarm;
import dev.warren.core.store.MemoryAlarm.Watermark;

/**
 * Warren's endpoint behind warrenctl set_vm_memory_high_watermark (administrators only): PUT
 * /api/warren/vm_memory_high_watermark with {"relative": 0.4} or {"absolute": bytes} changes the memory
 * alarm's threshold until the broker restarts, as rabbitmqctl's command does; the alarm is judged against
 * the new limit at once. Answers the setting and the limit it computes to.
 */
final class WatermarkHandlers {
    private final Scope scope;

    WatermarkHandlers(Scope scope) {
        this.scope = scope;
    }

    void register(Router router) {
        router.put("/api/warren/vm_memory_high_watermark", Requirement.ADMINISTRATOR, request -> {
            MemoryAlarm alarm = scope.broker().storage().memoryAlarm();
            alarm.setWatermark(watermark(request.jsonObject()));
            ObjectNode n = Json.object().put("mem_limit", alarm.limit()).put("mem_alarm", alarm.raised());
            return ApiResponse.json(n);
        });
    }

    static Watermark watermark(ObjectNode body) {
        JsonNode relative = body.get("relative");
        JsonNode absolute = body.get("absolute");
        if ((relative == null) == (absolute == null)) {
            throw ApiException.badRequest("give one of \"relative\" (a fraction of the memory, 0 to 1) or "
                    + "\"absolute\" (bytes)");
        }
        if (relative != null) {
            if (!relative.isNumber() || relative.asDouble() < 0 || relative.asDouble() > 1) {
                throw ApiException.badRequest("relative memory watermark must be a number from 0 to 1, got " + relative);
            }
            return Watermark.relative(relative.asDouble());
        }
        if (!absolute.canConvertToExactIntegral() || !absolute.canConvertToLong() || absolute.asLong() < 1) {
            throw ApiException.badRequest("absolute memory watermark must be a whole number of bytes, at least 1, got "
                    + absolute);
        }
        return Watermark.absolute(absolute.asLong());
    }
}
