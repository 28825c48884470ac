package dev.warren.store.raft;

import java.nio.file.Path;
import java.util.List;

/**
 * How this node takes part in a cluster: its node name, the members (itself included), the port its inter-node
 * listener binds, where Ratis keeps its files, and how long a definition change may wait for a quorum.
 *
 * @param bindHost   the interface the inter-node listener binds; empty for every interface
 * @param dataDir    the Raft log and snapshots go in {@code dataDir/raft}
 * @param timeoutMillis how long a change may wait for the group to commit it, and a start for the group to form
 * @param tls           mutual TLS between the nodes, or null for plain gRPC
 */
public record ClusterSettings(String node, List<ClusterPeer> peers, String bindHost, int port, Path dataDir,
                              long timeoutMillis, InterNodeTls tls) {
    /** PEM files: the CA peers' certificates must chain to, this node's certificate and its PKCS#8 key. */
    public record InterNodeTls(Path caFile, Path certFile, Path keyFile) {
    }

    public ClusterSettings(String node, List<ClusterPeer> peers, String bindHost, int port, Path dataDir,
                           long timeoutMillis) {
        this(node, peers, bindHost, port, dataDir, timeoutMillis, null);
    }

    public ClusterSettings {
        peers = List.copyOf(peers);
        if (peers.stream().noneMatch(p -> p.name().equals(node))) {
            throw new IllegalArgumentException("the cluster's nodes do not include this node, '" + node + "'");
        }
    }
}
