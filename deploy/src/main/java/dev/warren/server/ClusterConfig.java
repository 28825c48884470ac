package dev.warren.server;

import dev.warren.store.raft.ClusterPeer;
import java.nio.file.Path;
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
 * @param tlsCa           the CA whose certificates the other nodes must present (cluster.ssl_options.cacertfile), or
 *                        null: then the inter-node port is plain and accepts any peer
 * @param tlsCert         this node's certificate, for serving and connecting (cluster.ssl_options.certfile)
 * @param tlsKey          its private key, PKCS#8 PEM (cluster.ssl_options.keyfile)
 * @param cookieFile      a file holding the secret the nodes share (cluster.cookie_file, as Erlang's cookie), from
 *                        which each node issues itself a certificate for the same mutual TLS; or null
 */
public record ClusterConfig(String nodename, int port, String discovery, Map<Integer, ClusterPeer> nodes,
                            long metadataTimeout, Path tlsCa, Path tlsCert, Path tlsKey, Path cookieFile) {
    public static final String CLASSIC_CONFIG = "classic_config";

    public ClusterConfig {
        nodes = Map.copyOf(nodes);
    }

    public static ClusterConfig defaults() {
        return new ClusterConfig(null, 25672, null, Map.of(), 30_000, null, null, null, null);
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
        return new ClusterConfig(name, port, discovery, nodes, metadataTimeout, tlsCa, tlsCert, tlsKey, cookieFile);
    }

    public ClusterConfig withPort(int newPort) {
        return new ClusterConfig(nodename, newPort, discovery, nodes, metadataTimeout, tlsCa, tlsCert, tlsKey, cookieFile);
    }

    public ClusterConfig withDiscovery(String backend) {
        return new ClusterConfig(nodename, port, backend, nodes, metadataTimeout, tlsCa, tlsCert, tlsKey, cookieFile);
    }

    public ClusterConfig withNode(int position, ClusterPeer peer) {
        Map<Integer, ClusterPeer> more = new TreeMap<>(nodes);
        more.put(position, peer);
        return new ClusterConfig(nodename, port, discovery, more, metadataTimeout, tlsCa, tlsCert, tlsKey, cookieFile);
    }

    public ClusterConfig withMetadataTimeout(long millis) {
        return new ClusterConfig(nodename, port, discovery, nodes, millis, tlsCa, tlsCert, tlsKey, cookieFile);
    }

    public ClusterConfig withTlsCa(Path file) {
        return new ClusterConfig(nodename, port, discovery, nodes, metadataTimeout, file, tlsCert, tlsKey, cookieFile);
    }

    public ClusterConfig withTlsCert(Path file) {
        return new ClusterConfig(nodename, port, discovery, nodes, metadataTimeout, tlsCa, file, tlsKey, cookieFile);
    }

    public ClusterConfig withTlsKey(Path file) {
        return new ClusterConfig(nodename, port, discovery, nodes, metadataTimeout, tlsCa, tlsCert, file, cookieFile);
    }

    public ClusterConfig withCookieFile(Path file) {
        return new ClusterConfig(nodename, port, discovery, nodes, metadataTimeout, tlsCa, tlsCert, tlsKey, file);
    }

    /** Whether the inter-node port uses mutual TLS (all three files set; {@link #checkTls} says when some are not). */
    public boolean tls() {
        return tlsCa != null && tlsCert != null && tlsKey != null;
    }

    /** Null when the TLS settings are complete or absent, else what is missing. */
    public String checkTls() {
        boolean none = tlsCa == null && tlsCert == null && tlsKey == null;
        if (cookieFile != null && !none) {
            return "cluster.cookie_file and cluster.ssl_options are two ways to authenticate nodes: set one of them";
        }
        if (tls() || none) {
            return null;
        }
        return "inter-node TLS needs cluster.ssl_options.cacertfile, certfile and keyfile together";
    }
}
