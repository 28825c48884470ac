package dev.warren.core;

import dev.warren.core.auth.Users;
import dev.warren.core.cluster.ClusterView;
import dev.warren.core.connection.Connections;
import dev.warren.core.connection.ListenerControl;
import dev.warren.core.stats.MessageStats;
import dev.warren.core.store.BrokerDefinitions;
import dev.warren.core.store.Definitions;
import dev.warren.core.store.RecoveredQueue;
import dev.warren.core.store.SecurityDefinitions;
import dev.warren.core.store.Storage;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's model: virtual hosts, users and permissions, open connections and message counters.
 * Created once at startup; safe to use from any thread.
 */
public final class Broker {
    private static final Logger LOG = LoggerFactory.getLogger(Broker.class);
    public static final String DEFAULT_VHOST = "/";

    private final ConcurrentHashMap<String, VirtualHost> vhosts = new ConcurrentHashMap<>();
    private final Users users;
    private final Storage storage;
    private final String defaultVhost;
    private final Connections connections = new Connections();
    private final MessageStats stats = new MessageStats();
    /** Event loops that own queues declared outside a connection (management, import); set on restore. */
    private volatile Supplier<EventExecutor> queueExecutors;
    /** The protocol server's listeners, for stop_app / start_app; registered when it starts. */
    private volatile ListenerControl listeners = ListenerControl.NONE;
    /** The cluster's nodes for management; this node alone outside a cluster. */
    private volatile ClusterView cluster = ClusterView.SINGLE;

    /** A broker that keeps everything in memory. */
    public Broker(Users users) {
        this(users, Storage.inMemory());
    }

    public Broker(Users users, Storage storage) {
        this(users, storage, DEFAULT_VHOST);
    }

    /** {@code defaultVhost} is created on a first start (RabbitMQ's default_vhost). */
    public Broker(Users users, Storage storage, String defaultVhost) {
        this.users = users;
        this.storage = storage;
        this.defaultVhost = defaultVhost;
        vhosts.put(defaultVhost, new VirtualHost(defaultVhost, storage, this::queueExecutor, stats));
        // user changes come from management and start-up threads: they return once durable, as before
        users.onChange(() -> storage.definitions().saveSecurity(users.definitions()).join());
    }

    public Storage storage() {
        return storage;
    }

    public Users users() {
        return users;
    }

    public Connections connections() {
        return connections;
    }

    public MessageStats stats() {
        return stats;
    }

    /** The virtual host, or null when there is none of that name. */
    public VirtualHost vhost(String name) {
        return vhosts.get(name);
    }

    /** Every virtual host, by name. */
    public List<VirtualHost> vhosts() {
        List<VirtualHost> all = new ArrayList<>(vhosts.values());
        all.sort(Comparator.comparing(VirtualHost::name));
        return all;
    }

    /**
     * Brings back what was stored, once, before clients connect. {@code security} is empty on a first start:
     * then the users given to the constructor and the default virtual host are saved as the initial state.
     * Otherwise the stored users, permissions and virtual hosts replace them. Each virtual host gets its
     * durable definitions, then the messages the store recovered go back into their queues; stored messages
     * of a queue that has no definition any more are dropped from the store.
     */
    public void restore(Map<String, Definitions> definitions, Optional<SecurityDefinitions> security,
                        List<RecoveredQueue> recovered, Supplier<EventExecutor> executors) {
        queueExecutors = executors;
        if (security.isEmpty()) {
            storage.definitions().saveSecurity(users.definitions()).join();
            VirtualHost first = vhosts.get(defaultVhost);
            storage.definitions().save(defaultVhost, first.definitions()).join();
        } else {
            users.replaceAll(security.get());
            if (!definitions.containsKey(defaultVhost)) {
                vhosts.remove(defaultVhost); // deleted by an operator in an earlier run
            }
        }
        definitions.forEach((name, d) -> vhosts.computeIfAbsent(name, n -> new VirtualHost(n, storage, this::queueExecutor, stats)).restore(d, executors));
        for (RecoveredQueue r : recovered) {
            VirtualHost vhost = vhosts.get(r.vhost());
            if (vhost != null && vhost.restoreDelayed(r)) {
                continue;
            }
            MessageQueue queue = vhost == null ? null : vhost.queue(r.name());
            if (queue == null || queue.storeId() != r.queueId()) {
                LOG.warn("Dropping {} stored messages of queue '{}' in vhost '{}': the queue is no longer defined",
                        r.entries().length, r.name(), r.vhost());
                storage.messages().deleteQueue(r.queueId());
                continue;
            }
            queue.executor().execute(() -> queue.process().restore(r.entries()));
        }
    }

