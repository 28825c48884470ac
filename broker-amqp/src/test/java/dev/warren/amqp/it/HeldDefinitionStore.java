package dev.warren.amqp.it;

import dev.warren.core.store.DefinitionStore;
import dev.warren.core.store.Definitions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A definitions store whose writes the test holds: saves complete only when released (or fail when told
 * to), like a slow or broken disk. Any thread.
 */
final class HeldDefinitionStore implements DefinitionStore {
    private final List<CompletableFuture<Void>> held = new ArrayList<>();
    private boolean holding;

    synchronized void hold() {
        holding = true;
    }

    synchronized int heldWrites() {
        return held.size();
    }

    synchronized void release() {
        holding = false;
        held.forEach(write -> write.complete(null));
        held.clear();
    }

    synchronized void fail(Exception cause) {
        holding = false;
        held.forEach(write -> write.completeExceptionally(cause));
        held.clear();
    }

    @Override
    public synchronized CompletableFuture<Void> save(String vhost, Definitions definitions) {
        if (!holding) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> write = new CompletableFuture<>();
        held.add(write);
        return write;
    }
}
