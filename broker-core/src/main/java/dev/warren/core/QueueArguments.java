package dev.warren.core;

import dev.warren.core.message.FieldValues;
import java.util.Map;

/**
 * The queue arguments that change how a queue treats its messages, read and checked once when the queue is
 * declared: TTL, dead-lettering, length limits, expiry, priorities, the delivery limit, single active
 * consumer and the consumer acknowledgement timeout. A bad value is a
 * 406 naming the argument, the queue and the value, in RabbitMQ's words (its error terms included, since
 * clients and operators search for them). Arguments not listed here are kept but change nothing.
 */
public record QueueArguments(
        long messageTtl,
        long expires,
        long maxLength,
        long maxLengthBytes,
        Overflow overflow,
        String deadLetterExchange,
        String deadLetterRoutingKey,
        int maxPriority,
        long deliveryLimit,
        boolean singleActiveConsumer,
        long consumerTimeout) {

    /** Unset numeric limits. */
    public static final long NONE = -1;
    public static final QueueArguments DEFAULTS =
            new QueueArguments(NONE, NONE, NONE, NONE, Overflow.DROP_HEAD, null, null, 0, NONE, false, NONE);
    static final int MAX_PRIORITY = 255;
    /** RabbitMQ's ceiling on TTLs and expiry: ten 365-day years in milliseconds. */
    public static final long MAX_TTL = 315_360_000_000L;

    /** What a full queue does with one more message. */
    public enum Overflow {
        DROP_HEAD("drop-head"),
        REJECT_PUBLISH("reject-publish"),
        REJECT_PUBLISH_DLX("reject-publish-dlx");

        private final String value;

        Overflow(String value) {
            this.value = value;
        }

        public String value() {
            return value;
        }
    }

    /** RabbitMQ's default x-quorum-initial-group-size. */
    public static final int DEFAULT_QUORUM_GROUP_SIZE = 3;

    /** Whether the arguments declare a quorum queue (x-queue-type = quorum). */
    public static boolean isQuorum(Map<String, Object> arguments) {
        return arguments != null && "quorum".equals(String.valueOf(arguments.get("x-queue-type")));
    }

    /** x-quorum-initial-group-size, or the default; a value that is not a positive integer is a 406. */
    public static int quorumGroupSize(Map<String, Object> arguments, String queueDescription) {
        long size = new Reader(arguments, queueDescription).integer("x-quorum-initial-group-size", 1, Integer.MAX_VALUE);
        return size == NONE ? DEFAULT_QUORUM_GROUP_SIZE : (int) size;
    }

    /** Reads and checks the arguments of a queue described as "queue 'q' in vhost '/'". */
    public static QueueArguments parse(Map<String, Object> arguments, String queueDescription) {
        if (arguments == null || arguments.isEmpty()) {
            return DEFAULTS;
        }
        Reader r = new Reader(arguments, queueDescription);
        // checked in RabbitMQ 3.10's order, so the same bad argument is named when several are bad
        String dlx = r.exchangeName("x-dead-letter-exchange");
        long expires = r.integer("x-expires", 1, MAX_TTL);
        long messageTtl = r.integer("x-message-ttl", 0, MAX_TTL);
        String dlrk = r.string("x-dead-letter-routing-key");
        if (dlrk != null && dlx == null) {
            throw r.invalid("x-dead-letter-routing-key", "routing_key_but_no_dlx_defined");
        }
        long maxLength = r.integer("x-max-length", 0, Long.MAX_VALUE);
        long maxLengthBytes = r.integer("x-max-length-bytes", 0, Long.MAX_VALUE);
        int maxPriority = (int) r.integer("x-max-priority", 0, MAX_PRIORITY);
        Overflow overflow = r.overflow();
        long deliveryLimit = r.integer("x-delivery-limit", 0, Long.MAX_VALUE);
        boolean singleActiveConsumer = r.bool("x-single-active-consumer");
        // RabbitMQ 3.12+ reads it without checking it (a non-integer is ignored, 0 times out at once); here it
        // is refused unless positive, in the words RabbitMQ uses for x-expires
        long consumerTimeout = r.integer("x-consumer-timeout", 1, Long.MAX_VALUE);
        return new QueueArguments(messageTtl, expires, maxLength, maxLengthBytes, overflow, dlx, dlrk,
                Math.max(maxPriority, 0), deliveryLimit, singleActiveConsumer, consumerTimeout);
    }

    /**
     * These settings, read from a queue's arguments, with the definition its policies give it (see
     * {@link dev.warren.core.policy.Policies#effective}) applied as RabbitMQ resolves the two: for TTL, expiry,
     * length limits, the delivery limit and the consumer timeout the lower value wins; for the dead-letter
     * keys and overflow the argument does when the queue was declared with it.
     */
    public QueueArguments withPolicy(Map<String, Object> policy, Map<String, Object> arguments) {
        if (policy.isEmpty()) {
            return this;
        }
        Overflow policyOverflow = overflow;
        if (policy.get("overflow") instanceof String value && (arguments == null || !arguments.containsKey("x-overflow"))) {
            for (Overflow o : Overflow.values()) {
                policyOverflow = o.value.equals(value) ? o : policyOverflow;
            }
        }
        return new QueueArguments(
                Math.min(lower(messageTtl, policy, "message-ttl"), MAX_TTL),
                Math.min(lower(expires, policy, "expires"), MAX_TTL),
                lower(maxLength, policy, "max-length"),
                lower(maxLengthBytes, policy, "max-length-bytes"),
                policyOverflow,
                deadLetterExchange != null ? deadLetterExchange : policy.get("dead-letter-exchange") instanceof String s ? s : null,
                deadLetterRoutingKey != null ? deadLetterRoutingKey
                        : policy.get("dead-letter-routing-key") instanceof String s ? s : null,
                maxPriority,
                lower(deliveryLimit, policy, "delivery-limit"),
                singleActiveConsumer,
                lower(consumerTimeout, policy, "consumer-timeout"));
    }

    /** The lower of an argument's value and the policy's (either may be unset). */
    private static long lower(long argument, Map<String, Object> policy, String key) {
        if (!(policy.get(key) instanceof Number n)) {
            return argument;
        }
        return argument == NONE ? n.longValue() : Math.min(argument, n.longValue());
    }

    public boolean hasTtl() {
        return messageTtl != NONE;
    }

    public boolean hasLengthLimit() {
        return maxLength != NONE || maxLengthBytes != NONE;
    }

    public boolean deadLetters() {
        return deadLetterExchange != null;
    }

    /** True when x-consumer-timeout gives this queue's deliveries their own acknowledgement timeout. */
    public boolean hasConsumerTimeout() {
        return consumerTimeout != NONE;
    }

    /** Checks one argument at a time, in the order RabbitMQ checks them, and says what is wrong as it does. */
    private record Reader(Map<String, Object> arguments, String queue) {
        long integer(String key, long min, long max) {
            if (!arguments.containsKey(key)) {
                return NONE;
            }
            Object value = arguments.get(key);
            if (!(value instanceof Byte || value instanceof Short || value instanceof Integer || value instanceof Long)) {
                throw invalid(key, "\"expected integer, got " + FieldValues.typeName(value) + "\"");
            }
            long v = ((Number) value).longValue();
            if (v < 0 && min >= 0) {
                throw invalid(key, "{value_negative," + v + "}");
            }
            if (v < min) {
                throw invalid(key, "{value_zero," + v + "}");
            }
            if (v > max) {
                throw invalid(key, max == MAX_PRIORITY ? "{max_value_exceeded," + v + "}" : "{value_too_large," + v + "}");
            }
            return v;
        }

        boolean bool(String key) {
            if (!arguments.containsKey(key)) {
                return false;
            }
            Object value = arguments.get(key);
            if (!(value instanceof Boolean b)) {
                throw invalid(key, "{unacceptable_type," + FieldValues.typeName(value) + "}");
            }
            return b;
        }

        String string(String key) {
            if (!arguments.containsKey(key)) {
                return null;
            }
            Object value = arguments.get(key);
            if (!(value instanceof String s)) {
                throw invalid(key, "{unacceptable_type," + FieldValues.typeName(value) + "}");
            }
            return s;
        }

        /** An exchange name argument; a wrong type is refused before the value is looked at, as RabbitMQ does. */
        String exchangeName(String key) {
            Object value = arguments.get(key);
            if (arguments.containsKey(key) && !(value instanceof String)) {
                throw AmqpException.of(ReplyCode.PRECONDITION_FAILED, "invalid type '%s' for arg '%s' in %s",
                        FieldValues.typeName(value), key, queue);
            }
            return string(key);
        }

        Overflow overflow() {
            String value = string("x-overflow");
            if (value == null) {
                return Overflow.DROP_HEAD;
            }
            for (Overflow o : Overflow.values()) {
                if (o.value.equals(value)) {
                    return o;
                }
            }
            throw invalid("x-overflow", "invalid_overflow");
        }

        AmqpException invalid(String key, String error) {
            return AmqpException.of(ReplyCode.PRECONDITION_FAILED, "invalid arg '%s' for %s: %s", key, queue, error);
        }
    }

}
