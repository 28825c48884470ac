package dev.warren.store.raft;

import dev.warren.core.quorum.QuorumApplied;
import dev.warren.core.quorum.QuorumCommand;
import dev.warren.core.quorum.QuorumCommandCodec;
import dev.warren.core.quorum.QuorumReply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.AlreadyExistsException;
import org.apache.ratis.protocol.exceptions.GroupMismatchException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.statemachine.StateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The quorum queues' Raft groups on this node (Ratis multi-Raft: one group per queue, all on the node's one Raft
 * server and inter-node port). {@link #registry} gives Ratis a {@link QuorumStateMachine} for every quorum group
 * it starts — created here, or found on disk at a restart — and {@link #create} makes a new group on its members.
 * {@link #submit} appends a command to a group's log through its leader (the Ratis client finds it and follows
 * leader changes) and completes with the command's {@link QuorumReply} once it is committed and applied by the leader.
 *
 * <p>A group's id derives from the queue's virtual host and name, so every node names the same queue's group the
 * same way without asking. Thread-safe.
 */
public final class QuorumGroups implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QuorumGroups.class);
    private static final String GROUP_PREFIX = "warren-quorum-queue:";
    private final RaftProperties properties;
    private final Parameters parameters;
    private final Map<RaftGroupId, QuorumStateMachine> replicas = new ConcurrentHashMap<>();
    private final Map<RaftGroupId, RaftClient> clients = new ConcurrentHashMap<>();
    /** The groups this node submits to, to make their clients again. */
    private final Map<RaftGroupId, RaftGroup> groups = new ConcurrentHashMap<>();
    /** How often a command is sent again through a new client, {@link #RENEW_DELAY_MILLIS} apart (a minute). */
    private static final int CLIENT_RENEWALS = 300;
    private static final long RENEW_DELAY_MILLIS = 200;

    /** Without TLS between the nodes. */
    public QuorumGroups(RaftProperties properties) {
        this(properties, new Parameters());
    }

    /** @param parameters the inter-node TLS settings the Raft clients use (empty for plain gRPC) */
    public QuorumGroups(RaftProperties properties, Parameters parameters) {
        this.properties = properties;
        this.parameters = parameters;
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
     * once the configuration is committed. A member that has the group already (it joined in first) is fine; one
     * that does not answer joins when it starts again, as long as a majority has the group now.
     */
    public CompletableFuture<QuorumReply> create(RaftGroup group, QuorumCommand.Configure settings) throws IOException {
        List<String> missing = new java.util.ArrayList<>();
        IOException lastFailure = null;
        try (RaftClient admin = newClient(group, RetryPolicies.retryUpToMaximumCountWithFixedSleep(3,
                TimeDuration.valueOf(500, TimeUnit.MILLISECONDS)))) {
            for (RaftPeer peer : group.getPeers()) {
                try {
                    add(admin, group, peer.getId());
                } catch (IOException e) {
                    missing.add(peer.getId().toString());
                    lastFailure = e;
                }
            }
        }
        int members = group.getPeers().size();
        if (members - missing.size() <= members / 2) {
            throw new IOException("only " + (members - missing.size()) + " of the members " + group.getPeers()
                    + " could start the group: a majority must", lastFailure);
        }
        if (!missing.isEmpty()) {
            LOG.warn("Quorum queue group {}: members {} did not answer; they join when they start", group.getGroupId(),
                    missing);
        }
        known(group);
        return submit(group.getGroupId(), settings);
    }

    /**
     * Brings this node's part in the group in line with the group's configuration as another member reports it:
     * starts the group here when this node is a member and lacks it (it was down when the group was made or it was
     * added); removes it when this node is no longer a member (it was removed while down). Returns the group as
     * it is now (its members), or {@code group} itself when no other member answered.
     */
    public RaftGroup reconcile(RaftServer server, RaftGroup group) throws IOException {
        RaftGroup current = currentGroup(server, group);
        boolean member = current.getPeer(server.getId()) != null;
        boolean here = false;
        for (RaftGroupId id : server.getGroupIds()) {
            here |= id.equals(group.getGroupId());
        }
        try (RaftClient admin = newClient(current, RetryPolicies.retryUpToMaximumCountWithFixedSleep(5,
                TimeDuration.valueOf(500, TimeUnit.MILLISECONDS)))) {
            if (member && !here) {
                add(admin, current, server.getId());
            } else if (!member && here) {
                LOG.warn("Quorum queue group {}: this node was removed from it while down; its replica goes",
                        group.getGroupId());
                admin.getGroupManagementApi(server.getId()).remove(group.getGroupId(), true, false);
                replicas.remove(group.getGroupId());
            }
        }
        return current;
    }

    /** The group as a member other than this node reports it (its current configuration), else as given. */
    private RaftGroup currentGroup(RaftServer server, RaftGroup group) {
        try (RaftClient admin = newClient(group, RetryPolicies.noRetry())) {
            for (RaftPeer peer : group.getPeers()) {
                if (peer.getId().equals(server.getId())) {
                    continue;
                }
                try {
                    RaftGroup reported = admin.getGroupManagementApi(peer.getId()).info(group.getGroupId()).getGroup();
                    if (reported != null && !reported.getPeers().isEmpty()) {
                        return reported;
                    }
                } catch (IOException | RuntimeException e) {
                    // that member is down (gRPC says UNAVAILABLE unchecked) or lacks the group: ask the next
                }
            }
        } catch (IOException e) {
            LOG.debug("Quorum queue group {}: closing an admin client: {}", group.getGroupId(), e.getMessage());
        }
        return group;
    }

    /**
     * Changes the group's members to {@code next}: a new member starts the group first (with the new
     * configuration), then the leader commits the configuration; a removed member's replica goes afterwards.
     */
    public void changeMembers(RaftGroup current, List<RaftPeer> next) throws IOException {
        RaftGroup changed = RaftGroup.valueOf(current.getGroupId(), next);
        try (RaftClient admin = newClient(changed, RetryPolicies.retryUpToMaximumCountWithFixedSleep(5,
                TimeDuration.valueOf(500, TimeUnit.MILLISECONDS)))) {
            for (RaftPeer peer : next) {
                if (current.getPeer(peer.getId()) == null) {
                    add(admin, changed, peer.getId());
                }
            }
            RaftClientReply reply = admin.admin().setConfiguration(next);
            if (!reply.isSuccess()) {
                throw new IOException("the group's leader refused the members " + next + ": " + reply.getException());
            }
        }
        try (RaftClient before = newClient(current, RetryPolicies.retryUpToMaximumCountWithFixedSleep(2,
                TimeDuration.valueOf(500, TimeUnit.MILLISECONDS)))) { // it knows the removed members' addresses
            for (RaftPeer peer : current.getPeers()) {
                if (changed.getPeer(peer.getId()) == null) {
                    try {
                        before.getGroupManagementApi(peer.getId()).remove(current.getGroupId(), true, false);
                    } catch (IOException | RuntimeException e) {
                        LOG.warn("Quorum queue group {}: removed member {} did not drop its replica now ({}); it does"
                                + " when it next starts", current.getGroupId(), peer.getId(), e.toString());
                    }
                }
            }
        }
        groups.put(changed.getGroupId(), changed);
        RaftClient old = clients.put(changed.getGroupId(), newClient(changed, defaultRetry()));
        if (old != null) {
            old.close();
        }
    }

    private static void add(RaftClient admin, RaftGroup group, RaftPeerId member) throws IOException {
        RaftClientReply reply;
        try {
            reply = admin.getGroupManagementApi(member).add(group);
        } catch (IOException e) {
            if (alreadyExists(e)) {
                return;
            }
            throw e;
        }
        if (!reply.isSuccess() && !alreadyExists(reply.getException())) {
            throw new IOException("member " + member + " refused group " + group.getGroupId() + ": " + reply.getException());
        }
    }

    /** A member refused a group it has: it joined in first (Ratis says so only in the message, or in the cause). */
    private static boolean alreadyExists(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AlreadyExistsException || String.valueOf(t.getMessage()).contains("already exists")) {
                return true;
            }
        }
        return false;
    }

    /** Removes the group from each member that answers, its log and snapshots with it (the queue was deleted). */
    public void delete(RaftGroup group) {
        detach(group.getGroupId());
        try (RaftClient admin = newClient(group, RetryPolicies.retryUpToMaximumCountWithFixedSleep(2,
                TimeDuration.valueOf(500, TimeUnit.MILLISECONDS)))) {
            for (RaftPeer peer : group.getPeers()) {
                try {
                    admin.getGroupManagementApi(peer.getId()).remove(group.getGroupId(), true, false);
                } catch (IOException e) {
                    LOG.warn("Quorum queue group {}: member {} did not remove it: {}", group.getGroupId(), peer.getId(),
                            e.getMessage());
                }
            }
        } catch (IOException e) {
            LOG.warn("Quorum queue group {}: closing its admin client: {}", group.getGroupId(), e.getMessage());
        }
        replicas.remove(group.getGroupId());
    }

    /** This node stops submitting to the group and hearing from its replica. */
    public void detach(RaftGroupId group) {
        QuorumStateMachine replica = replicas.get(group);
        if (replica != null) {
            replica.attach(QuorumApplied.NONE);
        }
        groups.remove(group);
        RaftClient client = clients.remove(group);
        if (client != null) {
            try {
                client.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** Knows a group that exists (made by another node, or found at a restart), so commands can be submitted to it. */
    public void known(RaftGroup group) {
        groups.put(group.getGroupId(), group);
        clients.computeIfAbsent(group.getGroupId(), id -> newClient(group, defaultRetry()));
    }

    /** Appends a command to the group's log; completes with its index (and answer) once committed and applied by the leader. */
    public CompletableFuture<QuorumReply> submit(RaftGroupId group, QuorumCommand command) {
        Message message = Message.valueOf(ByteString.copyFrom(QuorumCommandCodec.encode(command)));
        return send(group, message, CLIENT_RENEWALS).thenApply(replies -> replies.get(0));
    }

    /** Appends commands as one entry (a batch, or the command itself when it is one); their replies in order. */
    public CompletableFuture<List<QuorumReply>> submitAll(RaftGroupId group, List<QuorumCommand> commands) {
        QuorumCommand entry = commands.size() == 1 ? commands.get(0) : new QuorumCommand.Batch(commands);
        return send(group, Message.valueOf(ByteString.copyFrom(QuorumCommandCodec.encode(entry))), CLIENT_RENEWALS);
    }

    /**
     * Sends through the group's client; a client that gave up is replaced and the command sent again. Ratis's client
     * closes itself for good when a member answers that it does not have the group (yet: the node that declared the
     * queue is still making it on the members), and a command it failed that way was not applied.
     */
    private CompletableFuture<List<QuorumReply>> send(RaftGroupId group, Message message, int renewals) {
        RaftClient client = clients.get(group);
        if (client == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("no quorum queue group " + group + " known here"));
        }
        return client.async().send(message).handle((reply, failure) -> {
            if (failure == null) {
                if (!reply.isSuccess()) {
                    throw new IllegalStateException("quorum queue group " + group + " refused a command: " + reply.getException());
                }
                return CompletableFuture.completedFuture(QuorumStateMachine.repliesOf(reply.getMessage()));
            }
            if (renewals == 0 || !clientGaveUp(failure)) {
                return CompletableFuture.<List<QuorumReply>>failedFuture(failure);
            }
            renew(group, client);
            return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(RENEW_DELAY_MILLIS,
                    TimeUnit.MILLISECONDS)).thenCompose(ignored -> send(group, message, renewals - 1));
        }).thenCompose(next -> next);
    }

    private static boolean clientGaveUp(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof AlreadyClosedException || t instanceof GroupMismatchException) {
                return true;
            }
        }
        return false;
    }

    private void renew(RaftGroupId id, RaftClient broken) {
        RaftGroup group = groups.get(id);
        if (group != null && clients.replace(id, broken, newClient(group, defaultRetry()))) {
            try {
                broken.close();
            } catch (IOException ignored) {
                // replaced anyway
            }
        }
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
        return RaftClient.newBuilder().setProperties(properties).setParameters(parameters).setRaftGroup(group)
                .setClientId(ClientId.randomId())
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
