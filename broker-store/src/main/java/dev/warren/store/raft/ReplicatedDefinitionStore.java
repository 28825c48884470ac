package dev.warren.store.raft;

import dev.warren.core.AmqpException;
import dev.warren.core.Broker;
import dev.warren.core.ReplicatedChanges;
import dev.warren.core.ReplyCode;
import dev.warren.core.VirtualHost;
import dev.warren.core.store.DefinitionStore;
import dev.warren.core.store.Definitions;
import dev.warren.core.store.Definitions.QueueDefinition;
import dev.warren.core.store.SecurityDefinitions;
import dev.warren.store.StoredSecurity;
import dev.warren.store.StoredVhost;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The definition store of a cluster node: each change the broker saves goes to the metadata Raft group as a delta,
 * and its completion (which declare-ok, bind-ok and the management API wait for) comes once the group committed it.
 *
 * <p>Deltas: the store keeps the definitions this node's model had at its last change ({@code baseline}, per
 * virtual host, and the users); a save is diffed against it, so an entry holds only what this node changed and two
 * nodes' concurrent changes to different items both survive. Entries other nodes made are applied to the live model
 * through {@link ReplicatedChanges}, which hands back the model's definitions under the same lock, so the baseline
 * always equals what the model had when the next change is diffed. A queue put without a home gets this node's.
 *
 * <p>Failure: a change not committed within the timeout (no quorum: most nodes down or unreachable) completes
 * exceptionally with 506 RESOURCE_ERROR, and is undone in this node's model (its inverse applied as other nodes'
 * changes are), so the model matches the committed state, as after a failed RabbitMQ declare. Should the entry still
 * be committed later (it had reached a leader), it is applied then like another node's entry.
 *
 * <p>Threading: {@code save} and {@code saveSecurity} run under the virtual host's or user table's lock (the broker
 * calls them so); the baseline and the waiting changes are guarded by this object. Entries are applied to the model
 * on one applier thread, in log order, after rollbacks queued before them.
 */
