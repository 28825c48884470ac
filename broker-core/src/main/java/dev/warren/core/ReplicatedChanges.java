package dev.warren.core;

import dev.warren.core.auth.Users;
import dev.warren.core.store.Definitions;
import dev.warren.core.store.SecurityDefinitions;
import java.util.function.Consumer;

/**
 * Where a cluster's metadata store hands this node the definition changes other nodes made, once they are
 * committed: they change the live model (virtual hosts, exchanges, queues, bindings, policies, limits, users and
 * permissions) without being saved again. Each method calls its {@code whileLocked} with the durable definitions as
 * they are right after the change, under the same lock as the change, so the store can keep the state it diffs
 * this node's own next change against in step with the model.
 *
 * <p>Threading: called by the store's one applier thread; it takes the virtual host's or the user table's lock,
 * as a client's declare does.
 */
public final class ReplicatedChanges {
    private final Broker broker;

    public ReplicatedChanges(Broker broker) {
        this.broker = broker;
    }

    /** A change to one virtual host, which is created (without saving) when this node does not have it yet. */
    public void vhostChanged(String vhost, Definitions put, Definitions removed, boolean limitsChanged,
                             Consumer<Definitions> whileLocked) {
        broker.replicatedVirtualHost(vhost).applyReplicated(put, removed, limitsChanged, broker::queueExecutor, whileLocked);
    }

    /** A virtual host another node deleted: deleted here as an operator's delete is, permissions in it included. */
    public void vhostDeleted(String vhost, Consumer<SecurityDefinitions> securityWhileLocked) {
        broker.deleteReplicatedVirtualHost(vhost, securityWhileLocked);
    }

    /** A change to users, permissions, topic permissions or user limits. */
    public void securityChanged(SecurityDefinitions put, SecurityDefinitions removed, Consumer<SecurityDefinitions> whileLocked) {
        Users users = broker.users();
        users.applyReplicated(put, removed, whileLocked);
        // a deleted user's connections go as when an operator deletes the user here
        removed.users().forEach(u -> {
            if (users.user(u.name()).isEmpty()) {
                broker.connections().closeWhere(c -> c.user().equals(u.name()), "user '" + u.name() + "' was deleted");
            }
        });
    }
}
