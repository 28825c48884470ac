package dev.warren.server;

import dev.warren.core.NodeName;
import dev.warren.store.DefinitionsFile;
import dev.warren.store.raft.ClusterPeer;
import dev.warren.store.raft.ClusterSettings;
import dev.warren.store.raft.MetadataCluster;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Joins the cluster the configuration lists: checks this node is one of its members, then starts the metadata group. */
final class Clustering {
    private static final Logger LOG = LoggerFactory.getLogger(Clustering.class);

    private Clustering() {
    }

    static MetadataCluster start(ServerConfig config, DefinitionsFile definitions) throws IOException, InterruptedException {
        ClusterConfig cluster = config.cluster();
        String node = NodeName.get();
        List<ClusterPeer> peers = cluster.peers();
        ClusterPeer self = peers.stream().filter(p -> p.name().equals(node)).findFirst().orElseThrow(() -> new IOException(
                "this node, '" + node + "' (nodename), is not one of the cluster's nodes " + peers
                        + " (cluster_formation.classic_config.nodes.N)"));
        if (self.port() != cluster.port()) {
            throw new IOException("cluster_formation.classic_config.nodes lists this node with port " + self.port()
                    + " but cluster.tcp.port is " + cluster.port());
        }
        String incomplete = cluster.checkTls();
        if (incomplete != null) {
            throw new IOException(incomplete);
        }
        ClusterSettings.InterNodeTls tls = null;
        if (cluster.cookieFile() != null) {
            try {
                tls = ClusterCookie.issue(ClusterCookie.read(cluster.cookieFile()), node, self.host(),
                        config.dataDir().resolve("cluster-tls"));
            } catch (java.security.GeneralSecurityException e) {
                throw new IOException("inter-node TLS from cluster.cookie_file: " + e.getMessage(), e);
            }
            LOG.info("Cluster: the inter-node port {} uses mutual TLS from the shared secret in {}: only nodes with the "
                    + "same secret can talk to it", cluster.port(), cluster.cookieFile());
        } else if (cluster.tls()) {
            for (java.nio.file.Path file : List.of(cluster.tlsCa(), cluster.tlsCert(), cluster.tlsKey())) {
                if (!java.nio.file.Files.isReadable(file)) {
                    throw new IOException("inter-node TLS: cannot read " + file);
                }
            }
            tls = new ClusterSettings.InterNodeTls(cluster.tlsCa(), cluster.tlsCert(), cluster.tlsKey());
            LOG.info("Cluster: the inter-node port {} uses mutual TLS: peers must present a certificate issued by {}",
                    cluster.port(), cluster.tlsCa());
        } else {
            LOG.warn("Cluster: the inter-node port {} accepts any peer (neither cluster.cookie_file nor cluster.ssl_options set); "
                    + "keep it on a "
                    + "private network", cluster.port());
        }
        return MetadataCluster.start(new ClusterSettings(node, peers, "", cluster.port(), config.dataDir(),
                cluster.metadataTimeout(), tls), definitions);
    }
}
