package dev.warren.store.raft;

import dev.warren.core.quorum.QuorumApplied;
import dev.warren.core.quorum.QuorumCommand;
import dev.warren.core.quorum.QuorumCommandCodec;
import dev.warren.core.quorum.QuorumEffect;
import dev.warren.core.quorum.QuorumQueueState;
import dev.warren.core.quorum.QuorumReply;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica of a quorum queue: the Raft group's state machine on this node. Ratis applies each committed entry
 * here in log order, on the group's applier thread; the entry is a {@link QuorumCommand}, applied to the queue's
 * {@link QuorumQueueState}, and the command with its effects goes to the {@link QuorumApplied} this node's queue
 * set; a {@link QuorumCommand.Batch} is applied command by command, each at its own position. The reply to the client
 * that submitted the entry is a {@link QuorumReply} per command: its position, and the answer to a basic.get or a
 * purge. A snapshot is the state's own
 * snapshot in one file, so Ratis can purge the log up to it: a drained queue keeps no old entries on disk.
 */
final class QuorumStateMachine extends SnapshottingStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(QuorumStateMachine.class);

    // guarded by this
    private QuorumQueueState state = new QuorumQueueState(); // configured by the group's first entry
    private QuorumApplied listener = QuorumApplied.NONE;

    @Override
    protected void loadSnapshot(SingleFileSnapshotInfo snapshot) throws IOException {
        if (snapshot == null) {
            return;
        }
        QuorumQueueState loaded;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(snapshot.getFile().getPath()))) {
            loaded = QuorumQueueState.readSnapshot(new DataInputStream(in));
        }
        QuorumApplied notify;
        synchronized (this) {
            state = loaded;
            notify = listener;
        }
        setLastAppliedTermIndex(snapshot.getTermIndex());
        notify.restored(loaded);
        notify.counted(loaded.readyCount(), loaded.checkedOutCount(), loaded.consumerCount());
        notify.expiresNext(loaded.nextExpiry());
        LOG.debug("Quorum queue group {}: snapshot {} loaded", getGroupId(), snapshot.getTermIndex());
    }

    /** From now on, applied commands go to {@code applied}; it gets the state as it is now first. */
    void attach(QuorumApplied applied) {
        QuorumQueueState now;
        long ready;
        long checkedOut;
        int consumers;
        long nextExpiry;
        synchronized (this) {
            listener = applied;
            now = state;
            ready = state.readyCount();
            checkedOut = state.checkedOutCount();
            consumers = state.consumerCount();
            nextExpiry = state.nextExpiry();
        }
        applied.restored(now);
        applied.counted(ready, checkedOut, consumers);
        applied.expiresNext(nextExpiry);
    }

    /**
     * This replica became the leader: it is now the one to commit the time when the next ready message expires, which
     * its listener otherwise hears only after the next command it applies (a queue left alone would keep its
     * expired messages until then).
     */
    @Override
    public void notifyLeaderChanged(RaftGroupMemberId self, RaftPeerId newLeader) {
        if (!self.getPeerId().equals(newLeader)) {
            return;
        }
        QuorumApplied notify;
        long nextExpiry;
        synchronized (this) {
            notify = listener;
            nextExpiry = state.nextExpiry();
        }
        notify.expiresNext(nextExpiry);
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        long index = entry.getIndex();
        QuorumCommand command;
        try {
            command = QuorumCommandCodec.decode(entry.getStateMachineLogEntry().getLogData().toByteArray());
        } catch (IOException e) {
            // every replica skips the same entry the same way, so the states stay equal
            LOG.error("Quorum queue group {}: skipping log entry {} that cannot be read: {}", getGroupId(), index,
                    e.getMessage());
            updateLastAppliedTermIndex(entry.getTerm(), index);
            return CompletableFuture.completedFuture(indexReply(index));
        }
        List<QuorumCommand> commands = command instanceof QuorumCommand.Batch b ? b.commands() : List.of(command);
        List<List<QuorumEffect>> effects = new ArrayList<>(commands.size());
        QuorumApplied notify;
        long ready;
        long checkedOut;
        int consumers;
        long nextExpiry;
        synchronized (this) {
            for (int i = 0; i < commands.size(); i++) {
                List<QuorumEffect> these = new ArrayList<>();
                state.apply(QuorumQueueState.position(index, i), commands.get(i), these::add);
                effects.add(these);
            }
            notify = listener;
            ready = state.readyCount();
            checkedOut = state.checkedOutCount();
            consumers = state.consumerCount();
            nextExpiry = state.nextExpiry();
        }
        updateLastAppliedTermIndex(entry.getTerm(), index);
        try {
            for (int i = 0; i < commands.size(); i++) {
                notify.applied(QuorumQueueState.position(index, i), commands.get(i), effects.get(i));
            }
            notify.counted(ready, checkedOut, consumers);
            notify.expiresNext(nextExpiry);
        } catch (RuntimeException e) {
            // the replica's state is applied; a failing listener (the queue on this node) must not stop the group here
            LOG.error("Quorum queue group {}: acting on entry {} failed", getGroupId(), index, e);
        }
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(QuorumReply.encode(index, effects))));
    }

    private static Message indexReply(long index) {
        return Message.valueOf(ByteString.copyFrom(QuorumReply.encode(index, List.of(List.of()))));
    }

    /** The replies a reply of this state machine holds, one per command of its entry. */
    static List<QuorumReply> repliesOf(Message reply) {
        return QuorumReply.decode(reply.getContent().toByteArray());
    }

    /** The state's snapshot bytes as they are now (for tests and diagnostics). */
    synchronized byte[] snapshotBytes() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        state.writeSnapshot(new DataOutputStream(bytes));
        return bytes.toByteArray();
    }

    synchronized long totalCount() {
        return state.totalCount();
    }

    @Override
    public long takeSnapshot() throws IOException {
        TermIndex last;
        byte[] bytes;
        synchronized (this) {
            last = getLastAppliedTermIndex();
            if (last == null || last.getIndex() < 0) {
                return -1;
            }
            bytes = snapshotBytes();
        }
        writeSnapshot(last, bytes);
        return last.getIndex();
    }
}
