package dev.warren.core.stats;

import java.util.concurrent.atomic.LongAdder;

/**
 * Broker-wide message counters, named after the fields of RabbitMQ's message_stats, and the two latency
 * recorders the metrics endpoint publishes. Counters are LongAdders: every event loop adds to them on the
 * message path without contending.
 */
public final class MessageStats {
    /** Messages received from publishers. */
    public final LongAdder publish = new LongAdder();
    /** Publisher confirms (basic.ack) sent. */
    public final LongAdder confirm = new LongAdder();
    /** Deliveries to consumers that must ack. */
    public final LongAdder deliver = new LongAdder();
    /** Deliveries to consumers in auto-ack mode. */
    public final LongAdder deliverNoAck = new LongAdder();
    /** basic.get answered with a message, manual ack. */
    public final LongAdder get = new LongAdder();
    /** basic.get answered with a message, no-ack. */
    public final LongAdder getNoAck = new LongAdder();
    /** basic.get answered with get-empty. */
    public final LongAdder getEmpty = new LongAdder();
    /** Messages acknowledged by consumers. */
    public final LongAdder ack = new LongAdder();
    /** Deliveries (consume or get) with the redelivered flag set. */
    public final LongAdder redeliver = new LongAdder();
    /** Mandatory messages returned because no queue took them. */
    public final LongAdder returnUnroutable = new LongAdder();
    /** Messages dropped because no queue took them and they were not mandatory. */
    public final LongAdder dropUnroutable = new LongAdder();
    /** Messages queues dead-lettered (any reason) that reached a queue. */
    public final LongAdder deadLettered = new LongAdder();
    /** Channels closed because a delivery waited longer than its consumer timeout for its ack. */
    public final LongAdder consumerTimeouts = new LongAdder();

    /** Adds to the broker-wide counter of this kind (a channel counts its events here too). */
    public void add(Counter counter, long n) {
        adder(counter).add(n);
    }

    /** The broker-wide count of this kind. */
    public long sum(Counter counter) {
        return adder(counter).sum();
    }

    private LongAdder adder(Counter counter) {
        return switch (counter) {
            case PUBLISH -> publish;
            case CONFIRM -> confirm;
            case RETURN_UNROUTABLE -> returnUnroutable;
            case DROP_UNROUTABLE -> dropUnroutable;
            case DELIVER -> deliver;
            case DELIVER_NO_ACK -> deliverNoAck;
            case GET -> get;
            case GET_NO_ACK -> getNoAck;
            case GET_EMPTY -> getEmpty;
            case REDELIVER -> redeliver;
            case ACK -> ack;
        };
    }

    private volatile LatencyRecorder confirmLatency = LatencyRecorder.NONE;
    private volatile LatencyRecorder fsyncLatency = LatencyRecorder.NONE;

    /** From a publish arriving to its confirm being sent. */
    public LatencyRecorder confirmLatency() {
        return confirmLatency;
    }

    /** One fsync (force) of the message store. */
    public LatencyRecorder fsyncLatency() {
        return fsyncLatency;
    }

    public void recordLatenciesWith(LatencyRecorder confirms, LatencyRecorder fsyncs) {
        this.confirmLatency = confirms;
        this.fsyncLatency = fsyncs;
    }
}
