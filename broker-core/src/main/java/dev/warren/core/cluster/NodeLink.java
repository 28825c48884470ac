package dev.warren.core.cluster;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Requests between the nodes of a cluster, over the inter-node transport (its TLS included): what a node asks of
 * another node's queues. Requests to one node reach it, and are started there, in the order they were sent; replies
 * come back in any order. Outside a cluster there is no other node ({@link #NONE}).
 */
public interface NodeLink {
    NodeLink NONE = new NodeLink() {
        @Override
        public CompletableFuture<byte[]> request(String node, byte[] request) {
            return CompletableFuture.failedFuture(new NodeUnreachableException(node, "this node is not in a cluster"));
        }

        @Override
        public void serve(Function<byte[], CompletableFuture<byte[]>> handler) {
        }

        @Override
        public void onNodeDown(Consumer<String> listener) {
        }
    };

    /**
     * Sends a request to {@code node}; completes with its reply, or exceptionally with {@link NodeUnreachableException}
     * when the node did not answer (down, or not a member).
     */
    CompletableFuture<byte[]> request(String node, byte[] request);

    /** From now on this node answers other nodes' requests with {@code handler} (called on a transport thread). */
    void serve(Function<byte[], CompletableFuture<byte[]>> handler);

    /** From now on {@code listener} hears of each node that was running and stopped (its process died). */
    void onNodeDown(Consumer<String> listener);

    /** A request that got no answer from its node. */
    final class NodeUnreachableException extends RuntimeException {
        private final String node;

        public NodeUnreachableException(String node, String why) {
            super("node '" + node + "' did not answer: " + why, null, false, false);
            this.node = node;
        }

        public String node() {
            return node;
        }
    }
}
