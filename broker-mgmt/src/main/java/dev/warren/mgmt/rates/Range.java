package dev.warren.mgmt.rates;

/**
 * Which samples an API answer carries, from RabbitMQ's query parameters {@code <prefix>_age} and
 * {@code <prefix>_incr} (seconds): the last {@code age} seconds, one sample every {@code incr} seconds.
 * Both must be given for samples; neither means just the rate.
 */
public record Range(long ageMillis, long incrMillis) {
    /** RabbitMQ's prefixes: message_stats and the other counters; queue lengths. */
    public static final String MSG_RATES = "msg_rates";
    public static final String LENGTHS = "lengths";

    public Range {
        if (ageMillis <= 0 || incrMillis <= 0) {
            throw new IllegalArgumentException("age and incr must be positive");
        }
    }

    /**
     * The range the two parameters ask for, or null when neither is given.
     *
     * @throws IllegalArgumentException when only one is given or one is not a positive whole number of seconds
     */
    public static Range parse(String prefix, String age, String incr) {
        if (age == null && incr == null) {
            return null;
        }
        if (age == null || incr == null) {
            throw new IllegalArgumentException(prefix + "_age and " + prefix + "_incr go together");
        }
        return new Range(seconds(prefix + "_age", age) * 1000, seconds(prefix + "_incr", incr) * 1000);
    }

    private static long seconds(String name, String value) {
        long seconds;
        try {
            seconds = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number of seconds, got '" + value + "'");
        }
        if (seconds <= 0 || seconds > 366L * 24 * 3600) {
            throw new IllegalArgumentException(name + " must be from 1 to 31622400 seconds, got " + seconds);
        }
        return seconds;
    }
}