public final class ReplicatedDefinitionStore implements DefinitionStore, MetadataStateMachine.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicatedDefinitionStore.class);

    /** Sends an encoded entry to the Raft group; completes when the group committed (and the leader applied) it. */
    interface Submitter {
        CompletableFuture<Void> submit(byte[] entry);
    }

    private final String node;
    /** This process among the node's lifetimes: entries it made are known by it. */
    private final String origin;
    private final long timeoutMillis;
    private final Submitter submitter;
    private final ExecutorService applier = Executors.newSingleThreadExecutor(r -> daemon(r, "warren-metadata-applier"));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "warren-metadata-timeouts"));

    // guarded by this
    private final Map<String, StoredVhost> baseline = new HashMap<>();
    private StoredSecurity securityBaseline = new StoredSecurity();
    private final Map<Long, Waiting> waiting = new HashMap<>();
    private long seq;
    private CompletableFuture<Void> latest = CompletableFuture.completedFuture(null);
    /** Null until the broker is restored: other nodes' entries wait in {@link #early} until then. */
    private ReplicatedChanges model;
    private final List<Runnable> early = new ArrayList<>();

    /** A change of this process on its way: its completion, and what undoes it (null for what cannot be undone). */
    private static final class Waiting {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final MetadataEntry.Change undo;
        final boolean barrier;
        boolean committed;

        Waiting(MetadataEntry.Change undo, boolean barrier) {
            this.undo = undo;
            this.barrier = barrier;
        }
    }

    ReplicatedDefinitionStore(String node, long timeoutMillis, Submitter submitter) {
        this.node = node;
        this.origin = node + "/" + UUID.randomUUID();
        this.timeoutMillis = timeoutMillis;
        this.submitter = submitter;
    }

    // ---- the broker's changes ----

    @Override
    public synchronized CompletableFuture<Void> save(String vhost, Definitions definitions) {
        StoredVhost base = baseline.get(vhost);
        boolean created = base == null;
        if (created) {
            base = new StoredVhost();
            baseline.put(vhost, base);
        }
        StoredVhost.Change delta = base.diff(definitions);
        if (delta.isEmpty() && !created) {
            return latest; // covers every change before, as the interface promises
        }
        Definitions before = base.definitions();
        base.apply(delta);
        StoredVhost.Change undo = created ? null : base.diff(before);
        return submit(new MetadataEntry.VhostChange(vhost, withHomes(delta)),
                undo == null ? null : new MetadataEntry.VhostChange(vhost, undo), false);
    }

    @Override
    public synchronized CompletableFuture<Void> deleteVhost(String vhost) {
        baseline.remove(vhost);
        return submit(new MetadataEntry.VhostDelete(vhost), null, false); // a deleted vhost's queues cannot come back
    }

    @Override
    public synchronized CompletableFuture<Void> saveSecurity(SecurityDefinitions security) {
        StoredSecurity.Change delta = securityBaseline.diff(security);
        if (delta.isEmpty()) {
            return latest;
        }
        SecurityDefinitions before = securityBaseline.definitions();
        securityBaseline.apply(delta);
        return submit(new MetadataEntry.SecurityChange(delta),
                new MetadataEntry.SecurityChange(securityBaseline.diff(before)), false);
    }

    /**
     * Completes once every entry the cluster committed before it has been applied on this node: a barrier entry
     * committed and applied here. A node waits for it before it serves clients.
     */
    synchronized CompletableFuture<Void> barrier() {
        return submit(new MetadataEntry.Barrier(), null, true);
    }

    /** Queues without a home are this node's. */
    private StoredVhost.Change withHomes(StoredVhost.Change delta) {
        List<QueueDefinition> queues = delta.put().queues();
        if (queues.stream().allMatch(q -> q.home() != null)) {
            return delta;
        }
        List<QueueDefinition> homed = queues.stream().map(q -> q.home() == null ? q.withHome(node) : q).toList();
        Definitions put = delta.put();
        return new StoredVhost.Change(new Definitions(put.exchanges(), homed, put.bindings(), put.limits(), put.policies(),
                put.operatorPolicies()), delta.removed(), delta.limitsChanged());
    }

    private CompletableFuture<Void> submit(MetadataEntry.Change change, MetadataEntry.Change undo, boolean barrier) {
        long id = ++seq;
        Waiting w = new Waiting(undo, barrier);
        waiting.put(id, w);
        byte[] entry = new MetadataEntry(origin, id, change).encode();
        // sent under this lock, so entries go in the order of their diffs; answered on the timer thread, as Ratis
        // completes replies under its own lock, which a send takes too
        submitter.submit(entry).whenCompleteAsync((ignored, failure) -> {
            if (failure != null) {
                failed(id, failure.getMessage());
            } else {
                committed(id);
            }
        }, timer);
        timer.schedule(() -> failed(id, "not committed within " + timeoutMillis + " ms"), timeoutMillis, TimeUnit.MILLISECONDS);
        if (!barrier) {
            latest = w.done;
        }
        return w.done;
    }

    /** The leader applied it: the client may hear so, though this node may apply it a moment later. */
    private void committed(long id) {
        Waiting w;
        synchronized (this) {
            w = waiting.get(id);
            if (w == null) {
                return;
            }
            w.committed = true;
        }
        if (!w.barrier) {
            w.done.complete(null);
        }
    }

    private void failed(long id, String why) {
        Waiting w;
        synchronized (this) {
            w = waiting.get(id);
            if (w == null || w.committed) {
                return;
            }
            waiting.remove(id);
            if (w.undo != null) {
                MetadataEntry.Change undo = w.undo;
                whenRestored(() -> applyToModel(undo));
            }
        }
        if (!w.barrier) {
            LOG.warn("Cluster metadata: a definition change was not committed ({}); it is undone on this node", why);
        }
        w.done.completeExceptionally(new AmqpException(ReplyCode.RESOURCE_ERROR, "the cluster's metadata store did not "
                + "commit the change within " + timeoutMillis + " ms: fewer than a majority of the cluster's nodes are "
                + "reachable (" + why + ")"));
    }

    // ---- committed entries ----

    @Override
    public void applied(MetadataEntry entry, MetadataEntry.Change effective) {
        if (entry.origin().equals(origin)) {
            Waiting w;
            synchronized (this) {
                w = waiting.remove(entry.seq());
            }
            if (w != null) {
                w.done.complete(null);
                return; // this node's model made the change
            }
            // it had failed (and was undone) before it was committed after all: apply it as another node's
        }
        if (effective instanceof MetadataEntry.Barrier) {
            return;
        }
        synchronized (this) {
            whenRestored(() -> applyToModel(effective));
        }
    }

    @Override
    public void replaced(Map<String, Definitions> vhosts, Optional<SecurityDefinitions> security) {
        synchronized (this) {
            whenRestored(() -> resync(vhosts, security));
        }
    }

    /** Under this object's lock: runs it on the applier thread once the broker is restored, in order. */
    private void whenRestored(Runnable task) {
        if (model == null) {
            early.add(task);
        } else {
            applier.execute(task);
        }
    }

    /** On the applier thread. */
    private void applyToModel(MetadataEntry.Change change) {
        try {
            if (change instanceof MetadataEntry.VhostChange c) {
                StoredVhost.Change d = c.delta();
                model.vhostChanged(c.vhost(), d.put(), d.removed(), d.limitsChanged(), now -> rebase(c.vhost(), now));
            } else if (change instanceof MetadataEntry.VhostDelete d) {
                model.vhostDeleted(d.vhost(), security -> {
                    synchronized (this) {
                        baseline.remove(d.vhost());
                        securityBaseline = StoredSecurity.of(security);
                    }
                });
            } else if (change instanceof MetadataEntry.SecurityChange s) {
                model.securityChanged(s.delta().put(), s.delta().removed(), this::rebaseSecurity);
            }
        } catch (RuntimeException e) {
            LOG.error("Cluster metadata: could not apply a committed change to this node's model", e);
        }
    }

    /** The state was replaced by a snapshot: every virtual host and the users brought to it. On the applier thread. */
    private void resync(Map<String, Definitions> vhosts, Optional<SecurityDefinitions> security) {
        Map<String, StoredVhost> current;
        synchronized (this) {
            current = new TreeMap<>(baseline);
        }
        current.keySet().stream().filter(v -> !vhosts.containsKey(v))
                .forEach(v -> applyToModel(new MetadataEntry.VhostDelete(v)));
        vhosts.forEach((v, d) -> {
            StoredVhost base = current.getOrDefault(v, new StoredVhost());
            applyToModel(new MetadataEntry.VhostChange(v, base.diff(d)));
        });
        security.ifPresent(s -> {
            StoredSecurity base;
            synchronized (this) {
                base = securityBaseline;
            }
            applyToModel(new MetadataEntry.SecurityChange(base.diff(s)));
        });
    }

    private synchronized void rebase(String vhost, Definitions now) {
        baseline.put(vhost, StoredVhost.of(now));
    }

    private synchronized void rebaseSecurity(SecurityDefinitions now) {
        securityBaseline = StoredSecurity.of(now);
    }

    /**
     * The broker was restored: the baseline becomes its model, and the entries other nodes committed meanwhile are
     * applied to it, in order.
     */
    void start(Broker broker) {
        synchronized (this) {
            baseline.clear();
            for (VirtualHost vhost : broker.vhosts()) {
                baseline.put(vhost.name(), StoredVhost.of(vhost.definitions()));
            }
            securityBaseline = StoredSecurity.of(broker.users().definitions());
            model = new ReplicatedChanges(broker);
            early.forEach(applier::execute);
            early.clear();
        }
    }

    /** Forgets what was queued for the model before the committed state was read (it holds those entries). */
    synchronized void dropEarly() {
        early.clear();
    }

    void close() {
        timer.shutdownNow();
        applier.shutdown();
        try {
            if (!applier.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("Cluster metadata: the applier did not finish within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread thread = new Thread(r, name);
        thread.setDaemon(true);
        return thread;
    }
}
