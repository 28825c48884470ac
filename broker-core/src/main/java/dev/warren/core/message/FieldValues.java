package dev.warren.core.message;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Comparing and showing field-table values (the Java types {@link FieldTables} reads) as RabbitMQ does
 * when it checks that a redeclared exchange or queue has equivalent arguments: numbers by value whatever
 * their integer type (pika sends 'l' where the Java client sends 'I'), byte arrays, arrays and nested
 * tables by content, and void as a value of its own. Never throws, whatever the values.
 */
public final class FieldValues {
    private FieldValues() {
    }

    public static boolean equivalent(Object a, Object b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        if (a instanceof BigDecimal x && b instanceof BigDecimal y) {
            return x.compareTo(y) == 0;
        }
        if (a instanceof Number x && b instanceof Number y) {
            return x.doubleValue() == y.doubleValue();
        }
        if (a instanceof byte[] x && b instanceof byte[] y) {
            return Arrays.equals(x, y);
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            return equivalentLists(x, y);
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            return equivalentTables(x, y);
        }
        return a.equals(b);
    }

    private static boolean equivalentLists(List<?> a, List<?> b) {
        if (a.size() != b.size()) {
            return false;
        }
        Iterator<?> x = a.iterator();
        Iterator<?> y = b.iterator();
        while (x.hasNext()) {
            if (!equivalent(x.next(), y.next())) {
                return false;
            }
        }
        return true;
    }

    private static boolean equivalentTables(Map<?, ?> a, Map<?, ?> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (Map.Entry<?, ?> entry : a.entrySet()) {
            if (!b.containsKey(entry.getKey()) || !equivalent(entry.getValue(), b.get(entry.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** A value as a reply text shows it: "none" for absent or void, byte arrays as their bytes. */
    public static String show(Object value) {
        if (value == null) {
            return "none";
        }
        if (value instanceof byte[] bytes) {
            return "'" + Arrays.toString(bytes) + "'";
        }
        if (value instanceof Date date) {
            return "'" + date.getTime() / 1000 + "'";
        }
        return "'" + value + "'";
    }

    /** The AMQP field type of a value as RabbitMQ names it in errors. */
    public static String typeName(Object value) {
        if (value == null) {
            return "void";
        } else if (value instanceof String) {
            return "longstr";
        } else if (value instanceof Boolean) {
            return "bool";
        } else if (value instanceof Map) {
            return "table";
        } else if (value instanceof List || value instanceof Object[]) {
            return "array";
        } else if (value instanceof Float) {
            return "float";
        } else if (value instanceof Double) {
            return "double";
        } else if (value instanceof BigDecimal) {
            return "decimal";
        } else if (value instanceof Date) {
            return "timestamp";
        } else if (value instanceof byte[]) {
            return "binary";
        } else if (value instanceof Integer) {
            return "signedint";
        } else if (value instanceof Long) {
            return "long";
        } else if (value instanceof Short) {
            return "short";
        } else if (value instanceof Byte) {
            return "byte";
        }
        return value.getClass().getSimpleName();
    }
}
