package dev.warren.core.store;

import dev.warren.core.auth.User;
import dev.warren.core.auth.UserPermission;
import java.util.List;

/**
 * Keeps the durable definitions: each virtual host's exchanges, queues and bindings, and the users and
 * permissions. Every method returns once the change is on disk.
 */
public interface DefinitionStore {
    DefinitionStore NONE = (vhost, definitions) -> { };

    /** Replaces what is stored for the virtual host, creating it. Called under the virtual host's lock. */
    void save(String vhost, Definitions definitions);

    /** Forgets a deleted virtual host and everything defined in it. */
    default void deleteVhost(String vhost) {
    }

    /** Replaces the stored users and permissions. Called under the user table's lock. */
    default void saveSecurity(List<User> users, List<UserPermission> permissions) {
    }
}
