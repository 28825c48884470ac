package dev.warren.amqp;

import dev.warren.amqp.UnackedDeliveries.Unacked;
import dev.warren.core.MessageQueue;
import dev.warren.core.cluster.HomeRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Acks, nacks and rejects of deliveries from other nodes' classic queues: one {@link HomeRequest.Settle} per consumer
 * to the queue's home node, which holds the deliveries. Channel thread only.
 */
final class HomeSettlements {
    private HomeSettlements() {
    }

    /**
     * Settles the deliveries from other nodes' queues among {@code deliveries} (unless {@code toHomes} is false: the
     * channel is closing and its consumers' home nodes take everything back with their cancels) and returns the
     * others, in order.
     */
    static List<Unacked> settle(ChannelContext channel, List<Unacked> deliveries, boolean ack, boolean requeue,
                                boolean toHomes) {
        if (!anyAtHome(deliveries)) {
            return deliveries; // the common case: no allocation
        }
        List<Unacked> here = new ArrayList<>();
        Map<Long, String> nodeByHolder = new LinkedHashMap<>();
        // by the id the home node holds them under: the consumer's, or the channel's holder of gets for the queue
        Map<Long, List<Long>> idsByHolder = new LinkedHashMap<>();
        Map<Long, MessageQueue> queueByHolder = new LinkedHashMap<>();
        for (Unacked d : deliveries) {
            if (!heldElsewhere(d)) {
                here.add(d);
            } else if (toHomes) {
                long holder = d.consumer() != null ? d.consumer().homeId() : channel.homeGetter(d.queue());
                idsByHolder.computeIfAbsent(holder, h -> new ArrayList<>()).add(d.entry().sequence());
                queueByHolder.put(holder, d.queue());
                nodeByHolder.put(holder, d.consumer() != null ? d.consumer().homeNode() : d.queue().home());
            }
        }
        byte outcome = ack ? HomeRequest.ACK : requeue ? HomeRequest.REQUEUE : HomeRequest.DISCARD;
        idsByHolder.forEach((holder, ids) -> ConsumerMethods.settleAtHome(queueByHolder.get(holder),
                nodeByHolder.get(holder), holder, ids.stream().mapToLong(Long::longValue).toArray(), outcome));
        return here;
    }

    private static boolean anyAtHome(List<Unacked> deliveries) {
        for (int i = 0; i < deliveries.size(); i++) {
            if (heldElsewhere(deliveries.get(i))) {
                return true;
            }
        }
        return false;
    }

    /** A delivery another node holds: from a consumer it serves, or a get from another node's classic queue. */
    private static boolean heldElsewhere(Unacked d) {
        return d.consumer() != null ? d.consumer().homeNode() != null : d.queue().home() != null;
    }
}
