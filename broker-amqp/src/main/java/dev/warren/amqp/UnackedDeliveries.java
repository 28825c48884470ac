package dev.warren.amqp;

import dev.warren.core.AmqpException;
import dev.warren.core.MessageQueue;
import dev.warren.core.QueueEntry;
import dev.warren.core.ReplyCode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A channel's deliveries awaiting ack, by delivery tag, in delivery order (tags only grow). Channel
 * thread only.
 */
final class UnackedDeliveries {
    /**
     * One delivery awaiting ack; consumer is null for basic.get. {@code sentAt} is {@link System#nanoTime()}
     * when it was written, for the consumer timeout.
     */
    record Unacked(long tag, MessageQueue queue, QueueEntry entry, ChannelConsumer consumer, long sentAt) {
    }

    private final LinkedHashMap<Long, Unacked> byTag = new LinkedHashMap<>();

    void add(Unacked delivery) {
        byTag.put(delivery.tag(), delivery);
    }

    int size() {
        return byTag.size();
    }

    boolean isEmpty() {
        return byTag.isEmpty();
    }

    /** The delivery awaiting ack longest (the lowest tag), or null. */
    Unacked oldest() {
        return byTag.isEmpty() ? null : byTag.values().iterator().next();
    }

    /**
     * Removes and returns the deliveries an ack, nack or reject names: one tag, or with {@code multiple}
     * every tag up to it (0 meaning all). An unknown tag is PRECONDITION_FAILED, as in RabbitMQ.
     */
    List<Unacked> take(long tag, boolean multiple) {
        if (!multiple) {
            Unacked one = byTag.remove(tag);
            if (one == null) {
                throw unknown(tag);
            }
            return List.of(one);
        }
        if (tag != 0 && !byTag.containsKey(tag)) {
            throw unknown(tag); // as RabbitMQ: the named tag itself must be outstanding
        }
        List<Unacked> taken = new ArrayList<>();
        Iterator<Map.Entry<Long, Unacked>> it = byTag.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, Unacked> next = it.next();
            if (tag != 0 && next.getKey() > tag) {
                break;
            }
            taken.add(next.getValue());
            it.remove();
        }
        return taken;
    }

    /** Puts back deliveries taken earlier (a rolled-back transaction's acks), keeping tag order. */
    void restore(List<Unacked> deliveries) {
        List<Unacked> all = new ArrayList<>(byTag.values());
        all.addAll(deliveries);
        all.sort(java.util.Comparator.comparingLong(Unacked::tag));
        byTag.clear();
        all.forEach(this::add);
    }

    /** Removes and returns every outstanding delivery, oldest first. */
    List<Unacked> takeAll() {
        List<Unacked> all = new ArrayList<>(byTag.values());
        byTag.clear();
        return all;
    }

    private static AmqpException unknown(long tag) {
        return AmqpException.of(ReplyCode.PRECONDITION_FAILED, "unknown delivery tag %d", tag);
    }
}
