package dev.warren.core.message;

import dev.warren.core.AmqpException;
import dev.warren.core.ReplyCode;

/**
 * The per-message TTL: the expiration property, a string of milliseconds. As RabbitMQ, anything but a
 * non-negative decimal integer is refused at publish with a 406 saying what is wrong with it.
 */
final class Expiration {
    /** RabbitMQ's ceiling: ten 365-day years in milliseconds. */
    private static final long MAX = 315_360_000_000L;

    private Expiration() {
    }

    static long parse(String value) {
        int i = 0;
        boolean negative = false;
        if (i < value.length() && (value.charAt(i) == '-' || value.charAt(i) == '+')) {
            negative = value.charAt(i) == '-';
            i++;
        }
        int digitsStart = i;
        long v = 0;
        while (i < value.length() && isAsciiDigit(value.charAt(i)) && v <= MAX) {
            v = v * 10 + (value.charAt(i) - '0');
            i++;
        }
        if (i == digitsStart) {
            throw invalid(value, "no_integer");
        }
        while (i < value.length() && isAsciiDigit(value.charAt(i))) {
            i++; // digits past the ceiling: refused below
        }
        if (i < value.length()) {
            throw invalid(value, "{leftover_string,\"" + value.substring(i) + "\"}");
        }
        if (negative && v != 0) {
            throw invalid(value, "{value_negative,-" + v + "}");
        }
        if (v > MAX) {
            throw invalid(value, "{value_too_large," + value.substring(digitsStart) + "}");
        }
        return v;
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static AmqpException invalid(String value, String error) {
        return AmqpException.of(ReplyCode.PRECONDITION_FAILED, "invalid expiration '%s': %s", value, error);
    }
}
