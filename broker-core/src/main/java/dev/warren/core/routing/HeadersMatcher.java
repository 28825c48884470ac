package dev.warren.core.routing;

import dev.warren.core.message.FieldValues;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Decides whether a message's headers satisfy a headers-exchange binding, as RabbitMQ 4 does.
 *
 * <p>The binding's {@code x-match} argument picks the mode: {@code all} (also the default, and what any
 * unrecognised value falls back to), {@code any}, {@code all-with-x} or {@code any-with-x}. {@code x-match}
 * itself is never compared; other arguments whose key starts with {@code x-} are compared only in the
 * {@code -with-x} modes. An argument whose value is null (AMQP void) asks only that the header be present.
 * With nothing left to compare, the {@code all} modes match every message and the {@code any} modes none.
 *
 * <p>A value is compared with the header of the same key the way Erlang's {@code =:=} compares them once
 * RabbitMQ has dropped the field types: integers of any width are equal when their values are, floats
 * (Float or Double) likewise, but an integer never equals a float; a String equals a byte[] holding its
 * UTF-8 bytes; decimals are equal only with the same scale and unscaled value; and inside tables and arrays
 * the field types must agree too, entry by entry in order. A header timestamp is compared as milliseconds
 * while a binding timestamp stays in seconds, as in RabbitMQ, so a timestamp argument never equals the same
 * timestamp header (except at the epoch).
 */
public final class HeadersMatcher {
    private static final String X_MATCH = "x-match";

    private HeadersMatcher() {
    }

    private enum Mode {
        ALL(false, false), ANY(true, false), ALL_WITH_X(false, true), ANY_WITH_X(true, true);

        final boolean any;
        final boolean withX;

        Mode(boolean any, boolean withX) {
            this.any = any;
            this.withX = withX;
        }

        static Mode of(Object xMatch) {
            if (xMatch instanceof String s) {
                switch (s) {
                    case "any":
                        return ANY;
                    case "all-with-x":
                        return ALL_WITH_X;
                    case "any-with-x":
                        return ANY_WITH_X;
                    default:
                        break;
                }
            }
            // RabbitMQ routes a binding whose x-match is invalid (it predates validation) as "all".
            return ALL;
        }
    }

    /**
     * Whether a message with {@code messageHeaders} (null when it has none) is routed along a binding with
     * {@code bindingArguments} (null is taken as empty).
     */
    public static boolean matches(Map<String, Object> bindingArguments, Map<String, Object> messageHeaders) {
        return compile(bindingArguments).matches(messageHeaders);
    }

    /**
     * A headers binding's arguments, read once when it is bound: the x-match mode and the key/value pairs
     * that take part (with Date values already in RabbitMQ's seconds), so that routing a message only
     * compares its headers.
     */
    public static Compiled compile(Map<String, Object> bindingArguments) {
        if (bindingArguments == null) {
            return Compiled.MATCH_ALL;
        }
        Mode mode = Mode.of(bindingArguments.get(X_MATCH));
        List<String> keys = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        for (Map.Entry<String, Object> argument : bindingArguments.entrySet()) {
            String key = argument.getKey();
            if (key.equals(X_MATCH) || (!mode.withX && key.startsWith("x-"))) {
                continue;
            }
            keys.add(key);
            values.add(argument.getValue() instanceof Date date ? ErlangTerms.seconds(date) : argument.getValue());
        }
        return new Compiled(mode.any, keys.toArray(String[]::new), values.toArray());
    }

    /** A compiled headers binding; immutable, shared by every thread that routes. */
    public static final class Compiled {
        static final Compiled MATCH_ALL = new Compiled(false, new String[0], new Object[0]);
        private final boolean any;
        private final String[] keys;
        private final Object[] values;

        private Compiled(boolean any, String[] keys, Object[] values) {
            this.any = any;
            this.keys = keys;
            this.values = values;
        }

        /** Whether a message with these headers (null when it has none) goes along the binding. */
        public boolean matches(Map<String, Object> messageHeaders) {
            for (int i = 0; i < keys.length; i++) {
                boolean matched = matchesOne(keys[i], values[i], messageHeaders);
                if (matched == any) {
                    return matched;
                }
            }
            return !any;
        }
    }

