package dev.warren.core.store;

/**
 * Told once whether a write to the store reached the disk as the fsync policy promises. Runs on the
 * store's own thread: an implementation only hands the outcome over (e.g. posts it to an event loop).
 */
@FunctionalInterface
public interface WriteCallback {
    /** @param failure null when the write is durable; else why it never will be (the store failed) */
    void completed(Throwable failure);
}
