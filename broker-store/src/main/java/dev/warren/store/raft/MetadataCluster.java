package dev.warren.store.raft;

import dev.warren.core.Broker;
import dev.warren.core.cluster.ClusterView;
import dev.warren.core.cluster.HomeQueueService;
import dev.warren.core.cluster.NodeLink;
import dev.warren.core.quorum.QuorumLogs;
import dev.warren.store.DefinitionsFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's part in the cluster's metadata Raft group (RabbitMQ 4's Khepri, on Apache Ratis): one group over all
 * configured nodes, whose fixed id derives from {@value #GROUP_NAME}, its log and snapshots under
 * {@code <data>/raft}, its gRPC listener on the inter-node port. {@link #start} starts the group member, waits
 * until this node has applied everything the cluster committed before (a barrier entry), and reads the committed
 * definitions the broker is then restored from; {@link #attach} lets the store apply later entries to the live
 * model. Nothing here runs for a broker outside a cluster.
 */
public final class MetadataCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataCluster.class);
    static final String GROUP_NAME = "warren-metadata";
    /** How long a start waits for a majority of the nodes (RabbitMQ: 10 attempts of 30 s). */
    static final long START_TIMEOUT_MILLIS = 300_000;
    static final RaftGroupId GROUP_ID = RaftGroupId.valueOf(UUID.nameUUIDFromBytes(GROUP_NAME.getBytes(StandardCharsets.UTF_8)));

    private final ClusterSettings settings;
    private final RaftServer server;
    private final RaftClient client;
    private final MetadataStateMachine stateMachine;
    private final ReplicatedDefinitionStore store;
    private final PeerProbe probe;
    /** The quorum queues' groups, on the same Raft server and port as the metadata group. */
    private final QuorumGroups quorumGroups;
    private final RaftQuorumLogs quorumLogs;
    private final ClusterMembers members;
    /** Requests to other nodes (their classic queues), over the same transport. */
    private final RaftNodeLink nodeLink;

    private MetadataCluster(ClusterSettings settings, RaftServer server, RaftClient client, MetadataStateMachine stateMachine,
                            ReplicatedDefinitionStore store, ClusterPeers peers, PeerProbe probe, QuorumGroups quorumGroups) {
        this.settings = settings;
        this.server = server;
        this.client = client;
        this.stateMachine = stateMachine;
        this.store = store;
        this.probe = probe;
        this.quorumGroups = quorumGroups;
        this.quorumLogs = new RaftQuorumLogs(peers, settings.node(), server, quorumGroups, this::currentMembers);
        this.members = new ClusterMembers(probe, server, client, quorumLogs, settings.node(), this::currentMembers);
        // each client knows the members of the moment, so nodes that joined since are reached too
        this.nodeLink = new RaftNodeLink(() -> RaftClient.newBuilder().setProperties(server.getProperties())
                .setParameters(parameters(settings))
                .setRaftGroup(RaftGroup.valueOf(GROUP_ID, peers.members().stream().map(MetadataCluster::raftPeer).toList()))
                .setClientId(ClientId.randomId())
                .setRetryPolicy(RetryPolicies.noRetry()).build());
        stateMachine.answerQueries(nodeLink::served);
        probe.onDown(node -> {
            quorumLogs.nodeDown(node);
            nodeLink.nodeDown(node);
        });
    }

    /**
     * Starts this node's member of the group and waits (up to five minutes) until it has caught up with the
     * cluster, which needs a majority of the nodes running.
     *
     * @param local this node's definitions files, which the state machine keeps as the committed state
     * @throws IOException when the listener cannot start or the cluster did not answer in time
     */
    public static MetadataCluster start(ClusterSettings settings, DefinitionsFile local) throws IOException, InterruptedException {
        RaftGroup configured = RaftGroup.valueOf(GROUP_ID, settings.peers().stream().map(MetadataCluster::raftPeer).toList());
        boolean fresh = !Files.exists(settings.dataDir().resolve("raft").resolve(GROUP_ID.getUuid().toString()));
        RaftGroup joining = groupToJoin(settings, configured, fresh);
        RaftProperties properties = properties(settings);
        Parameters parameters = parameters(settings);
        MetadataStateMachine stateMachine = new MetadataStateMachine(local);
        QuorumGroups quorumGroups = new QuorumGroups(properties, parameters);
        RaftServer server = RaftServer.newBuilder()
                .setServerId(RaftPeerId.valueOf(settings.node()))
                .setGroup(joining == null ? configured : null) // a joining node adds its member once it runs (join)
                .setProperties(properties)
                .setParameters(parameters)
                .setStateMachineRegistry(quorumGroups.registry(GROUP_ID, stateMachine))
                .setOption(RaftStorage.StartupOption.RECOVER)
                .build();
        RaftClient client = RaftClient.newBuilder()
                .setProperties(properties)
                .setParameters(parameters)
                .setRaftGroup(configured)
                .setClientId(ClientId.randomId())
                .setRetryPolicy(RetryPolicies.retryForeverWithSleep(TimeDuration.valueOf(200, TimeUnit.MILLISECONDS)))
                .build();
        ReplicatedDefinitionStore store = new ReplicatedDefinitionStore(settings.node(), settings.timeoutMillis(),
                entry -> submit(client, entry));
        stateMachine.attach(store);
        ClusterPeers peers = new ClusterPeers(settings.peers(), () -> {
            try {
                return List.copyOf(server.getDivision(GROUP_ID).getRaftConf().getCurrentPeers());
            } catch (IOException e) {
                return null; // not running (yet, or any more)
            }
        });
        PeerProbe probe = new PeerProbe(peers, settings.node());
        MetadataCluster cluster = new MetadataCluster(settings, server, client, stateMachine, store, peers, probe, quorumGroups);
        try {
            server.start();
            probe.start();
            if (joining != null) {
                cluster.join(joining);
            }
            LOG.info("Cluster: node '{}' listening on port {} for the metadata group of {}", settings.node(), settings.port(),
                    settings.peers());
            cluster.awaitCaughtUp();
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            LOG.error("Cluster: node '{}' could not take its part in the cluster: {}", settings.node(), e.toString());
            cluster.close();
            throw e;
        }
    }

    private static RaftPeer raftPeer(ClusterPeer peer) {
        return RaftPeer.newBuilder().setId(peer.name()).setAddress(peer.address()).build();
    }

    /**
     * Mutual TLS on the inter-node port when configured: the server, the clients and the admin calls present this
     * node's certificate and accept only peers whose certificates chain to the cluster's CA (gRPC checks the peer's
     * host against its certificate's names too). Empty parameters (plain gRPC) otherwise.
     */
    private static Parameters parameters(ClusterSettings settings) {
        ClusterSettings.InterNodeTls tls = settings.tls();
        if (tls == null) {
            return new Parameters();
        }
        return GrpcFactory.newRaftParameters(new GrpcTlsConfig(tls.keyFile().toFile(), tls.certFile().toFile(),
                tls.caFile().toFile(), true));
    }

    private static RaftProperties properties(ClusterSettings settings) throws IOException {
        RaftProperties properties = new RaftProperties();
        RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.GRPC);
        GrpcConfigKeys.Server.setPort(properties, settings.port());
        if (!settings.bindHost().isEmpty()) {
            GrpcConfigKeys.Server.setHost(properties, settings.bindHost());
        }
        java.nio.file.Path dir = settings.dataDir().resolve("raft");
        Files.createDirectories(dir);
        RaftServerConfigKeys.setStorageDir(properties, List.of(dir.toFile()));
        // elections slower than Ratis's defaults (150-300 ms), as a busy two-core machine pauses for longer, but not
        // much: a dead leader's publishers wait about this long plus an election (1-2 s made the longest wait for a
        // confirm 3.2 s in cluster-bench's failover, 0.5-1 s made it 2.2 s)
        RaftServerConfigKeys.Rpc.setTimeoutMin(properties, TimeDuration.valueOf(500, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(properties, TimeDuration.valueOf(1000, TimeUnit.MILLISECONDS));
        // a snapshot every few thousand entries, so the log is truncated and a restart replays little
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(properties, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(properties, 4096);
        // and the log up to a snapshot goes (in steps of 256 entries) once every member has it, so a drained quorum
        // queue's log does too. Not past what a member still needs (purge-up-to-snapshot): with that, Ratis's leader
        // failed sending entries it had just purged to a lagging follower instead of sending it the snapshot.
        RaftServerConfigKeys.Log.setPurgeGap(properties, 256);
        // and never the last 1024 entries: on a loaded machine a follower's replies come back out of order, the leader
        // steps its next index back a few entries, and it must still have them (else it installs a snapshot on a
        // follower that was only a moment behind, and Ratis 3.1.3's follower then broke on the entries after it)
        RaftServerConfigKeys.Log.setPurgePreservationLogNum(properties, 1024);
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(properties, 2);
        return properties;
    }

    private static CompletableFuture<Void> submit(RaftClient client, byte[] entry) {
        return client.async().send(Message.valueOf(ByteString.copyFrom(entry))).thenAccept(reply -> {
            if (!reply.isSuccess()) {
                throw new IllegalStateException(reply.getException() == null ? "refused" : reply.getException().getMessage());
            }
        });
    }

    /**
     * The metadata group's members as one of the other configured nodes reports them, when they do not count this
     * node: a new node (no Raft files yet) then joins them, as rabbitmqctl join_cluster does; one with files was
     * removed (forget_cluster_node) and refuses to start, as RabbitMQ's does, until its data is reset. Null when this
     * node is a member, or nobody answers (the cluster is forming): it starts as configured.
     */
    private static RaftGroup groupToJoin(ClusterSettings settings, RaftGroup configured, boolean fresh) throws IOException {
        RaftGroup current = null;
        try (RaftClient admin = adminClient(settings, configured)) {
            for (RaftPeer peer : configured.getPeers()) {
                if (peer.getId().toString().equals(settings.node())) {
                    continue;
                }
                try {
                    current = admin.getGroupManagementApi(peer.getId()).info(GROUP_ID).getGroup();
                    break;
                } catch (IOException | RuntimeException e) {
                    // down, or not started yet (gRPC says UNAVAILABLE unchecked): ask the next
                }
            }
        }
        if (current == null || current.getPeer(RaftPeerId.valueOf(settings.node())) != null) {
            return null;
        }
        if (!fresh) {
            throw new IOException("this node, '" + settings.node() + "', was removed from the cluster (forget_cluster_node; "
                    + "its members are " + current.getPeers() + "): empty its data directory to join as a new node");
        }
        return RaftGroup.valueOf(GROUP_ID, current.getPeers());
    }

    /** A client that tries each request once, for calls whose caller decides whether to ask again. */
    private static RaftClient adminClient(ClusterSettings settings, RaftGroup group) throws IOException {
        return adminClient(settings, group, RetryPolicies.noRetry());
    }

    private static RaftClient adminClient(ClusterSettings settings, RaftGroup group, RetryPolicy retry) throws IOException {
        return RaftClient.newBuilder().setProperties(properties(settings)).setParameters(parameters(settings))
                .setRaftGroup(group).setClientId(ClientId.randomId()).setRetryPolicy(retry).build();
    }

    /**
     * Starts this node's member of the metadata group with the members' configuration, which does not count it:
     * Ratis then waits for the leader's entries instead of holding elections (which would get it shut down as a
     * removed member), and asks the members to add it.
     */
    private void join(RaftGroup members) throws IOException {
        RaftClientReply added = server.groupManagement(GroupManagementRequest.newAdd(ClientId.randomId(), server.getId(),
                0, members));
        if (!added.isSuccess()) {
            throw new IOException("could not start this node's member of the metadata group: " + added.getException());
        }
        List<RaftPeer> grown = new java.util.ArrayList<>(members.getPeers());
        grown.add(raftPeer(settings.peers().stream().filter(p -> p.name().equals(settings.node())).findFirst().orElseThrow()));
        LOG.info("Cluster: joining the metadata group of {} as a new node", members.getPeers());
        // the leader takes a new member once it has caught up, which a loaded machine may not manage in one request's
        // time: ask again (the request is idempotent) until it is taken or the start timeout is near
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MILLIS);
        // a few tries per request, enough to follow a non-leader's redirect to the leader
        try (RaftClient admin = adminClient(settings, members,
                RetryPolicies.retryUpToMaximumCountWithFixedSleep(3, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))) {
            for (int attempt = 1; ; attempt++) {
                String refusal;
                try {
                    RaftClientReply reply = admin.admin().setConfiguration(grown);
                    if (reply.isSuccess()) {
                        return;
                    }
                    refusal = String.valueOf(reply.getException());
                } catch (IOException | RuntimeException e) {
                    refusal = e.toString();
                }
                if (!server.getDivision(GROUP_ID).getInfo().isAlive()) {
                    throw new IOException("this node's member of the metadata group stopped while joining: " + refusal);
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("the cluster did not take this node as a member: " + refusal);
                }
                LOG.warn("Cluster: joining, attempt {} not taken yet ({}); asking again", attempt, refusal);
                try {
                    Thread.sleep(JOIN_RETRY_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while joining the cluster", e);
                }
            }
        }
    }

    /** Between requests to be added to the metadata group (at start, on the main thread). */
    private static final long JOIN_RETRY_MILLIS = 2_000;

    private void awaitCaughtUp() throws IOException, InterruptedException {
        long start = System.nanoTime();
        LOG.info("Cluster: waiting for a majority of {} to catch up with the cluster's definitions", settings.peers());
        CompletableFuture<Void> barrier = store.barrier();
        while (true) {
            try {
                barrier.get(START_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
                break;
            } catch (ExecutionException e) {
                barrier = store.barrier(); // not committed within the change timeout: ask again until the start timeout
                if (System.nanoTime() - start > TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MILLIS)) {
                    throw new IOException("the cluster's metadata group did not answer within " + START_TIMEOUT_MILLIS
                            + " ms: a majority of " + settings.peers() + " must be running", e);
                }
            } catch (TimeoutException e) {
                throw new IOException("the cluster's metadata group did not answer within " + START_TIMEOUT_MILLIS
                        + " ms: a majority of " + settings.peers() + " must be running", e);
            }
        }
        LOG.info("Cluster: caught up with the metadata group in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    /** The metadata group's members now (its current configuration), or null when this node cannot tell. */
    java.util.Set<String> currentMembers() {
        try {
            return server.getDivision(GROUP_ID).getGroup().getPeers().stream().map(p -> p.getId().toString())
                    .collect(java.util.stream.Collectors.toSet());
        } catch (IOException e) {
            return null;
        }
    }

    /** The committed definitions, which the broker restores from; later entries wait for {@link #attach}. */
    public CommittedState committed() {
        synchronized (store) {
            store.dropEarly();
            return stateMachine.attach(store);
        }
    }

    /** The broker is restored: later and waiting entries of other nodes now change its model. */
    public void attach(Broker broker) {
        store.start(broker);
        broker.cluster(members);
        HomeQueueService homeQueues = new HomeQueueService(broker, nodeLink);
        nodeLink.serve(homeQueues);
        nodeLink.onNodeDown(homeQueues::nodeDown);
    }

    /** Requests to other nodes of the cluster. */
    public NodeLink nodeLink() {
        return nodeLink;
    }

    public ReplicatedDefinitionStore store() {
        return store;
    }

    public ClusterView view() {
        return members;
    }

    /** The quorum queues' Raft groups on this node. */
    public QuorumGroups quorumGroups() {
        return quorumGroups;
    }

    /** Quorum queues' replicated logs, as the broker's queues open them. */
    public QuorumLogs quorumLogs() {
        return quorumLogs;
    }

    @Override
    public void close() {
        nodeLink.close();
        members.close();
        probe.close();
        quorumLogs.close();
        quorumGroups.close();
        try {
            client.close();
        } catch (IOException e) {
            LOG.warn("Cluster: closing the metadata client: {}", e.getMessage());
        }
        try {
            server.close();
        } catch (IOException e) {
            LOG.warn("Cluster: closing the metadata group member: {}", e.getMessage());
        }
        store.close();
    }
}
