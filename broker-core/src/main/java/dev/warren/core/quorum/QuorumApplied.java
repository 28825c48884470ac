package dev.warren.core.quorum;

import java.util.List;

/**
 * Where a replica of a quorum queue hands what it applied: each committed command with the effects it had, in log
 * order, on the group's one applier thread; and the whole state when a snapshot replaced it (at start, or when the
 * leader sent one because this replica was too far behind). The queue on this node acts on the effects: it sends
 * deliveries to its own consumers and, on the leader, dead-letters.
 */
public interface QuorumApplied {
    QuorumApplied NONE = new QuorumApplied() {
        @Override
        public void applied(long index, QuorumCommand command, List<QuorumEffect> effects) {
        }

        @Override
        public void restored(QuorumQueueState state) {
        }
    };

    void applied(long index, QuorumCommand command, List<QuorumEffect> effects);

    void restored(QuorumQueueState state);

    /** The queue's counts after each command or restore, for declare-ok and management (applier thread). */
    default void counted(long ready, long checkedOut, int consumers) {
    }

    /**
     * When the next ready message is due to expire ({@link QuorumQueueState#nextExpiry}), after each command or
     * restore: the leader submits a {@link QuorumCommand.Tick} then (applier thread).
     */
    default void expiresNext(long at) {
    }
}
