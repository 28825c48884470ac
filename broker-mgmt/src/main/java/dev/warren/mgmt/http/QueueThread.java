package dev.warren.mgmt.http;

import dev.warren.core.AmqpException;
import dev.warren.core.MessageQueue;
import dev.warren.core.QueueProcess;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Runs an operation on a queue's own thread (purge, delete) and waits for it, with a deadline; the
 * management handlers run on a blocking pool, never on an event loop.
 */
final class QueueThread {
    private final long timeoutMillis;

    QueueThread(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    <T> T call(MessageQueue queue, Function<QueueProcess, T> operation) throws InterruptedException {
        return await(queue, queue.call(operation));
    }

    /** Waits for work on the queue (its thread's, or its replicated log's) within the timeout. */
    <T> T await(MessageQueue queue, java.util.concurrent.CompletableFuture<T> work) throws InterruptedException {
        try {
            return work.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof java.util.concurrent.CompletionException wrapped
                    && wrapped.getCause() instanceof AmqpException amqp) {
                throw amqp;
            }
            if (e.getCause() instanceof AmqpException amqp) {
                throw amqp;
            }
            if (e.getCause() instanceof IllegalArgumentException refused) {
                throw ApiException.badRequest(refused.getMessage());
            }
            throw new IllegalStateException("work on " + queue.describe() + " failed", e.getCause());
        } catch (TimeoutException e) {
            throw ApiException.unavailable(queue.describe() + " did not answer within " + timeoutMillis + " ms");
        } catch (RejectedExecutionException e) {
            throw ApiException.unavailable("the broker is stopping");
        }
    }
}
