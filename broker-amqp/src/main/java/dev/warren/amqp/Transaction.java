package dev.warren.amqp;

import dev.warren.amqp.UnackedDeliveries.Unacked;
import dev.warren.core.message.Message;
import java.util.ArrayList;
import java.util.List;

/**
 * What a transactional channel has done since its last commit or rollback: publishes to route at commit,
 * and acks, nacks and rejects to apply at commit (or to put back on rollback). Channel thread only.
 */
final class Transaction {
    record Publish(Message message, boolean mandatory) {
    }

    /** Deliveries acked ({@code ack}), or rejected and then requeued or dropped. */
    record Settlement(List<Unacked> deliveries, boolean ack, boolean requeue) {
    }

    private final List<Publish> publishes = new ArrayList<>();
    private final List<Settlement> settlements = new ArrayList<>();

    /** Keeps the message (the caller hands over one reference) until commit or rollback. */
    void publish(Message message, boolean mandatory) {
        publishes.add(new Publish(message, mandatory));
    }

    void settle(List<Unacked> deliveries, boolean ack, boolean requeue) {
        settlements.add(new Settlement(deliveries, ack, requeue));
    }

    List<Publish> publishes() {
        return publishes;
    }

    List<Settlement> settlements() {
        return settlements;
    }
}
