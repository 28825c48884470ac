package dev.warren.mgmt.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warren.core.MessageQueue;
import dev.warren.core.QueueEntry;
import dev.warren.core.QueueProcess;
import dev.warren.core.ReplicatedQueue;
import dev.warren.core.quorum.ConsumerKey;
import dev.warren.core.message.BasicProperties;
import dev.warren.core.message.Message;
import dev.warren.core.stats.MessageStats;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * Takes messages from a queue for POST /api/queues/{vhost}/{name}/get, as RabbitMQ's management plugin does
 * with basic.get: up to {@code count} messages, each shown as it leaves the queue, then all of them settled
 * together by the ack mode — requeued (so the same messages are not got twice in one call), acked, or
 * rejected (dead-lettered when the queue says so). Everything happens on the queue's own thread; a get that
 * must wait for paged-out messages continues when they are read back. A quorum queue's gets and their settling
 * go through its log, under a channel number of their own, from any node.
 */
final class ManagementGet {
    /** RabbitMQ's ackmode values. */
    enum AckMode {
        ACK_REQUEUE_TRUE, ACK_REQUEUE_FALSE, REJECT_REQUEUE_TRUE, REJECT_REQUEUE_FALSE;

        static AckMode parse(String text) {
            try {
                return valueOf(text.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw ApiException.badRequest("ackmode must be one of ack_requeue_true, ack_requeue_false, "
                        + "reject_requeue_true, reject_requeue_false");
            }
        }

        boolean requeues() {
            return this == ACK_REQUEUE_TRUE || this == REJECT_REQUEUE_TRUE;
        }
    }

    /** What to take and how to show it. {@code truncate} < 0: whole payloads. */
    record Request(int count, AckMode mode, String encoding, int truncate) {
    }

    private final MessageQueue queue;
    private final Request request;
    private final MessageStats stats;
    private final CompletableFuture<ArrayNode> answer = new CompletableFuture<>();
    /** Owner thread only. */
    private final List<QueueEntry> taken = new ArrayList<>();
    private final ArrayNode shown = Json.array();

    private ManagementGet(MessageQueue queue, Request request, MessageStats stats) {
        this.queue = queue;
        this.request = request;
        this.stats = stats;
    }

    /** Starts the gets on the queue's thread; the future completes with RabbitMQ's list of messages. */
    static CompletableFuture<ArrayNode> start(MessageQueue queue, Request request, MessageStats stats) {
        ManagementGet get = new ManagementGet(queue, request, stats);
        ReplicatedQueue log = queue.replicated();
        if (log != null) {
            get.nextFromLog(log, log.key(ReplicatedQueue.newChannel(), ""), new ArrayList<>());
        } else {
            queue.executor().execute(get::next);
        }
        return get.answer;
    }

    /** One basic.get through a quorum queue's log, then the next, in turn (the log's completion threads). */
    private void nextFromLog(ReplicatedQueue log, ConsumerKey holder, List<Long> ids) {
        log.get(holder, false).whenComplete((result, failure) -> {
            if (failure != null) {
                settleInLog(log, holder, ids, AckMode.REJECT_REQUEUE_TRUE);
                answer.completeExceptionally(failure);
                return;
            }
            QueueEntry entry = ReplicatedQueue.entryOf(result);
            if (entry == null) {
                settleInLog(log, holder, ids, request.mode());
                answer.complete(shown);
                return;
            }
            ids.add(result.id());
            try {
                shown.add(view(entry, (int) Math.min(result.remaining(), Integer.MAX_VALUE)));
            } catch (RuntimeException e) {
                settleInLog(log, holder, ids, AckMode.REJECT_REQUEUE_TRUE);
                answer.completeExceptionally(e);
                return;
            }
            stats.get.increment();
            if (ids.size() < request.count()) {
                nextFromLog(log, holder, ids);
            } else {
                settleInLog(log, holder, ids, request.mode());
                answer.complete(shown);
            }
        });
    }

    private void settleInLog(ReplicatedQueue log, ConsumerKey holder, List<Long> ids, AckMode mode) {
        if (ids.isEmpty()) {
            return;
        }
        long[] all = ids.stream().mapToLong(Long::longValue).toArray();
        switch (mode) {
            case ACK_REQUEUE_TRUE, REJECT_REQUEUE_TRUE -> log.requeue(holder, all);
            case ACK_REQUEUE_FALSE -> {
                log.settle(holder, all);
                stats.ack.add(all.length);
            }
            case REJECT_REQUEUE_FALSE -> log.discard(holder, all);
        }
    }

    private void next() {
        QueueProcess process = queue.process();
        process.get((entry, remaining) -> {
            if (entry == null) {
                finish(process);
                return;
            }
            taken.add(entry);
            try {
                shown.add(view(entry, remaining));
            } catch (RuntimeException e) {
                process.requeue(taken);
                answer.completeExceptionally(e);
                return;
            }
            stats.get.increment();
            if (taken.size() < request.count()) {
                next();
            } else {
                finish(process);
            }
        });
    }

    private void finish(QueueProcess process) {
        if (!taken.isEmpty()) {
            switch (request.mode()) {
                case ACK_REQUEUE_TRUE, REJECT_REQUEUE_TRUE -> process.requeue(taken);
                case ACK_REQUEUE_FALSE -> {
                    process.settle(taken);
                    stats.ack.add(taken.size());
                }
                case REJECT_REQUEUE_FALSE -> process.discard(taken);
            }
        }
        answer.complete(shown);
    }

    private ObjectNode view(QueueEntry entry, int remaining) {
        Message message = entry.message();
        ObjectNode n = Json.object();
        MessageJson.payload(n, ByteBufUtil.getBytes(message.body()), request.encoding(), request.truncate());
        n.put("redelivered", entry.redelivered())
                .put("exchange", message.exchange())
                .put("routing_key", message.routingKey())
                .put("message_count", remaining);
        n.set("properties", MessageJson.properties(BasicProperties.decode(message.properties().duplicate())));
        return n;
    }
}
