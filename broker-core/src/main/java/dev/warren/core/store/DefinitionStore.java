package dev.warren.core.store;

import java.util.concurrent.CompletableFuture;

/**
 * Keeps the durable definitions: each virtual host's exchanges, queues and bindings, and the users and
 * permissions. A change is taken at once (any thread, no I/O) and the returned stage completes once a
 * write that includes it is on disk, or exceptionally when that write failed. Changes are written in the
 * order they were made, so a later change's completion covers every earlier one.
 */
public interface DefinitionStore {
    DefinitionStore NONE = (vhost, definitions) -> CompletableFuture.completedFuture(null);

    /** Replaces what is stored for the virtual host, creating it. Called under the virtual host's lock. */
    CompletableFuture<Void> save(String vhost, Definitions definitions);

    /** Forgets a deleted virtual host and everything defined in it. */
    default CompletableFuture<Void> deleteVhost(String vhost) {
        return CompletableFuture.completedFuture(null);
    }

    /** Replaces the stored users and permissions. Called under the user table's lock. */
    default CompletableFuture<Void> saveSecurity(SecurityDefinitions security) {
        return CompletableFuture.completedFuture(null);
    }
}
