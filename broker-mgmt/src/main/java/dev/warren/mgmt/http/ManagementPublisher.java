package dev.warren.mgmt.http;

import dev.warren.core.AmqpException;
import dev.warren.core.DelayedMessages;
import dev.warren.core.Destinations;
import dev.warren.core.Exchange;
import dev.warren.core.MessageQueue;
import dev.warren.core.ReplyCode;
import dev.warren.core.VirtualHost;
import dev.warren.core.message.Delay;
import dev.warren.core.message.Message;
import dev.warren.core.message.SenderSelected;
import dev.warren.core.stats.MessageStats;
import dev.warren.core.store.MessageStore;
import dev.warren.core.store.StoreFailedException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes one message for POST /api/exchanges/{vhost}/{name}/publish, as a confirming AMQP publisher would:
 * routed by the exchange (CC and BCC headers, alternate exchanges, an x-delayed-message exchange's
 * {@code x-delay}), written to the store for its durable queues when persistent, and answered once the store
 * has it on disk. Runs on a management handler thread; queues take the message on their own threads.
 */
final class ManagementPublisher {
    private final MessageStats stats;
    private final long waitMillis;

    ManagementPublisher(MessageStats stats, long waitMillis) {
        this.stats = stats;
        this.waitMillis = waitMillis;
    }

    /** Publishes {@code published} (taking over its reference); returns whether any queue (or a delay) took it. */
    boolean publish(VirtualHost vhost, Exchange exchange, Message published) throws InterruptedException {
        stats.publish.increment();
        try {
            DelayedMessages delayed = exchange.delayed();
            if (delayed != null && published.hasHeaders()) {
                long delay = Delay.of(published.headers());
                if (delay > 0) {
                    CompletableFuture<Void> held = new CompletableFuture<>();
                    delayed.hold(published, delay, failure -> complete(held, failure));
                    await(held);
                    return true;
                }
            }
            Destinations routed = new Destinations();
            vhost.route(exchange, published, routed);
            List<MessageQueue> queues = new ArrayList<>(routed.size());
            for (int i = 0; i < routed.size(); i++) {
                queues.add(routed.queue(i));
            }
            if (queues.isEmpty()) {
                stats.dropUnroutable.increment();
                return false;
            }
            Message message = SenderSelected.hasBcc(published) ? SenderSelected.withoutBcc(published) : published.retain();
            try {
                deliver(vhost.storage().messages(), message, queues);
            } finally {
                message.release();
            }
            return true;
        } catch (StoreFailedException e) {
            throw ApiException.unavailable("the message store has failed: " + e.getMessage());
        } finally {
            published.release();
        }
    }

    /** Stores a persistent message for the durable queues (waiting until it is on disk), then enqueues it. */
    private void deliver(MessageStore store, Message message, List<MessageQueue> queues) throws InterruptedException {
        if (message.persistent()) {
            int[] durable = queues.stream().mapToInt(MessageQueue::storeId).filter(id -> id >= 0).toArray();
            if (durable.length > 0) {
                CompletableFuture<Void> written = new CompletableFuture<>();
                store.append(message, durable, durable.length, failure -> complete(written, failure));
                await(written);
            }
        }
        for (MessageQueue queue : queues) {
            queue.enqueueRouted(message.retain());
        }
    }

    private static void complete(CompletableFuture<Void> future, Throwable failure) {
        if (failure == null) {
            future.complete(null);
        } else {
            future.completeExceptionally(failure);
        }
    }

    private void await(CompletableFuture<Void> future) throws InterruptedException {
        try {
            future.get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw ApiException.unavailable("the message could not be stored: " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw ApiException.unavailable("the message was not stored within " + waitMillis + " ms");
        }
    }

    /** As over AMQP: a user-id property must name the publishing user unless that user is an impersonator. */
    static void checkUserId(Message message, Principal who, boolean impersonator) {
        String userId = message.userId();
        if (userId != null && !who.local() && !userId.equals(who.name()) && !impersonator) {
            throw AmqpException.of(ReplyCode.PRECONDITION_FAILED,
                    "user_id property set to '%s' but authenticated user was '%s'", userId, who.name());
        }
    }
}
