package dev.warren.store.raft;

import dev.warren.core.store.Definitions;
import dev.warren.core.store.SecurityDefinitions;
import dev.warren.store.DefinitionsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metadata group's state machine on this node. Ratis applies each committed entry here, in log order, on its
 * one applier thread: the entry changes the {@link MetadataState}, is written to this node's definitions files
 * ({@link DefinitionsFile}: the committed state, as a single broker keeps its definitions), and is handed to the
 * {@link Listener} (the replicated definition store), which applies it to the live model unless this process made
 * it. Snapshots hold the whole state as a definitions document, so Ratis may truncate the log; a snapshot installed
 * from the leader (this node was too far behind) replaces the state, and the listener brings the model in line.
 */
final class MetadataStateMachine extends SnapshottingStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataStateMachine.class);

    /** What happens on this node after an entry was applied to the state. On Ratis's applier thread. */
    interface Listener {
        void applied(MetadataEntry entry, MetadataEntry.Change effective);

        /** The state was replaced by a snapshot from the leader. */
        void replaced(Map<String, Definitions> vhosts, Optional<SecurityDefinitions> security);
    }

    private final DefinitionsFile local;
    // guarded by this
    private MetadataState state = new MetadataState();
    private Listener listener = new Listener() {
        @Override
        public void applied(MetadataEntry entry, MetadataEntry.Change effective) {
        }

        @Override
        public void replaced(Map<String, Definitions> vhosts, Optional<SecurityDefinitions> security) {
        }
    };

    /** Other nodes' requests, which travel to this node as queries (stale reads) of this group; none until set. */
    private volatile java.util.function.Function<Message, CompletableFuture<Message>> queries =
            request -> CompletableFuture.failedFuture(new IllegalStateException("not answering other nodes yet"));

    MetadataStateMachine(DefinitionsFile local) {
        this.local = local;
    }

    /** From now on queries of this group (other nodes' requests, see RaftNodeLink) are answered by {@code answer}. */
    void answerQueries(java.util.function.Function<Message, CompletableFuture<Message>> answer) {
        this.queries = answer;
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        return queries.apply(request);
    }

    /** The leader's snapshot replaced the definitions: the files and the live model take them. */
    @Override
    protected void reloaded() throws IOException {
        Listener notify;
        Map<String, Definitions> vhosts;
        Optional<SecurityDefinitions> security;
        synchronized (this) {
            notify = listener;
            vhosts = state.vhosts();
            security = state.security();
        }
        persistAll(vhosts, security);
        notify.replaced(vhosts, security);
    }

    @Override
    protected void loadSnapshot(SingleFileSnapshotInfo snapshot) throws IOException {
        if (snapshot == null) {
            return;
        }
        Path file = snapshot.getFile().getPath();
        MetadataState loaded = MetadataState.fromJson(Files.readAllBytes(file));
        synchronized (this) {
            state = loaded;
        }
        setLastAppliedTermIndex(snapshot.getTermIndex());
        LOG.info("Cluster metadata: snapshot {} loaded", snapshot.getTermIndex());
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        MetadataEntry decoded;
        try {
            decoded = MetadataEntry.decode(entry.getStateMachineLogEntry().getLogData().toByteArray());
        } catch (IllegalArgumentException e) {
            // every node skips the same entry the same way, so the states stay equal
            LOG.error("Cluster metadata: skipping log entry {} that cannot be read: {}", entry.getIndex(), e.getMessage());
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
            return CompletableFuture.completedFuture(Message.EMPTY);
        }
        MetadataEntry.Change effective;
        Listener notify;
        synchronized (this) {
            effective = state.apply(decoded.change());
            notify = listener;
            persist(effective);
        }
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        notify.applied(decoded, effective);
        return CompletableFuture.completedFuture(Message.EMPTY);
    }

    /** Writes what the change touched to this node's definitions files (the writer thread does the disk work). */
    private void persist(MetadataEntry.Change change) {
        if (change instanceof MetadataEntry.VhostChange c) {
            logFailure(local.save(c.vhost(), state.vhost(c.vhost())));
        } else if (change instanceof MetadataEntry.VhostDelete d) {
            logFailure(local.deleteVhost(d.vhost()));
        } else if (change instanceof MetadataEntry.SecurityChange) {
            state.security().ifPresent(s -> logFailure(local.saveSecurity(s)));
        }
    }

    private void persistAll(Map<String, Definitions> vhosts, Optional<SecurityDefinitions> security) {
        local.load().keySet().stream().filter(v -> !vhosts.containsKey(v)).forEach(v -> logFailure(local.deleteVhost(v)));
        vhosts.forEach((v, d) -> logFailure(local.save(v, d)));
        security.ifPresent(s -> logFailure(local.saveSecurity(s)));
    }

    private static void logFailure(CompletableFuture<Void> write) {
        write.whenComplete((ignored, failure) -> {
            if (failure != null) {
                // the Raft log still holds the change: the node gets it back from there on its next start
                LOG.warn("Cluster metadata: could not write the local definitions copy: {}", failure.getMessage());
            }
        });
    }

    /**
     * The committed state now and, from now on, every entry applied handed to {@code listener}, with nothing applied
     * in between.
     */
    synchronized CommittedState attach(Listener newListener) {
        listener = newListener;
        return new CommittedState(state.vhosts(), state.security());
    }

    @Override
    public long takeSnapshot() throws IOException {
        TermIndex last;
        byte[] json;
        synchronized (this) {
            last = getLastAppliedTermIndex();
            json = state.toJson();
        }
        if (last == null || last.getIndex() < 0) {
            return -1;
        }
        writeSnapshot(last, json);
        return last.getIndex();
    }
}
