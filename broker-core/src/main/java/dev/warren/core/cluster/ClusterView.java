package dev.warren.core.cluster;

import dev.warren.core.NodeName;
import java.util.List;

/**
 * The nodes of the cluster this broker belongs to, as management shows them (/api/nodes, cluster_status). A broker
 * outside a cluster is a cluster of one: itself, running.
 */
public interface ClusterView {
    ClusterView SINGLE = () -> List.of(new ClusterNode(NodeName.get(), true));

    /** Every member, this node included, in the configured order. */
    List<ClusterNode> nodes();

    /**
     * Removes a stopped node from the cluster for good (rabbitmqctl forget_cluster_node): from the metadata group
     * and from every quorum queue it was a member of. Fails with an IllegalArgumentException saying why it cannot.
     */
    default java.util.concurrent.CompletableFuture<Void> forget(String node) {
        return java.util.concurrent.CompletableFuture.failedFuture(
                new IllegalArgumentException("this node is not in a cluster"));
    }

    /**
     * Makes this node a member of the cluster the node {@code seed} ({@code NAME@HOST:PORT}) is in, as rabbitmqctl
     * join_cluster does: this node is reset and restarts in that cluster. Completes once the request is taken (the
     * restart follows); fails with an IllegalArgumentException saying why it cannot.
     */
    default java.util.concurrent.CompletableFuture<Void> join(String seed) {
        return java.util.concurrent.CompletableFuture.failedFuture(
                new IllegalArgumentException("this node cannot join a cluster from here (it does not run as a server)"));
    }
}
