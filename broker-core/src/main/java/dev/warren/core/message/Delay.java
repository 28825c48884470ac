package dev.warren.core.message;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code x-delay} header of a message published to an {@code x-delayed-message} exchange, read as
 * RabbitMQ's delayed-message plugin reads it: any integer type; a string holding an integer; a float or
 * decimal, truncated. A value that is absent, of another type, or not above zero means no delay. Once the
 * delay is over the header is set to minus the delay, as the plugin does, so consumers can tell.
 */
public final class Delay {
    public static final String HEADER = "x-delay";
    /** No delay: route the message now. */
    public static final long NONE = 0;

    private Delay() {
    }

    /** The delay the headers ask for in milliseconds, or {@link #NONE}. */
    public static long of(Map<String, Object> headers) {
        if (headers == null) {
            return NONE;
        }
        long delay = millis(headers.get(HEADER));
        return delay > 0 ? delay : NONE;
    }

    private static long millis(Object value) {
        if (value instanceof Byte || value instanceof Short || value instanceof Integer || value instanceof Long) {
            return ((Number) value).longValue();
        }
        if (value instanceof Float || value instanceof Double) {
            double d = ((Number) value).doubleValue();
            return Double.isNaN(d) ? NONE : (long) d;
        }
        if (value instanceof BigDecimal decimal) {
            return decimal.longValue();
        }
        if (value instanceof String text) {
            try {
                return Long.parseLong(text.trim());
            } catch (NumberFormatException e) {
                return NONE;
            }
        }
        return NONE;
    }

    /** The headers with {@code x-delay} set to minus the delay that is over (a signed 32-bit int when it fits). */
    public static Map<String, Object> served(Map<String, Object> headers, long delay) {
        Map<String, Object> copy = new LinkedHashMap<>(headers);
        copy.put(HEADER, delay <= Integer.MAX_VALUE ? (Object) (int) -delay : (Object) (-delay));
        return copy;
    }

    /** The delay a served message had, from its negative {@code x-delay} header; {@link #NONE} when none. */
    public static long served(Map<String, Object> headers) {
        if (headers == null) {
            return NONE;
        }
        long value = millis(headers.get(HEADER));
        return value < 0 ? -value : NONE;
    }
}
