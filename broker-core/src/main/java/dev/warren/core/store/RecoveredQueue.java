package dev.warren.core.store;

/**
 * A durable queue's messages as the store found them on start: their locations in queue order, each
 * possibly flagged {@link Locations#REDELIVERED}.
 */
public record RecoveredQueue(String vhost, String name, int queueId, long[] entries) {
}
