package dev.warren.amqp;

import dev.warren.amqp.protocol.Methods;
import dev.warren.core.AmqpException;
import dev.warren.core.Exchange;
import dev.warren.core.ReplyCode;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * tx.select, tx.commit and tx.rollback. In tx mode publishes and settlements wait in the channel's
 * {@link Transaction}; commit routes the publishes and applies the settlements, and answers commit-ok once
 * every queue touched has taken them and, when persistent messages were stored, once they are on disk; publishes to
 * quorum queues once their logs committed them, and to other nodes' queues once those nodes have them.
 * Channel thread only.
 */
final class TransactionMethods {
    private final ChannelContext channel;
    private final PublishMethods publishing;
    private final AckMethods acks;

    TransactionMethods(ChannelContext channel, PublishMethods publishing, AckMethods acks) {
        this.channel = channel;
        this.publishing = publishing;
        this.acks = acks;
    }

    /** The channel is going away: drop what a transaction held and put its taken acks back. */
    void abandon() {
        Transaction tx = channel.transaction();
        if (tx != null) {
            tx.publishes().forEach(p -> p.message().release());
            tx.settlements().forEach(settlement -> channel.unacked().restore(settlement.deliveries()));
            channel.transaction(null);
        }
    }

    void txSelect(Command c) {
        if (publishing.confirming()) {
            throw new AmqpException(ReplyCode.PRECONDITION_FAILED, "cannot switch from confirm to tx mode");
        }
        if (channel.transaction() == null) {
            channel.transaction(new Transaction());
        }
        channel.send(Methods.TX_SELECT_OK.with());
    }

    void txCommit(Command c) {
        Transaction done = requireTransaction();
        channel.transaction(new Transaction());
        Set<EventExecutor> touched = new LinkedHashSet<>();
        List<CompletableFuture<Boolean>> handedOver = new ArrayList<>();
        boolean stored = false;
        boolean routed = false;
        publishing.collectHandOvers(handedOver);
        try {
            for (Transaction.Publish publish : done.publishes()) {
                Exchange exchange = channel.connection().vhost().exchange(publish.message().exchange());
                if (exchange != null) {
                    stored |= publishing.route(exchange, publish.message(), publish.mandatory(), touched);
                }
            }
            routed = true;
        } finally {
            publishing.collectHandOvers(null);
            // a publish refused at routing (a CC header that is not an array) fails the commit and closes the
            // channel: the publishes after it are dropped with the rest, and its acks go back to the unacked
            // deliveries the closing channel requeues, as for a transaction never committed
            done.publishes().forEach(p -> p.message().release());
            if (!routed) {
                done.settlements().forEach(settlement -> channel.unacked().restore(settlement.deliveries()));
            }
        }
        for (Transaction.Settlement settlement : done.settlements()) {
            settlement.deliveries().forEach(d -> touched.add(d.queue().executor()));
            acks.settle(settlement.deliveries(), settlement.ack(), settlement.requeue());
        }
        Runnable commitOk = () -> channel.send(Methods.TX_COMMIT_OK.with());
        if (!stored && handedOver.isEmpty()) {
            channel.afterQueuesCaughtUp(touched, commitOk);
            return;
        }
        // commit-ok only once the transaction's persistent messages are on disk and what went to quorum queues and
        // other nodes is there; the channel waits for it
        boolean onDisk = stored;
        channel.afterQueuesCaughtUp(touched, () -> channel.suspendUntil(
                CompletableFuture.allOf(onDisk ? durable() : CompletableFuture.completedFuture(null), elsewhere(handedOver)),
                commitOk));
    }

    private CompletableFuture<Void> durable() {
        CompletableFuture<Void> durable = new CompletableFuture<>();
        channel.connection().vhost().storage().messages().afterDurable(failure -> {
            if (failure == null) {
                durable.complete(null);
            } else {
                durable.completeExceptionally(PublishMethods.storeFailed(failure));
            }
        });
        return durable;
    }

    /** Every hand-over done; one that failed (no majority, a node down) fails the commit with 506. */
    private static CompletableFuture<Void> elsewhere(List<CompletableFuture<Boolean>> handedOver) {
        return CompletableFuture.allOf(handedOver.toArray(CompletableFuture[]::new)).exceptionally(failure -> {
            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            throw new AmqpException(ReplyCode.RESOURCE_ERROR, "tx.commit: the transaction's publishes did not all "
                    + "reach their quorum queues or other nodes' queues: " + cause.getMessage());
        });
    }

    void txRollback(Command c) {
        Transaction undone = requireTransaction();
        channel.transaction(new Transaction());
        undone.publishes().forEach(p -> p.message().release());
        for (Transaction.Settlement settlement : undone.settlements()) {
            channel.restoreUnacked(settlement.deliveries());
        }
        channel.send(Methods.TX_ROLLBACK_OK.with());
    }

    private Transaction requireTransaction() {
        Transaction tx = channel.transaction();
        if (tx == null) {
            throw new AmqpException(ReplyCode.PRECONDITION_FAILED, "channel is not transactional");
        }
        return tx;
    }
}
