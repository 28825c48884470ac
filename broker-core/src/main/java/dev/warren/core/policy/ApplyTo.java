package dev.warren.core.policy;

/** What kind of object a policy applies to: RabbitMQ's {@code apply-to} values. */
public enum ApplyTo {
    QUEUES("queues"),
    /** RabbitMQ 3.12's name for classic queues only; every Warren queue is classic, so the same as QUEUES here. */
    CLASSIC_QUEUES("classic_queues"),
    EXCHANGES("exchanges"),
    ALL("all");

    private final String value;

    ApplyTo(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    public boolean queues() {
        return this != EXCHANGES;
    }

    public boolean exchanges() {
        return this == EXCHANGES || this == ALL;
    }

    /** The value named, or an {@link InvalidPolicyException} in RabbitMQ's words. */
    public static ApplyTo named(String value) {
        for (ApplyTo a : values()) {
            if (a.value.equals(value)) {
                return a;
            }
        }
        throw new InvalidPolicyException("apply-to '" + value
                + "' unrecognised; should be 'queues', 'classic_queues', 'exchanges' or 'all'");
    }
}
