package dev.warren.amqp;

import dev.warren.amqp.UnackedDeliveries.Unacked;
import dev.warren.core.ReplicatedQueue;
import dev.warren.core.quorum.ConsumerKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Acks, nacks and rejects of deliveries from quorum queues: one log entry per queue and consumer (a settle, return
 * or discard naming the message ids), instead of a task for the queue's thread. Channel thread only.
 */
final class QuorumSettlements {
    private QuorumSettlements() {
    }

    /**
     * Settles the deliveries of quorum queues among {@code deliveries} (unless {@code toQuorumQueues} is false: the
     * channel is closing and they take everything back at once) and returns the others, in order.
     */
    static List<Unacked> settle(ChannelContext channel, List<Unacked> deliveries, boolean ack, boolean requeue,
                                boolean toQuorumQueues) {
        if (!anyQuorum(deliveries)) {
            return deliveries; // the common case, on every ack: no allocation
        }
        List<Unacked> classic = new ArrayList<>();
        Map<ConsumerKey, List<Long>> idsByKey = new LinkedHashMap<>();
        Map<ConsumerKey, ReplicatedQueue> queueByKey = new HashMap<>();
        for (Unacked d : deliveries) {
            ReplicatedQueue quorum = d.queue().replicated();
            if (quorum == null) {
                classic.add(d);
            } else if (toQuorumQueues) {
                ConsumerKey key = channel.quorumKey(quorum, d.consumer() == null ? "" : d.consumer().tag());
                idsByKey.computeIfAbsent(key, k -> new ArrayList<>()).add(d.entry().sequence());
                queueByKey.put(key, quorum);
            }
        }
        idsByKey.forEach((key, idList) -> {
            long[] ids = idList.stream().mapToLong(Long::longValue).toArray();
            ReplicatedQueue quorum = queueByKey.get(key);
            if (ack) {
                quorum.settle(key, ids);
            } else if (requeue) {
                quorum.requeue(key, ids);
            } else {
                quorum.discard(key, ids);
            }
        });
        return classic;
    }

    private static boolean anyQuorum(List<Unacked> deliveries) {
        for (int i = 0; i < deliveries.size(); i++) {
            if (deliveries.get(i).queue().replicated() != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * A delivery to the consumer is done with: its credit comes back. A quorum queue's consumer counts only its own
     * unacked deliveries (its queue's log keeps the credit; a channel-wide limit does not apply to it, as in
     * RabbitMQ), as does a consumer of another node's classic queue (whose home node keeps it); a classic queue's
     * also counts against the channel's limit.
     */
    static void releaseCredit(ChannelContext channel, ChannelConsumer consumer) {
        if (consumer.queue().replicated() != null || consumer.homeNode() != null) { // or on the node serving it
            consumer.released(1);
        } else {
            channel.prefetch().released(consumer);
        }
    }
}
