package dev.warren.core.quorum;

import java.util.List;

/**
 * Where quorum queues get their replicated logs: the cluster's Raft groups, one per queue. Outside a cluster there
 * are none ({@link #NONE}) and a quorum queue is declared as a classic one, as before clustering existed.
 */
public interface QuorumLogs {
    QuorumLogs NONE = new QuorumLogs() {
        @Override
        public boolean available() {
            return false;
        }

        @Override
        public QuorumLog open(String vhost, String queue, List<String> members, QuorumCommand.Configure settings,
                              boolean create, QuorumApplied applied) {
            throw new IllegalStateException("quorum queues need a cluster");
        }

        @Override
        public List<String> membersFor(String home, int size) {
            return List.of();
        }
    };

    /** Whether this node is in a cluster, whose Raft server can host quorum queues' groups. */
    boolean available();

    /**
     * Opens a queue's log. With {@code create} the group is made on its members and configured first (a new
     * queue); else it exists, or is being made by the node that declared the queue, and this node joins in.
     */
    QuorumLog open(String vhost, String queue, List<String> members, QuorumCommand.Configure settings, boolean create,
                   QuorumApplied applied);

    /**
     * The members of a new queue's group: {@code size} of the cluster's nodes (all when fewer), starting with the
     * declaring node {@code home} and going round the configured order, so every node computes the same list.
     */
    List<String> membersFor(String home, int size);
}