    /**
     * Checks the {@code x-match} argument of a headers binding.
     *
     * @return null when it is absent or valid, otherwise the detail for a PRECONDITION_FAILED reply
     */
    public static String validate(Map<String, Object> bindingArguments) {
        if (bindingArguments == null || !bindingArguments.containsKey(X_MATCH)) {
            return null;
        }
        Object xMatch = bindingArguments.get(X_MATCH);
        if (xMatch instanceof String s) {
            if (s.equals("all") || s.equals("any") || s.equals("all-with-x") || s.equals("any-with-x")) {
                return null;
            }
            return "Invalid x-match field value " + ErlangTerms.format(s)
                    + "; expected all, any, all-with-x, or any-with-x";
        }
        return "Invalid x-match field type " + ErlangTerms.typeName(xMatch) + " (value "
                + ErlangTerms.format(xMatch) + "); expected longstr";
    }

    /** {@code expected} is a binding value as compiled: a Date is already in seconds. */
    private static boolean matchesOne(String key, Object expected, Map<String, Object> headers) {
        if (headers == null || !headers.containsKey(key)) {
            return false;
        }
        if (expected == null) {
            return true;
        }
        Object actual = headers.get(key);
        if (actual == null) {
            return false;
        }
        if (actual instanceof Date date) {
            // RabbitMQ turns a header timestamp into milliseconds before routing, but not the binding's.
            actual = ErlangTerms.seconds(date) * 1000;
        }
        return ErlangTerms.sameValue(expected, actual);
    }

    /** How RabbitMQ sees the Java values of a field table: as Erlang terms, with AMQP type names. */
    static final class ErlangTerms {
        private ErlangTerms() {
        }

        /** An AMQP timestamp is whole seconds; this is how the codec writes a Date. */
        static long seconds(Date date) {
            return Math.floorDiv(date.getTime(), 1000L);
        }

        /** Erlang's {@code =:=} on two field values whose types have been dropped. */
        static boolean sameValue(Object a, Object b) {
            if (a == null || b == null) {
                return a == b;
            }
            if (isInteger(a) || isInteger(b)) {
                return isInteger(a) && isInteger(b) && integerValue(a) == integerValue(b);
            }
            if (isFloat(a) || isFloat(b)) {
                // =:= tells 0.0 from -0.0, as Double.compare does.
                return isFloat(a) && isFloat(b)
                        && Double.compare(((Number) a).doubleValue(), ((Number) b).doubleValue()) == 0;
            }
            if (isBinary(a) || isBinary(b)) {
                return isBinary(a) && isBinary(b) && sameBinary(a, b);
            }
            if (a instanceof Map<?, ?> ta && b instanceof Map<?, ?> tb) {
                return sameTable(ta, tb);
            }
            if (a instanceof List<?> la && b instanceof List<?> lb) {
                return sameArray(la, lb);
            }
            if ((a instanceof Map<?, ?> || a instanceof List<?>) && (b instanceof Map<?, ?> || b instanceof List<?>)) {
                // Erlang holds both as lists, and the empty table and the empty array are the same [].
                return isEmptyContainer(a) && isEmptyContainer(b);
            }
            // Boolean and BigDecimal: BigDecimal.equals compares scale and unscaled value, as Erlang does {Scale, Value}.
            return a.equals(b);
        }

        /** Equality of values inside a table or array, where RabbitMQ keeps the field types. */
        private static boolean sameTypedValue(Object a, Object b) {
            if (!typeName(a).equals(typeName(b))) {
                return false;
            }
            if (a instanceof Date da && b instanceof Date db) {
                return seconds(da) == seconds(db);
            }
            return sameValue(a, b);
        }

        private static boolean sameTable(Map<?, ?> a, Map<?, ?> b) {
            if (a.size() != b.size()) {
                return false;
            }
            Iterator<? extends Map.Entry<?, ?>> ib = b.entrySet().iterator();
            for (Map.Entry<?, ?> ea : a.entrySet()) {
                Map.Entry<?, ?> eb = ib.next();
                if (!Objects.equals(ea.getKey(), eb.getKey()) || !sameTypedValue(ea.getValue(), eb.getValue())) {
                    return false;
                }
            }
            return true;
        }

        private static boolean sameArray(List<?> a, List<?> b) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!sameTypedValue(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }

        private static boolean isEmptyContainer(Object o) {
            return o instanceof Map<?, ?> m ? m.isEmpty() : ((List<?>) o).isEmpty();
        }

        private static boolean isInteger(Object o) {
            return o instanceof Long || o instanceof Integer || o instanceof Short || o instanceof Byte;
        }

        private static long integerValue(Object o) {
            return ((Number) o).longValue();
        }

        private static boolean isFloat(Object o) {
            return o instanceof Double || o instanceof Float;
        }

        private static boolean isBinary(Object o) {
            return o instanceof String || o instanceof byte[];
        }