    public ClusterView cluster() {
        return cluster;
    }

    public void cluster(ClusterView view) {
        this.cluster = view;
    }

    /** The virtual host of that name, created without saving when there is none (another node created it). */
    VirtualHost replicatedVirtualHost(String name) {
        return vhosts.computeIfAbsent(name, n -> {
            LOG.info("Virtual host '{}' created (by another cluster node)", LogSafe.escape(n));
            return new VirtualHost(n, storage, this::queueExecutor, stats);
        });
    }

    /** {@link #deleteVirtualHost} for a delete another cluster node made: nothing is saved again. */
    synchronized void deleteReplicatedVirtualHost(String name, Consumer<SecurityDefinitions> securityWhileLocked) {
        VirtualHost vhost = vhosts.remove(name);
        if (vhost == null) {
            return;
        }
        connections.closeWhere(c -> c.vhost().equals(name), "vhost '" + name + "' is deleted");
        vhost.deleteEverything();
        users.removeVhostReplicated(name, securityWhileLocked);
        LOG.info("Virtual host '{}' deleted (by another cluster node)", LogSafe.escape(name));
    }

    public ListenerControl listeners() {
        return listeners;
    }

    public void listeners(ListenerControl control) {
        this.listeners = control;
    }

    /** An event loop to own a queue declared outside any connection. */
    public EventExecutor queueExecutor() {
        Supplier<EventExecutor> executors = queueExecutors;
        if (executors == null) {
            throw new IllegalStateException("the broker has not been restored yet");
        }
        return executors.get();
    }

    /** Everything durable, in the shape of RabbitMQ's definitions export. */
    public BrokerDefinitions exportDefinitions() {
        Map<String, Definitions> byVhost = new TreeMap<>();
        for (VirtualHost vhost : vhosts()) {
            byVhost.put(vhost.name(), vhost.definitions());
        }
        return new BrokerDefinitions(byVhost, Optional.of(users.definitions()));
    }

    /**
     * Adds imported definitions to what is there, as RabbitMQ's import does: users (with their password
     * hashes) and virtual hosts first, then permissions, exchanges, queues and bindings.
     *
     * @throws AmqpException when a definition clashes with an existing one (e.g. a queue of another type)
     */
    public void importDefinitions(BrokerDefinitions definitions) {
        definitions.security().ifPresent(s -> s.users().forEach(users::put));
        definitions.vhosts().keySet().forEach(this::addVirtualHost);
        definitions.security().ifPresent(s -> s.permissions().forEach(p -> {
            addVirtualHost(p.vhost());
            users.setPermission(p.user(), p.vhost(), p.permission());
        }));
        definitions.security().ifPresent(s -> s.topicPermissions().forEach(users::setTopicPermission));
        definitions.security().ifPresent(s -> s.userLimits().forEach(users::setLimits));
        definitions.vhosts().forEach((name, d) -> vhosts.get(name).importDefinitions(d, this::queueExecutor));
    }

    /** The virtual host of that name, created (durably) when there is none. */
    public VirtualHost addVirtualHost(String name) {
        createVirtualHost(name);
        return vhosts.get(name);
    }

    /** Creates a virtual host and saves it; false when one of that name exists. */
    public synchronized boolean createVirtualHost(String name) {
        if (vhosts.containsKey(name)) {
            return false;
        }
        VirtualHost vhost = new VirtualHost(name, storage, this::queueExecutor, stats);
        storage.definitions().save(name, vhost.definitions()).join();
        vhosts.put(name, vhost);
        LOG.info("Virtual host '{}' created", name);
        return true;
    }

    /**
     * Deletes a virtual host as RabbitMQ does: its connections are closed with 320, its queues and their
     * messages deleted, the permissions in it forgotten. False when there was none of that name.
     */
    public synchronized boolean deleteVirtualHost(String name) {
        VirtualHost vhost = vhosts.remove(name);
        if (vhost == null) {
            return false;
        }
        connections.closeWhere(c -> c.vhost().equals(name), "vhost '" + name + "' is deleted");
        vhost.deleteEverything();
        users.removeVhost(name);
        storage.definitions().deleteVhost(name).join();
        LOG.info("Virtual host '{}' deleted", name);
        return true;
    }

    /** Deletes a user and closes their connections with 320. False when there was no such user. */
    public boolean deleteUser(String name) {
        if (!users.delete(name)) {
            return false;
        }
        connections.closeWhere(c -> c.user().equals(name), "user '" + name + "' was deleted");
        LOG.info("User '{}' deleted", name);
        return true;
    }
}
