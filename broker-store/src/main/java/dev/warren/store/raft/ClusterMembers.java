package dev.warren.store.raft;

import dev.warren.core.cluster.ClusterNode;
import dev.warren.core.cluster.ClusterView;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's members as management shows them: the configured nodes that are in the metadata group's current
 * configuration (a forgotten node drops out), each running or not as the {@link PeerProbe} sees it; and
 * {@link #forget}, which takes a stopped node out of the metadata group and every quorum queue.
 */
final class ClusterMembers implements ClusterView {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterMembers.class);
    private final PeerProbe probe;
    private final RaftServer server;
    private final RaftClient metadata;
    private final RaftQuorumLogs quorumLogs;
    private final String self;
    private final java.util.function.Supplier<Set<String>> currentMembers;
    /** Where a forget runs (it waits for the quorum queues' own admin thread, so not on it). */
    private final ExecutorService admin = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "warren-cluster-admin");
        thread.setDaemon(true);
        return thread;
    });

    ClusterMembers(PeerProbe probe, RaftServer server, RaftClient metadata, RaftQuorumLogs quorumLogs, String self,
                   java.util.function.Supplier<Set<String>> currentMembers) {
        this.currentMembers = currentMembers;
        this.probe = probe;
        this.server = server;
        this.metadata = metadata;
        this.quorumLogs = quorumLogs;
        this.self = self;
    }

    void close() {
        admin.shutdownNow();
    }

    /** The metadata group's members now, or null when this node cannot tell. */
    private Set<String> members() {
        return currentMembers.get();
    }

    @Override
    public List<ClusterNode> nodes() {
        Set<String> members = members();
        return probe.nodes().stream().filter(n -> members == null || members.contains(n.name())).toList();
    }

    @Override
    public CompletableFuture<Void> join(String seed) {
        return CompletableFuture.failedFuture(new IllegalArgumentException("this node is already a member of a cluster: "
                + "forget it on the others (forget_cluster_node), stop it and empty its data directory before it joins another"));
    }

    @Override
    public CompletableFuture<Void> forget(String node) {
        return CompletableFuture.runAsync(() -> {
            if (node.equals(self)) {
                throw new IllegalArgumentException("cannot forget '" + node + "': it is this node; run it on another");
            }
            Set<String> members = members();
            if (members == null || !members.contains(node)) {
                throw new IllegalArgumentException("'" + node + "' is not a member of the cluster");
            }
            if (probe.nodes().stream().anyMatch(n -> n.name().equals(node) && n.running())) {
                throw new IllegalArgumentException("'" + node + "' is running: stop it before forgetting it");
            }
            try {
                List<RaftPeer> rest = server.getDivision(MetadataCluster.GROUP_ID).getGroup().getPeers().stream()
                        .filter(p -> !p.getId().toString().equals(node)).toList();
                RaftClientReply reply = metadata.admin().setConfiguration(rest);
                if (!reply.isSuccess()) {
                    throw new IOException("the metadata group refused the members " + rest + ": " + reply.getException());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            LOG.info("Cluster: '{}' forgotten; the metadata group's members are now {}", node, members());
            quorumLogs.forget(node);
        }, admin);
    }
}
