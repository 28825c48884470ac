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
}
