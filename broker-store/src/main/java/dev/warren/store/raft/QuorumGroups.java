package dev.warren.store.raft;

import dev.warren.core.quorum.QuorumApplied;
import dev.warren.core.quorum.QuorumCommand;
import dev.warren.core.quorum.QuorumCommandCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.statemachine.StateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;

/**
 * The quorum queues' Raft groups on this node (Ratis multi-Raft: one group per queue, all on the node's one Raft
 * server and inter-node port). {@link #registry} gives Ratis a {@link QuorumStateMachine} for every quorum group
 * it starts — created here, or found on disk at a restart — and {@link #create} makes a new group on its members.
 * {@link #submit} appends a command to a group's log through its leader (the Ratis client finds it and follows
 * leader changes) and completes with the command's log index once it is committed and applied by the leader.
 *
 * <p>A group's id derives from the queue's virtual host and name, so every node names the same queue's group the
 * same way without asking. Thread-safe.
 */
public final class QuorumGroups implements AutoCloseable {
    private static final String GROUP_PREFIX = "warren-quorum-queue:";
    private final RaftProperties properties;
    private final Map<RaftGroupId, QuorumStateMachine> replicas = new ConcurrentHashMap<>();
    private final Map<RaftGroupId, RaftClient> clients = new ConcurrentHashMap<>();

    public QuorumGroups(RaftProperties properties) {
        this.properties = properties;
    }

    /** The group id of a quorum queue: the same on every node. */
    public static RaftGroupId groupId(String vhost, String queue) {
        byte[] name = (GROUP_PREFIX + vhost.length() + ":" + vhost + queue).getBytes(StandardCharsets.UTF_8);
        return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(name));
    }

    /**
     * What Ratis asks for the state machine of each group it starts on this node: {@code metadata} for the
     * metadata group, a quorum queue replica for any other.
     */
    public StateMachine.Registry registry(RaftGroupId metadataGroup, StateMachine metadata) {
        return id -> id.equals(metadataGroup) ? metadata : replica(id);
    }

    private QuorumStateMachine replica(RaftGroupId id) {
        return replicas.computeIfAbsent(id, ignored -> new QuorumStateMachine());
    }

    /**
     * Makes the group on each of its members (each member's server starts its replica) and configures it. Completes
     * once the configuration is committed.
     */
    public CompletableFuture<Long> create(RaftGroup group, QuorumCommand.Configure settings) throws IOException {
        try (RaftClient admin = newClient(group, RetryPolicies.retryUpToMaximumCountWithFixedSleep(5,
                TimeDuration.valueOf(500, TimeUnit.MILLISECONDS)))) {
            for (RaftPeer peer : group.getPeers()) {
                RaftClientReply reply = admin.getGroupManagementApi(peer.getId()).add(group);
                if (!reply.isSuccess()) {
                    throw new IOException("member " + peer.getId() + " refused group " + group.getGroupId() + ": "
                            + reply.getException());
                }
            }
        }
        clients.computeIfAbsent(group.getGroupId(), id -> newClient(group, defaultRetry()));
        return submit(group.getGroupId(), settings);
    }

    /** Knows a group that exists (made by another node, or found at a restart), so commands can be submitted to it. */
    public void known(RaftGroup group) {
        clients.computeIfAbsent(group.getGroupId(), id -> newClient(group, defaultRetry()));
    }

    /** Appends a command to the group's log; completes with its index once committed and applied by the leader. */
    public CompletableFuture<Long> submit(RaftGroupId group, QuorumCommand command) {
        RaftClient client = clients.get(group);
        if (client == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("no quorum queue group " + group + " known here"));
        }
        Message message = Message.valueOf(ByteString.copyFrom(QuorumCommandCodec.encode(command)));
        return client.async().send(message).thenApply(reply -> {
            if (!reply.isSuccess()) {
                throw new IllegalStateException("quorum queue group " + group + " refused a command: " + reply.getException());
            }
            return QuorumStateMachine.indexOf(reply.getMessage());
        });
    }

    /** This node's replica of the group hands what it applies to {@code applied} (it gets the state first). */
    public void attach(RaftGroupId group, QuorumApplied applied) {
        replica(group).attach(applied);
    }

    /** This node's replica of the group, when it has one. */
    QuorumStateMachine replicaOf(RaftGroupId group) {
        return replicas.get(group);
    }

    private RaftClient newClient(RaftGroup group, org.apache.ratis.retry.RetryPolicy retry) {
        return RaftClient.newBuilder().setProperties(properties).setRaftGroup(group).setClientId(ClientId.randomId())
                .setRetryPolicy(retry).build();
    }

    private static org.apache.ratis.retry.RetryPolicy defaultRetry() {
        // a leader change takes an election (1-2 s here): keep trying for longer than a few of those
        return RetryPolicies.retryUpToMaximumCountWithFixedSleep(150, TimeDuration.valueOf(200, TimeUnit.MILLISECONDS));
    }

    @Override
    public void close() {
        for (RaftClient client : clients.values()) {
            try {
                client.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        clients.clear();
    }
}
