package dev.warren.mgmt.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * set_vm_memory_high_watermark, as rabbitmqctl takes it: {@code <fraction>} of the memory the node sees, or
 * {@code absolute <size>} in bytes or with RabbitMQ's units (k, kiB, M, MiB, G, GiB are powers of 1024;
 * kB, MB, GB powers of 1000). It lasts until the node restarts; the configuration file keeps the setting.
 */
final class MemoryActions {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([a-zA-Z]*)");

    private MemoryActions() {
    }

    static Result setWatermark(Call call) {
        ObjectNode body = NodeClient.JSON.createObjectNode();
        if (isAbsolute(call)) {
            body.put("absolute", bytes(call.arg(1)));
        } else {
            body.put("relative", fraction(call.arg(0)));
        }
        NodeClient.require(call.node().put("/api/warren/vm_memory_high_watermark", body));
        return Result.done();
    }

    static String banner(Call call) {
        String value = isAbsolute(call) ? bytes(call.arg(1)) + " bytes" : call.arg(0);
        return "Setting memory threshold on " + call.node().node() + " to " + value + " ...";
    }

    private static boolean isAbsolute(Call call) {
        if (call.args().size() == 2) {
            if (!call.arg(0).equals("absolute")) {
                throw Failures.badArgument("expected 'absolute <size>' or a fraction, got '" + String.join(" ", call.args()) + "'");
            }
            return true;
        }
        if (call.arg(0).equals("absolute")) {
            throw Failures.badArgument("absolute needs a size, e.g. absolute 2GiB");
        }
        return false;
    }

    static double fraction(String text) {
        double value;
        try {
            value = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw Failures.badArgument("the threshold should be a fraction between 0.0 and 1.0, got '" + text + "'");
        }
        if (!(value >= 0 && value <= 1)) {
            throw Failures.badArgument("the threshold should be a fraction between 0.0 and 1.0, got '" + text + "'");
        }
        return value;
    }

    static long bytes(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw Failures.badArgument("the threshold should be a size in bytes, or with a unit (kB, MB, GB, kiB, MiB, "
                    + "GiB), got '" + text + "'");
        }
        long unit = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "" -> 1;
            case "k", "kib" -> 1L << 10;
            case "m", "mib" -> 1L << 20;
            case "g", "gib" -> 1L << 30;
            case "kb" -> 1_000;
            case "mb" -> 1_000_000;
            case "gb" -> 1_000_000_000;
            default -> throw Failures.badArgument("unknown unit '" + m.group(2) + "' in '" + text
                    + "': use kB, MB, GB, kiB, MiB or GiB");
        };
        try {
            long value = Math.multiplyExact(Long.parseLong(m.group(1)), unit);
            if (value < 1) {
                throw Failures.badArgument("an absolute threshold is at least 1 byte; 0 (relative) blocks all publishing");
            }
            return value;
        } catch (ArithmeticException | NumberFormatException e) {
            throw Failures.badArgument("'" + text + "' is too large");
        }
    }
}
