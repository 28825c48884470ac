package dev.warren.core.limits;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The limits set on a virtual host ({@code max-connections}, {@code max-queues}) or a user
 * ({@code max-connections}, {@code max-channels}), as RabbitMQ's {@code set_vhost_limits} and
 * {@code set_user_limits} take them. A negative value means no limit; 0 allows none.
 */
public record Limits(Map<String, Long> values) {
    public static final String MAX_CONNECTIONS = "max-connections";
    public static final String MAX_QUEUES = "max-queues";
    public static final String MAX_CHANNELS = "max-channels";
    public static final Set<String> VHOST_KEYS = Set.of(MAX_CONNECTIONS, MAX_QUEUES);
    public static final Set<String> USER_KEYS = Set.of(MAX_CONNECTIONS, MAX_CHANNELS);
    public static final Limits NONE = new Limits(Map.of());

    public Limits {
        values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    /**
     * Limits from a decoded JSON object, checked against the keys the kind takes; throws
     * {@link IllegalArgumentException} with RabbitMQ's validation wording.
     */
    public static Limits parse(Map<String, Object> json, Set<String> allowed) {
        Map<String, Long> values = new TreeMap<>();
        StringBuilder unknown = new StringBuilder();
        for (Map.Entry<String, Object> e : json.entrySet()) {
            if (!allowed.contains(e.getKey())) {
                unknown.append(unknown.length() == 0 ? "" : ",").append("{<<\"").append(e.getKey()).append("\">>,")
                        .append(e.getValue()).append('}');
                continue;
            }
            if (!(e.getValue() instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
                throw new IllegalArgumentException("Validation failed\n\n" + e.getKey() + " should be a number, actually was "
                        + (e.getValue() instanceof String s ? "<<\"" + s + "\">>" : String.valueOf(e.getValue())));
            }
            values.put(e.getKey(), n.longValue());
        }
        if (unknown.length() > 0) {
            throw new IllegalArgumentException("Validation failed\n\nUnrecognised terms [" + unknown + "] in limits");
        }
        return new Limits(values);
    }

    /** The limit of this key, or -1 when there is none. */
    public long of(String key) {
        Long value = values.get(key);
        return value == null || value < 0 ? -1 : value;
    }

    /** Whether {@code current} more would pass the limit of this key (there is one and current has reached it). */
    public boolean reached(String key, long current) {
        long limit = of(key);
        return limit >= 0 && current >= limit;
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    /** These limits with the given keys removed (all when {@code keys} is empty). */
    public Limits without(Set<String> keys) {
        if (keys.isEmpty()) {
            return NONE;
        }
        Map<String, Long> kept = new TreeMap<>(values);
        kept.keySet().removeAll(keys);
        return new Limits(kept);
    }
}
