package dev.warren.server;

import dev.warren.store.raft.ClusterPeer;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Clustering, with RabbitMQ's keys where it has them: this node's name, the inter-node port, and the members listed
 * by classic config peer discovery. Without {@code cluster_formation.peer_discovery_backend = classic_config} and
 * at least one node listed, the broker is a single node and starts nothing of a cluster.
 *
 * @param nodename        this node's name (nodename, WARREN_NODENAME); null for warren@&lt;short host name&gt;
 * @param port            the inter-node (Raft) port (cluster.tcp.port)
 * @param discovery       "classic_config", or null (cluster_formation.peer_discovery_backend)
 * @param nodes           cluster_formation.classic_config.nodes.N by N, each NAME@HOST:PORT
 * @param metadataTimeout milliseconds a definition change waits for the cluster to commit it, and a start for the
 *                        cluster to answer (warren.metadata_timeout; RabbitMQ's Khepri waits 30 s)
 */
public record ClusterConfig(String nodename, int port, String discovery, Map<Integer, ClusterPeer> nodes,
                            long metadataTimeout) {
    public static final String CLASSIC_CONFIG = "classic_config";

    public ClusterConfig {
        nodes = Map.copyOf(nodes);
    }

    public static ClusterConfig defaults() {
        return new ClusterConfig(null, 25672, null, Map.of(), 30_000);
    }

    /** Whether this broker is a member of a cluster. */
    public boolean enabled() {
        return CLASSIC_CONFIG.equals(discovery) && !nodes.isEmpty();
    }

    /** The listed nodes in the order of their numbers. */
    public List<ClusterPeer> peers() {
        return List.copyOf(new TreeMap<>(nodes).values());
    }

    public ClusterConfig withNodename(String name) {
        return new ClusterConfig(name, port, discovery, nodes, metadataTimeout);
    }

    public ClusterConfig withPort(int newPort) {
        return new ClusterConfig(nodename, newPort, discovery, nodes, metadataTimeout);
    }

    public ClusterConfig withDiscovery(String backend) {
        return new ClusterConfig(nodename, port, backend, nodes, metadataTimeout);
    }

    public ClusterConfig withNode(int position, ClusterPeer peer) {
        Map<Integer, ClusterPeer> more = new TreeMap<>(nodes);
        more.put(position, peer);
        return new ClusterConfig(nodename, port, discovery, more, metadataTimeout);
    }

    public ClusterConfig withMetadataTimeout(long millis) {
        return new ClusterConfig(nodename, port, discovery, nodes, millis);
    }
}
