package dev.warren.store.raft;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;

/** How this node's state machines keep a snapshot: one file per snapshot, written whole, then made the latest. */
final class SnapshotFiles {
    private SnapshotFiles() {
    }

    /**
     * Writes the state as of {@code last} beside the group's log (a temporary file moved into place, so a crash leaves
     * the previous snapshot), with the MD5 file Ratis checks when it loads or sends one, and makes it the latest.
     */
    static void write(SimpleStateMachineStorage storage, TermIndex last, byte[] state) throws IOException {
        File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        Path temporary = file.toPath().resolveSibling(file.getName() + ".tmp");
        Files.write(temporary, state);
        Files.move(temporary, file.toPath(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        FileInfo info = new FileInfo(file.toPath(), MD5FileUtil.computeAndSaveMd5ForFile(file));
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(info, last));
    }

    /**
     * Ratis checks a state machine's own life cycle when it installs a snapshot the leader sent (a follower too far
     * behind for the log): it calls {@code pause()}, writes the files, and reloads only a state machine that says
     * PAUSED. {@link BaseStateMachine} leaves the life cycle at NEW, so each state machine marks itself running once
     * initialized, pauses here, and runs again after {@code reinitialize}.
     */
    static void running(BaseStateMachine stateMachine) {
        LifeCycle lifeCycle = stateMachine.getLifeCycle();
        if (lifeCycle.compareAndTransition(LifeCycle.State.NEW, LifeCycle.State.STARTING)) {
            lifeCycle.transition(LifeCycle.State.RUNNING);
        }
    }

    /** Pauses a running state machine for a snapshot install; Ratis calls this once per chunk, so again is a no-op. */
    static void pauseForInstall(BaseStateMachine stateMachine) {
        LifeCycle lifeCycle = stateMachine.getLifeCycle();
        if (lifeCycle.compareAndTransition(LifeCycle.State.RUNNING, LifeCycle.State.PAUSING)) {
            lifeCycle.transition(LifeCycle.State.PAUSED);
        }
    }

    /** A state machine reloaded from an installed snapshot runs again, ready for the next install. */
    static void resumeAfterReload(BaseStateMachine stateMachine) {
        LifeCycle lifeCycle = stateMachine.getLifeCycle();
        if (lifeCycle.compareAndTransition(LifeCycle.State.PAUSED, LifeCycle.State.STARTING)) {
            lifeCycle.transition(LifeCycle.State.RUNNING);
        }
    }
}
