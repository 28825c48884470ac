package dev.warren.core.message;

import dev.warren.core.AmqpException;
import dev.warren.core.ReplyCode;

/**
 * The per-message TTL: the expiration property, a string of milliseconds. As RabbitMQ, anything but a
 * non-negative decimal integer is refused at publish with a 406 saying what is wrong with it.
 */
final class Expiration {
    /** Beyond any TTL that matters (about 3,000 years); longer values are taken as this. */
    private static final long MAX = 100_000_000_000_000L;

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
        while (i < value.length() && Character.isDigit(value.charAt(i)) && v <= MAX) {
            v = v * 10 + (value.charAt(i) - '0');
            i++;
        }
        if (i == digitsStart) {
            throw invalid(value, "no_integer");
        }
        while (i < value.length() && Character.isDigit(value.charAt(i))) {
            i++; // digits past MAX: the value is MAX
        }
        if (i < value.length()) {
            throw invalid(value, "{leftover_string,\"" + value.substring(i) + "\"}");
        }
        if (negative && v != 0) {
            throw invalid(value, "{value_negative,-" + v + "}");
        }
        return Math.min(v, MAX);
    }

    private static AmqpException invalid(String value, String error) {
        return AmqpException.of(ReplyCode.PRECONDITION_FAILED, "invalid expiration '%s': %s", value, error);
    }
}
