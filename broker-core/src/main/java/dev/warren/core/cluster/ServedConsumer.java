package dev.warren.core.cluster;

import java.util.concurrent.CompletableFuture;

/**
 * A consumer (or holder of basic.gets) this node serves for a client on another node: what that node's
 * {@link HomeRequest.Settle} and {@link HomeRequest.Cancel} requests act on. Any thread.
 */
interface ServedConsumer {
    /** The node the client is on. */
    String node();

    /** What became of these deliveries: {@link HomeRequest#ACK}, {@link HomeRequest#REQUEUE} or {@link HomeRequest#DISCARD}. */
    void settle(long[] ids, byte outcome);

    /** No more deliveries; with {@code requeue} (the client's channel closed) what it holds goes back too. */
    CompletableFuture<Void> stop(boolean requeue);
}
