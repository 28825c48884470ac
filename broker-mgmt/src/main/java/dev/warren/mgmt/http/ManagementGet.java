package dev.warren.mgmt.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warren.core.MessageQueue;
import dev.warren.core.QueueEntry;
import dev.warren.core.QueueProcess;
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
 * must wait for paged-out messages continues when they are read back.
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
        queue.executor().execute(get::next);
        return get.answer;
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
