package dev.warren.core.connection;

import dev.warren.core.stats.ConnectionCounters;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * An open client connection as the rest of the broker sees it (management, user and vhost deletion),
 * whatever protocol it speaks. Safe to call from any thread.
 */
public interface ClientConnection {
    ConnectionInfo info();

    int channelCount();

    /** The channels and their consumers as they are now, read on the connection's own thread. */
    CompletableFuture<List<ChannelInfo>> channels();

    /**
     * RabbitMQ's connection state: "running"; "flow" while publishing is held back by flow control (the broker
     * is not reading it); "blocked" while a resource alarm blocks it.
     */
    default String state() {
        return "running";
    }

    /** The message counters of the connection's channels, for management's rates: the same object while open. */
    ConnectionCounters counters();

    /** Closes the connection with 320 CONNECTION_FORCED and this reason; returns at once. */
    void forceClose(String reason);
}