        private static boolean sameBinary(Object a, Object b) {
            if (a instanceof String sa && b instanceof String sb) {
                return sa.equals(sb);
            }
            return Arrays.equals(bytes(a), bytes(b));
        }

        private static byte[] bytes(Object binary) {
            return binary instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : (byte[]) binary;
        }

        /** RabbitMQ's name for the AMQP type a Java field value is sent as. */
        static String typeName(Object value) {
            return FieldValues.typeName(value);
        }

        /** Formats a field value the way Erlang prints the term RabbitMQ holds for it (roughly {@code ~tp}). */
        static String format(Object value) {
            StringBuilder out = new StringBuilder();
            append(out, value);
            return out.toString();
        }

        private static void append(StringBuilder out, Object value) {
            if (value == null) {
                out.append("undefined");
            } else if (value instanceof String s) {
                appendBinary(out, s.getBytes(StandardCharsets.UTF_8));
            } else if (value instanceof byte[] bytes) {
                appendBinary(out, bytes);
            } else if (value instanceof Float || value instanceof Double) {
                out.append(Double.toString(((Number) value).doubleValue()).replace('E', 'e'));
            } else if (value instanceof BigDecimal d) {
                out.append('{').append(d.scale()).append(',').append(d.unscaledValue()).append('}');
            } else if (value instanceof Date date) {
                out.append(seconds(date));
            } else if (value instanceof Map<?, ?> table) {
                out.append('[');
                String separator = "";
                for (Map.Entry<?, ?> entry : table.entrySet()) {
                    out.append(separator).append('{');
                    appendBinary(out, String.valueOf(entry.getKey()).getBytes(StandardCharsets.UTF_8));
                    out.append(',').append(typeName(entry.getValue())).append(',');
                    append(out, entry.getValue());
                    out.append('}');
                    separator = ",";
                }
                out.append(']');
            } else if (value instanceof List<?> array) {
                out.append('[');
                String separator = "";
                for (Object item : array) {
                    out.append(separator).append('{').append(typeName(item)).append(',');
                    append(out, item);
                    out.append('}');
                    separator = ",";
                }
                out.append(']');
            } else {
                out.append(value);
            }
        }

        /**
         * {@code <<"text">>} when the bytes are printable ASCII, {@code <<"text"/utf8>>} when they are other
         * printable UTF-8, otherwise {@code <<1,2,3>>} (so {@code <<>>} when empty).
         */
        private static void appendBinary(StringBuilder out, byte[] bytes) {
            boolean ascii = bytes.length > 0;
            for (byte b : bytes) {
                if (b < 0 || escape((char) b) == null) {
                    ascii = false;
                    break;
                }
            }
            if (ascii) {
                appendQuoted(out, new String(bytes, StandardCharsets.US_ASCII), "");
                return;
            }
            String text = bytes.length > 0 ? printableUtf8(bytes) : null;
            if (text != null) {
                appendQuoted(out, text, "/utf8");
                return;
            }
            out.append("<<");
            for (int i = 0; i < bytes.length; i++) {
                out.append(i == 0 ? "" : ",").append(bytes[i] & 0xff);
            }
            out.append(">>");
        }

        private static void appendQuoted(StringBuilder out, String text, String suffix) {
            out.append("<<\"");
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                String escaped = c < 0x80 ? escape(c) : null;
                out.append(escaped != null ? escaped : String.valueOf(c));
            }
            out.append('"').append(suffix).append(">>");
        }

        /** How a printable ASCII character appears in an Erlang string, or null when it is not printable. */
        private static String escape(char c) {
            switch (c) {
                case '"': return "\\\"";
                case '\\': return "\\\\";
                case '\n': return "\\n";
                case '\r': return "\\r";
                case '\t': return "\\t";
                case '\f': return "\\f";
                case '\b': return "\\b";
                case 0x0b: return "\\v";
                case 0x1b: return "\\e";
                default: return c >= 0x20 && c < 0x7f ? String.valueOf(c) : null;
            }
        }

        /** The text of well-formed UTF-8 whose characters are all printable, otherwise null. */
        private static String printableUtf8(byte[] bytes) {
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                return null;
            }
            for (int i = 0; i < text.length(); ) {
                int cp = text.codePointAt(i);
                boolean printable = cp < 0x80 ? escape((char) cp) != null : cp >= 0xa0 && Character.isDefined(cp)
                        && Character.getType(cp) != Character.CONTROL;
                if (!printable) {
                    return null;
                }
                i += Character.charCount(cp);
            }
            return text;
        }
    }
}
