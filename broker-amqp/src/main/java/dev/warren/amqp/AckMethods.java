package dev.warren.amqp;

import dev.warren.amqp.UnackedDeliveries.Unacked;
import dev.warren.amqp.protocol.Method;
import dev.warren.amqp.protocol.Methods;
import dev.warren.core.AmqpException;
import dev.warren.core.MessageQueue;
import dev.warren.core.QueueEntry;
import dev.warren.core.ReplyCode;
import dev.warren.core.stats.Counter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * basic.ack, reject, nack and recover: settling a channel's deliveries. The queues do the settling, on
 * their own threads: each ack or reject becomes one task per queue it touches, batched with the channel's
 * other work, and requeues keep their original order. Credit goes back at once, here. In tx mode the
 * settlements wait in the {@link Transaction} until commit. Channel thread only.
 */
final class AckMethods {
    private final ChannelContext channel;

    AckMethods(ChannelContext channel) {
        this.channel = channel;
    }

    void basicAck(Command c) {
        Method m = c.method();
        List<Unacked> acked = channel.unacked().take(m.longValue("delivery-tag"), m.flag("multiple"));
        channel.count(Counter.ACK, acked.size());
        Transaction tx = channel.transaction();
        if (tx != null) {
            tx.settle(acked, true, false);
            return;
        }
        settle(acked, true, false);
    }

    void basicReject(Command c) {
        Method m = c.method();
        reject(channel.unacked().take(m.longValue("delivery-tag"), false), m.flag("requeue"));
    }

    void basicNack(Command c) {
        Method m = c.method();
        reject(channel.unacked().take(m.longValue("delivery-tag"), m.flag("multiple")), m.flag("requeue"));
    }

    private void reject(List<Unacked> deliveries, boolean requeue) {
        Transaction tx = channel.transaction();
        if (tx != null) {
            tx.settle(deliveries, false, requeue);
        } else {
            settle(deliveries, false, requeue);
        }
    }

    void basicRecover(Command c) {
        if (!c.method().flag("requeue")) {
            throw new AmqpException(ReplyCode.NOT_IMPLEMENTED, "requeue=false");
        }
        settle(channel.unacked().takeAll(), false, true);
        if (c.method().is(Methods.BASIC_RECOVER)) {
            channel.send(Methods.BASIC_RECOVER_OK.with());
        }
    }

    /**
     * Deliveries done with: acked ({@code ack}), or rejected and then requeued in their original order or
     * dropped. Their queues hear of it in this channel's next batch (a quorum queue in its log); their consumers
     * get credit back now.
     */
    void settle(List<Unacked> deliveries, boolean ack, boolean requeue) {
        settle(deliveries, ack, requeue, true);
    }

    private void settle(List<Unacked> deliveries, boolean ack, boolean requeue, boolean toQuorumQueues) {
        if (deliveries.isEmpty()) {
            return;
        }
        // other nodes' first: a quorum queue's consumer served by a member is settled there, not through the log
        List<Unacked> classic = QuorumSettlements.settle(channel,
                HomeSettlements.settle(channel, deliveries, ack, requeue, toQuorumQueues), ack, requeue, toQuorumQueues);
        boolean back = !ack && requeue;
        if (ack && classic.size() == 1 && classic.get(0).queue().executor().inEventLoop()) {
            classic.get(0).queue().process().settle(classic.get(0).entry()); // one ack, queue on this loop
        } else if (!classic.isEmpty()) {
            forEachQueue(classic, (queue, entries) -> channel.connection().batcher().submit(queue,
                    back ? q -> q.requeue(entries) : ack ? q -> q.settle(entries) : q -> q.discard(entries)));
        }
        for (Unacked d : deliveries) {
            if (d.consumer() != null) {
                QuorumSettlements.releaseCredit(channel, d.consumer());
            }
        }
        channel.wake(channel.prefetch().takeWoken(channel.consumerList()));
    }

    /**
     * The channel closes: every unacked delivery goes back to its queue, in order; a quorum queue takes back
     * everything the channel held at once when it hears the channel closed.
     */
    void release() {
        settle(channel.unacked().takeAll(), false, true, false);
    }

    private static void forEachQueue(List<Unacked> deliveries, java.util.function.BiConsumer<MessageQueue, List<QueueEntry>> action) {
        if (deliveries.size() == 1 || allSameQueue(deliveries)) {
            List<QueueEntry> entries = new ArrayList<>(deliveries.size());
            deliveries.forEach(d -> entries.add(d.entry()));
            action.accept(deliveries.get(0).queue(), entries);
            return;
        }
        Map<MessageQueue, List<QueueEntry>> byQueue = new LinkedHashMap<>();
        for (Unacked d : deliveries) {
            byQueue.computeIfAbsent(d.queue(), q -> new ArrayList<>()).add(d.entry());
        }
        byQueue.forEach(action);
    }

    private static boolean allSameQueue(List<Unacked> deliveries) {
        MessageQueue first = deliveries.get(0).queue();
        for (int i = 1; i < deliveries.size(); i++) {
            if (deliveries.get(i).queue() != first) {
                return false;
            }
        }
        return true;
    }
}
