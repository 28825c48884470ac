package dev.warren.core.connection;

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

    /** Closes the connection with 320 CONNECTION_FORCED and this reason; returns at once. */
    void forceClose(String reason);
}
