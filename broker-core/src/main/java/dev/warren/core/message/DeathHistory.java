package dev.warren.core.message;

import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The headers a dead-lettered message carries, as RabbitMQ writes them: {@code x-death}, an array of tables,
 * one per (queue, reason) the message died in, newest first, each with a {@code count}; and the
 * {@code x-first-death-*} (set once) and {@code x-last-death-*} (RabbitMQ 3.13) summaries. Pure functions
 * over header maps; the caller encodes the result.
 */
public final class DeathHistory {
    public static final String X_DEATH = "x-death";

    private DeathHistory() {
    }

    /** One death: where and why the message died, and what it looked like then. */
    public record Death(String queue, String reason, String exchange, List<String> routingKeys,
                        String originalExpiration, Date time) {
    }

    /** The headers after one more death; {@code headers} (may be null) is not changed. */
    public static Map<String, Object> record(Map<String, Object> headers, Death death) {
        Map<String, Object> result = headers == null ? new LinkedHashMap<>() : new LinkedHashMap<>(headers);
        List<Object> deaths = new ArrayList<>();
        Map<String, Object> merged = null;
        if (result.get(X_DEATH) instanceof List<?> previous) {
            for (Object item : previous) {
                if (merged == null && item instanceof Map<?, ?> table
                        && death.queue().equals(asString(table.get("queue")))
                        && death.reason().equals(asString(table.get("reason")))) {
                    merged = incremented(table);
                } else {
                    deaths.add(item);
                }
            }
        }
        deaths.add(0, merged != null ? merged : newEntry(death));
        result.put(X_DEATH, deaths);
        if (!result.containsKey("x-first-death-reason")) {
            result.put("x-first-death-exchange", death.exchange());
            result.put("x-first-death-queue", death.queue());
            result.put("x-first-death-reason", death.reason());
        }
        result.put("x-last-death-exchange", death.exchange());
        result.put("x-last-death-queue", death.queue());
        result.put("x-last-death-reason", death.reason());
        return result;
    }

    /**
     * RabbitMQ's cycle rule: dead-lettering into {@code queue} is a cycle when the message already died
     * there and no death since then (that one included) was a rejection — nothing but time or limits would
     * move it round, forever. {@code headers} are the ones with the current death recorded.
     */
    public static boolean isCycle(Map<String, Object> headers, String queue) {
        if (!(headers.get(X_DEATH) instanceof List<?> deaths)) {
            return false;
        }
        boolean rejected = false;
        for (Object item : deaths) {
            if (!(item instanceof Map<?, ?> table)) {
                continue;
            }
            rejected |= "rejected".equals(asString(table.get("reason")));
            if (queue.equals(asString(table.get("queue")))) {
                return !rejected;
            }
        }
        return false;
    }

    private static Map<String, Object> newEntry(Death death) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("count", 1L);
        entry.put("reason", death.reason());
        entry.put("queue", death.queue());
        entry.put("time", death.time());
        entry.put("exchange", death.exchange());
        entry.put("routing-keys", new ArrayList<Object>(death.routingKeys()));
        if (death.originalExpiration() != null) {
            entry.put("original-expiration", death.originalExpiration());
        }
        return entry;
    }

    private static Map<String, Object> incremented(Map<?, ?> table) {
        Map<String, Object> entry = new LinkedHashMap<>();
        long count = table.get("count") instanceof Number n ? n.longValue() : 0;
        entry.put("count", count + 1);
        table.forEach((k, v) -> {
            if (!"count".equals(k)) {
                entry.put(String.valueOf(k), v);
            }
        });
        return entry;
    }

    private static String asString(Object value) {
        return value instanceof String s ? s : value == null ? null : value.toString();
    }
}
