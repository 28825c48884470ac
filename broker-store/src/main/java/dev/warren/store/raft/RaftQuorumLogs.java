package dev.warren.store.raft;

import dev.warren.core.quorum.QuorumApplied;
import dev.warren.core.quorum.QuorumCommand;
import dev.warren.core.quorum.QuorumLog;
import dev.warren.core.quorum.QuorumLogs;
import dev.warren.core.quorum.QuorumReply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Quorum queues' logs on this node's Raft server: one {@link QuorumGroups} group per queue, its members chosen from
 * the configured nodes. Making or joining a group calls other nodes (Ratis group management), so it runs on one
 * admin thread here, never on a channel's event loop; {@link QuorumLog#ready()} says when it is done.
 */
final class RaftQuorumLogs implements QuorumLogs, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RaftQuorumLogs.class);
    private final ClusterPeers peers;
    private static final long JOIN_RETRY_SECONDS = 5;
    private final String node;
    private final RaftServer server;
    private final QuorumGroups groups;
    /** The logs this node opened, for telling them of a node that went down. */
    private final Map<RaftGroupId, RaftQuorumLog> open = new ConcurrentHashMap<>();
    private final ExecutorService admin = daemonThread("warren-quorum-admin");
    /**
     * Where commands are handed to the Raft client: never a channel's event loop, as the client may wait (for its
     * window of outstanding requests, or a connection); one thread, so each queue's entries leave in order.
     */
    private final ExecutorService sender = daemonThread("warren-quorum-send");

    private static ExecutorService daemonThread(String name) {
        return Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, name);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The metadata group's members now (null when unknown): the nodes a new queue's members are chosen from. */
    private final java.util.function.Supplier<java.util.Set<String>> clusterMembers;

    RaftQuorumLogs(ClusterPeers peers, String node, RaftServer server, QuorumGroups groups,
                   java.util.function.Supplier<java.util.Set<String>> clusterMembers) {
        this.clusterMembers = clusterMembers;
        this.peers = peers;
        this.node = node;
        this.server = server;
        this.groups = groups;
    }

    @Override
    public boolean available() {
        return true;
    }

    @Override
    public List<String> membersFor(String home, int size) {
        // the cluster's members now: a forgotten node is no candidate
        java.util.Set<String> current = clusterMembers.get();
        List<ClusterPeer> candidates = peers.members().stream().filter(p -> current == null || current.contains(p.name())).toList();
        int start = 0;
        for (int i = 0; i < candidates.size(); i++) {
            if (candidates.get(i).name().equals(home)) {
                start = i;
            }
        }
        List<String> members = new ArrayList<>();
        for (int i = 0; i < Math.min(size, candidates.size()); i++) {
            members.add(candidates.get((start + i) % candidates.size()).name());
        }
        return members;
    }

    @Override
    public QuorumLog open(String vhost, String queue, List<String> members, QuorumCommand.Configure settings,
                          boolean create, QuorumApplied applied) {
        RaftGroup group = RaftGroup.valueOf(QuorumGroups.groupId(vhost, queue), members.stream().map(this::peer).toList());
        // attached whether or not this node is a member now: it may become one (add_member), and its replica then
        // starts with this listener
        groups.attach(group.getGroupId(), applied);
        CompletableFuture<Void> ready;
        if (create) {
            ready = CompletableFuture.supplyAsync(() -> {
                try {
                    return groups.create(group, settings);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, admin).thenCompose(configured -> configured).thenApply(reply -> null);
        } else {
            // a member that was down when the group was made (or added) starts it now, one removed meanwhile drops
            // it; then whatever this node's channels of an earlier run held goes back, before its channels subscribe
            ready = new CompletableFuture<>();
            join(group, ready, 1);
        }
        ready.whenComplete((ok, failure) -> {
            if (failure != null) {
                LOG.warn("Quorum queue '{}' in vhost '{}': its group on {} is not ready: {}", queue, vhost, members,
                        failure.toString());
            }
        });
        RaftQuorumLog log = new RaftQuorumLog(group, members, ready);
        open.put(group.getGroupId(), log);
        return log;
    }

    /** A forgotten node stops being a member of every quorum queue this node has opened. */
    void forget(String node) {
        for (RaftQuorumLog log : open.values()) {
            if (log.members().contains(node)) {
                try {
                    log.removeMember(node).join();
                } catch (RuntimeException e) {
                    LOG.warn("Quorum queue group {}: could not remove forgotten node '{}': {}", log.group.getGroupId(),
                            node, e.toString());
                }
            }
        }
    }

    /**
     * A node stopped: every quorum queue it is a member of and this node too drops its channels' consumers and takes
     * back what they held (RabbitMQ returns them when the node's processes go down). Each member that saw it says so;
     * the second NodeDown finds nothing left to do. Its clients reconnect to another node and subscribe anew.
     */
    void nodeDown(String node) {
        for (RaftQuorumLog log : open.values()) {
            if (log.members.contains(this.node)) {
                log.submit(new QuorumCommand.NodeDown(node)).whenComplete((reply, failure) -> {
                    if (failure != null) {
                        LOG.warn("Quorum queue group {}: the departure of '{}' was not committed: {}",
                                log.group.getGroupId(), node, failure.toString());
                    }
                });
            }
        }
    }

    /**
     * Joins an existing group: starts it here when this member lacks it, then clears what this node's earlier run
     * held. Tried again every {@link #JOIN_RETRY_SECONDS} s until it works (the group may have no majority yet, as
     * when the cluster restarts), so the queue comes back on this node by itself.
     */
    private void join(RaftGroup group, CompletableFuture<Void> joined, int attempt) {
        if (admin.isShutdown()) {
            joined.completeExceptionally(new IllegalStateException("the node is stopping"));
            return;
        }
        CompletableFuture.runAsync(() -> {
            try {
                groups.known(groups.reconcile(server, group));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, admin).thenCompose(ignored -> groups.submit(group.getGroupId(), new QuorumCommand.NodeDown(node)))
                .whenComplete((reply, failure) -> {
                    if (failure == null) {
                        joined.complete(null);
                    } else if (admin.isShutdown()) {
                        joined.completeExceptionally(failure);
                    } else {
                        if (attempt == 1) {
                            LOG.warn("Quorum queue group {}: cannot join yet ({}); trying again every {} s",
                                    group.getGroupId(), failure.toString(), JOIN_RETRY_SECONDS);
                        }
                        CompletableFuture.delayedExecutor(JOIN_RETRY_SECONDS, java.util.concurrent.TimeUnit.SECONDS)
                                .execute(() -> join(group, joined, attempt + 1));
                    }
                });
    }

    /** Node names in the order the configuration lists the cluster's nodes. */
    private List<String> inConfiguredOrder(List<String> names) {
        List<String> ordered = new ArrayList<>();
        for (ClusterPeer peer : peers.members()) {
            if (names.contains(peer.name())) {
                ordered.add(peer.name());
            }
        }
        return ordered;
    }

    private RaftPeer peer(String name) {
        ClusterPeer peer = peers.find(name)
                .orElseThrow(() -> new IllegalArgumentException("no cluster node '" + name + "'"));
        return RaftPeer.newBuilder().setId(peer.name()).setAddress(peer.address()).build();
    }

    @Override
    public void close() {
        admin.shutdownNow();
        sender.shutdownNow();
    }

    private final class RaftQuorumLog implements QuorumLog {
        private final RaftGroup group;
        private final List<String> members;
        private final CompletableFuture<Void> ready;
        /** The last entry's hand-over to the Raft client (guarded by this). */
        private CompletableFuture<Void> lastHandedOver;

        RaftQuorumLog(RaftGroup group, List<String> members, CompletableFuture<Void> ready) {
            this.group = group;
            this.members = List.copyOf(members);
            this.ready = ready;
            this.lastHandedOver = ready;
        }

        @Override
        public CompletableFuture<QuorumReply> submit(QuorumCommand command) {
            return submitAll(List.of(command)).thenApply(replies -> replies.get(0));
        }

        @Override
        public synchronized CompletableFuture<List<QuorumReply>> submitAll(List<QuorumCommand> commands) {
            // each entry is handed to the Raft client after the one before it, on the sender thread, once the group
            // is ready: the client then keeps them in order
            CompletableFuture<List<QuorumReply>> replies = new CompletableFuture<>();
            CompletableFuture<Void> handedOver = new CompletableFuture<>();
            lastHandedOver.whenCompleteAsync((ignored, notReady) -> {
                if (ready.isCompletedExceptionally()) {
                    ready.whenComplete((ok, failure) -> replies.completeExceptionally(failure));
                } else {
                    groups.submitAll(group.getGroupId(), commands).whenComplete((done, failure) -> {
                        if (failure != null) {
                            replies.completeExceptionally(failure);
                        } else {
                            replies.complete(done);
                        }
                    });
                }
                handedOver.complete(null);
            }, sender);
            lastHandedOver = handedOver;
            return replies;
        }

        @Override
        public CompletableFuture<Void> ready() {
            return ready;
        }

        @Override
        public String leader() {
            RaftGroupId id = group.getGroupId();
            try {
                RaftPeerId leader = server.getDivision(id).getInfo().getLeaderId();
                return leader == null ? null : leader.toString();
            } catch (IOException e) {
                return null; // not a member here, or the group is not started
            }
        }

        @Override
        public List<String> members() {
            try {
                List<String> now = server.getDivision(group.getGroupId()).getGroup().getPeers().stream()
                        .map(p -> p.getId().toString()).toList();
                return inConfiguredOrder(now);
            } catch (IOException e) {
                return members; // no replica here: as chosen when the queue was declared
            }
        }

        @Override
        public CompletableFuture<Void> addMember(String member) {
            return changeMembers(member, true);
        }

        @Override
        public CompletableFuture<Void> removeMember(String member) {
            return changeMembers(member, false);
        }

        private CompletableFuture<Void> changeMembers(String member, boolean add) {
            return ready.thenRunAsync(() -> {
                List<String> now = members();
                if (now.contains(member) == add) {
                    return; // already so
                }
                if (!add && now.size() == 1) {
                    throw new IllegalArgumentException("cannot remove the last member " + member);
                }
                List<String> next = new ArrayList<>(now);
                if (add) {
                    next.add(member);
                } else {
                    next.remove(member);
                }
                try {
                    groups.changeMembers(RaftGroup.valueOf(group.getGroupId(), now.stream().map(RaftQuorumLogs.this::peer).toList()),
                            next.stream().map(RaftQuorumLogs.this::peer).toList());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                LOG.info("Quorum queue group {}: members now {}", group.getGroupId(), next);
            }, admin);
        }

        @Override
        public CompletableFuture<Void> delete() {
            return CompletableFuture.runAsync(() -> groups.delete(group), admin);
        }

        @Override
        public void close() {
            open.remove(group.getGroupId(), this);
            groups.detach(group.getGroupId());
        }
    }
}
