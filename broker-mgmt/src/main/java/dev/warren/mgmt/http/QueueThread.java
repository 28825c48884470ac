package dev.warren.mgmt.http;

import dev.warren.core.AmqpException;
import dev.warren.core.MessageQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs work that must happen on a queue's own thread (purge, delete) and waits for it, with a deadline. */
final class QueueThread {
    private final long timeoutMillis;

    QueueThread(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    <T> T call(MessageQueue queue, Callable<T> work) throws InterruptedException {
        try {
            return queue.executor().submit(work).get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AmqpException amqp) {
                throw amqp;
            }
            throw new IllegalStateException("work on " + queue.describe() + " failed", e.getCause());
        } catch (TimeoutException e) {
            throw ApiException.unavailable(queue.describe() + " did not answer within " + timeoutMillis + " ms");
        } catch (RejectedExecutionException e) {
            throw ApiException.unavailable("the broker is stopping");
        }
    }
}
