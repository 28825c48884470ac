package dev.warren.store.raft;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;

/**
 * What this node's state machines (the metadata's, each quorum queue's) share: a snapshot is one file, written
 * whole and then made the latest; the state is loaded from the latest one at start and again after the leader
 * installed one; and the life cycle Ratis checks around an install. Ratis reloads only a state machine whose own
 * life cycle says PAUSED, and {@link BaseStateMachine} leaves it at NEW, so here it runs once initialized, pauses
 * for an install (once per chunk: again is a no-op) and runs again after the reload — else the install fails and
 * the group closes on this node.
 */
abstract class SnapshottingStateMachine extends BaseStateMachine {
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();

    /** Replaces the state with the snapshot's (null: none yet) and notes its term and index as applied. */
    protected abstract void loadSnapshot(SingleFileSnapshotInfo snapshot) throws IOException;

    /** After the leader's snapshot replaced the state: what the node must redo from it (nothing by default). */
    protected void reloaded() throws IOException {
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        loadSnapshot(storage.loadLatestSnapshot());
        LifeCycle lifeCycle = getLifeCycle();
        if (lifeCycle.compareAndTransition(LifeCycle.State.NEW, LifeCycle.State.STARTING)) {
            lifeCycle.transition(LifeCycle.State.RUNNING);
        }
    }

    @Override
    public void pause() {
        LifeCycle lifeCycle = getLifeCycle();
        if (lifeCycle.compareAndTransition(LifeCycle.State.RUNNING, LifeCycle.State.PAUSING)) {
            lifeCycle.transition(LifeCycle.State.PAUSED);
        }
    }

    @Override
    public void reinitialize() throws IOException {
        loadSnapshot(storage.loadLatestSnapshot());
        reloaded();
        LifeCycle lifeCycle = getLifeCycle();
        if (lifeCycle.compareAndTransition(LifeCycle.State.PAUSED, LifeCycle.State.STARTING)) {
            lifeCycle.transition(LifeCycle.State.RUNNING);
        }
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    /**
     * Writes the state as of {@code last} beside the group's log (a temporary file moved into place, so a crash leaves
     * the previous snapshot), with the MD5 file Ratis checks when it loads or sends one, and makes it the latest.
     */
    protected void writeSnapshot(TermIndex last, byte[] state) throws IOException {
        File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        Path temporary = file.toPath().resolveSibling(file.getName() + ".tmp");
        Files.write(temporary, state);
        Files.move(temporary, file.toPath(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        FileInfo info = new FileInfo(file.toPath(), MD5FileUtil.computeAndSaveMd5ForFile(file));
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(info, last));
    }
}
