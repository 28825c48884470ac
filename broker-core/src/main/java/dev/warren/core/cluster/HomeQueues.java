package dev.warren.core.cluster;

import dev.warren.core.AmqpException;
import dev.warren.core.LogSafe;
import dev.warren.core.MessageQueue;
import dev.warren.core.ReplyCode;
import dev.warren.core.message.Message;
import dev.warren.core.quorum.QuorumMessages;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this node asks of another node's classic queue ({@link MessageQueue#home}): each call is one
 * {@link HomeRequest} to its home node, answered by that node's {@link HomeQueueService}. A home node that does not
 * answer is NOT_FOUND as RabbitMQ words it ("home node ... is down or inaccessible").
 */
public final class HomeQueues {
    private static final Logger LOG = LoggerFactory.getLogger(HomeQueues.class);

    private HomeQueues() {
    }

    /** Sends the request to the queue's home node; completes with the reply, or exceptionally with its error. */
    public static CompletableFuture<HomeReply> ask(MessageQueue queue, HomeRequest request) {
        return ask(queue, queue.home(), request);
    }

    /** Sends the request about {@code queue} to {@code node} (its home, or a member serving a quorum queue). */
    public static CompletableFuture<HomeReply> ask(MessageQueue queue, String node, HomeRequest request) {
        return queue.vhost().storage().nodes().request(node, HomeRequest.encode(request)).handle((bytes, failure) -> {
            if (failure != null) {
                throw queue.home() != null ? unreachable(queue) : AmqpException.of(ReplyCode.NOT_FOUND,
                        "node '%s' serving %s did not answer", node, queue.describe());
            }
            return HomeReply.decode(bytes).orThrow();
        });
    }

    /**
     * Forwards a published message to the queue's home node (taking over the caller's reference); completes with
     * whether the queue took it (false: a full queue refused it) once it is there, on disk when persistent.
     */
    public static CompletableFuture<Boolean> publish(MessageQueue queue, Message message) {
        byte[] encoded;
        try {
            encoded = QuorumMessages.encode(message);
        } finally {
            message.release();
        }
        HomeRequest request = new HomeRequest.Publish(queue.vhost().name(), queue.name(), encoded);
        return ask(queue, request).thenApply(reply -> reply.status() == HomeReply.Status.DONE);
    }

    /** {@link #publish} for a message nobody confirms (dead-lettered, delayed, traced): a failure is only logged. */
    public static void publishQuietly(MessageQueue queue, Message message) {
        publish(queue, message).whenComplete((taken, failure) -> {
            if (failure != null) {
                LOG.warn("A message for {} could not be forwarded to its home node and is lost: {}",
                        LogSafe.escape(queue.describe()), failure.getMessage());
            }
        });
    }

    public static AmqpException unreachable(MessageQueue queue) {
        return AmqpException.of(ReplyCode.NOT_FOUND, "home node '%s' of durable queue '%s' in vhost '%s' is down or "
                + "inaccessible", queue.home(), queue.name(), queue.vhost().name());
    }
}
