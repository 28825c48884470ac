package dev.warren.core.policy;

import java.util.List;
import java.util.Map;

/** Writes decoded JSON values as Erlang's {@code ~p} shows them, since RabbitMQ's validation messages do. */
final class ErlangTerms {
    private ErlangTerms() {
    }

    static String show(Object value) {
        if (value instanceof String s) {
            return "<<\"" + s + "\">>";
        }
        if (value instanceof Double || value instanceof Float) {
            return String.valueOf(((Number) value).doubleValue());
        }
        if (value instanceof List<?> list) {
            StringBuilder out = new StringBuilder("[");
            for (Object item : list) {
                out.append(out.length() > 1 ? "," : "").append(show(item));
            }
            return out.append(']').toString();
        }
        if (value instanceof Map<?, ?> map) {
            StringBuilder out = new StringBuilder("#{");
            map.forEach((k, v) -> out.append(out.length() > 2 ? "," : "").append(show(k)).append(" => ").append(show(v)));
            return out.append('}').toString();
        }
        return String.valueOf(value); // integers, true/false, null
    }
}
