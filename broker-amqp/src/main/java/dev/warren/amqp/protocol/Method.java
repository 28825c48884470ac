package dev.warren.amqp.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * A decoded (or to-be-encoded) protocol method: its definition and its field values in wire order.
 * Values are read by field name as the spec spells it, e.g. {@code method.string("queue")}.
 */
public final class Method {
    private final MethodSpec spec;
    private final Object[] values;

    Method(MethodSpec spec, Object[] values) {
        this.spec = spec;
        this.values = values;
    }

    public MethodSpec spec() {
        return spec;
    }

    public boolean is(MethodSpec other) {
        return spec == other;
    }

    Object value(int index) {
        return values[index];
    }

    public Object get(String field) {
        return values[spec.indexOf(field)];
    }

    /** A short or long string field as text. */
    public String string(String field) {
        Object v = get(field);
        if (v instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        return v == null ? "" : (String) v;
    }

    public byte[] bytes(String field) {
        Object v = get(field);
        if (v instanceof String s) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        return v == null ? new byte[0] : (byte[]) v;
    }

    public boolean flag(String field) {
        return Boolean.TRUE.equals(get(field));
    }

    public int intValue(String field) {
        return ((Number) get(field)).intValue();
    }

    public long longValue(String field) {
        return ((Number) get(field)).longValue();
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> table(String field) {
        Object v = get(field);
        return v == null ? Map.of() : (Map<String, Object>) v;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(spec.name()).append('(');
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            Object v = values[i];
            sb.append(spec.fields().get(i).name()).append('=')
                    .append(v instanceof byte[] b ? Arrays.toString(b) : v);
        }
        return sb.append(')').toString();
    }
}
