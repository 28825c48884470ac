package dev.warren.core.quorum;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One quorum queue's replicated log as this node reaches it: commands go to the group's leader, wherever it is, and
 * this node's replica (when it is a member) hands what it applies to the queue's {@link QuorumApplied}.
 */
public interface QuorumLog {
    /** Appends a command; completes with its position (and answer) once a majority has it and the leader applied it. */
    CompletableFuture<QuorumReply> submit(QuorumCommand command);

    /** Appends the commands as one entry; completes with their replies, in order. */
    CompletableFuture<List<QuorumReply>> submitAll(List<QuorumCommand> commands);

    /**
     * Completes once the log can take this node's consumers: the group exists, and commands of an earlier run of
     * this node (its consumers, what they held) are cleared.
     */
    CompletableFuture<Void> ready();

    /** The node leading the group now, or null while it elects one or this node cannot tell. */
    String leader();

    /** The group's members now, in the order the cluster's nodes are configured. */
    List<String> members();

    /** Adds {@code node} as a member (RabbitMQ's add_member): it starts a replica, which catches up from the others. */
    CompletableFuture<Void> addMember(String node);

    /** Removes member {@code node} (RabbitMQ's delete_member): its replica, log and snapshots go. */
    CompletableFuture<Void> removeMember(String node);

    /** The queue was deleted: the group goes on every member, its log and snapshots with it. */
    CompletableFuture<Void> delete();

    /** This node stops handing the replica's work to the queue (the broker stops; the group stays). */
    void close();
}
