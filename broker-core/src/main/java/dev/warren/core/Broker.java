package dev.warren.core;

import dev.warren.core.auth.Users;
import dev.warren.core.store.Definitions;
import dev.warren.core.store.RecoveredQueue;
import dev.warren.core.store.Storage;
import io.netty.util.concurrent.EventExecutor;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/** The broker's model: virtual hosts and users. Created once at startup; safe to use from any thread. */
public final class Broker {
    private static final Logger LOG = LoggerFactory.getLogger(Broker.class);
    public static final String DEFAULT_VHOST = "/";

    private final ConcurrentHashMap<String, VirtualHost> vhosts = new ConcurrentHashMap<>();
    private final Users users;
    private final Storage storage;

    /** A broker that keeps everything in memory. */
    public Broker(Users users) {
        this(users, Storage.inMemory());
    }

    public Broker(Users users, Storage storage) {
        this.users = users;
        this.storage = storage;
        addVirtualHost(DEFAULT_VHOST);
    }

    public Storage storage() {
        return storage;
    }

    public Users users() {
        return users;
    }

    /** The virtual host, or null when there is none of that name. */
    public VirtualHost vhost(String name) {
        return vhosts.get(name);
    }

    public Collection<VirtualHost> vhosts() {
        return List.copyOf(vhosts.values());
    }

    /**
     * Brings back what was stored, once, before clients connect: each virtual host's durable definitions,
     * then the messages the store recovered into their queues. Stored messages of a queue that has no
     * definition any more are dropped from the store.
     */
    public void restore(Map<String, Definitions> definitions, List<RecoveredQueue> recovered,
                        Supplier<EventExecutor> executors) {
        definitions.forEach((name, d) -> addVirtualHost(name).restore(d, executors));
        for (RecoveredQueue r : recovered) {
            VirtualHost vhost = vhosts.get(r.vhost());
            MessageQueue queue = vhost == null ? null : vhost.queue(r.name());
            if (queue == null || queue.storeId() != r.queueId()) {
                LOG.warn("Dropping {} stored messages of queue '{}' in vhost '{}': the queue is no longer defined",
                        r.entries().length, r.name(), r.vhost());
                storage.messages().deleteQueue(r.queueId());
                continue;
            }
            queue.executor().execute(() -> queue.restore(r.entries()));
        }
    }

    public VirtualHost addVirtualHost(String name) {
        return vhosts.computeIfAbsent(name, n -> new VirtualHost(n, storage));
    }
}
