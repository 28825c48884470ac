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
     * A state machine reloaded from a snapshot the leader installed runs again: Ratis paused it for the install and
     * expects {@code reinitialize} to bring it back, else the next install finds it still paused and the group
     * stops on this node.
     */
    static void resumeAfterReload(BaseStateMachine stateMachine) {
        if (stateMachine.getLifeCycleState() == LifeCycle.State.PAUSED) {
            stateMachine.getLifeCycle().transition(LifeCycle.State.STARTING);
            stateMachine.getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }
}
