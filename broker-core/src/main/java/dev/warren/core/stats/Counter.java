package dev.warren.core.stats;

/**
 * The message events counted per channel, per queue and broker-wide, named after the fields of RabbitMQ's
 * {@code message_stats}. A queue counts the delivery-side ones and {@link #PUBLISH} (messages that entered it);
 * a channel counts all of them.
 */
public enum Counter {
    /** Messages received from a publisher (channel), or taken by a queue (queue). */
    PUBLISH("publish"),
    /** Publisher confirms (basic.ack) sent. */
    CONFIRM("confirm"),
    /** Mandatory messages returned because no queue took them. */
    RETURN_UNROUTABLE("return_unroutable"),
    /** Messages dropped because no queue took them and they were not mandatory. */
    DROP_UNROUTABLE("drop_unroutable"),
    /** Deliveries to consumers that must ack. */
    DELIVER("deliver"),
    /** Deliveries to consumers in auto-ack mode. */
    DELIVER_NO_ACK("deliver_no_ack"),
    /** basic.get answered with a message, manual ack. */
    GET("get"),
    /** basic.get answered with a message, no-ack. */
    GET_NO_ACK("get_no_ack"),
    /** basic.get answered with get-empty. */
    GET_EMPTY("get_empty"),
    /** Deliveries (consume or get) with the redelivered flag set. */
    REDELIVER("redeliver"),
    /** Deliveries acknowledged by consumers. */
    ACK("ack");

    private static final Counter[] ALL = values();

    private final String field;

    Counter(String field) {
        this.field = field;
    }

    /** The field's name in RabbitMQ's message_stats. */
    public String field() {
        return field;
    }

    static Counter[] all() {
        return ALL;
    }
}
