package dev.warren.amqp;

import dev.warren.core.AmqpException;
import dev.warren.core.ReplyCode;
import dev.warren.core.connection.ChannelInfo;
import dev.warren.core.connection.ClientConnection;
import dev.warren.core.connection.ConnectionInfo;
import dev.warren.core.stats.ConnectionCounters;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * An open AMQP connection as the broker's registry sees it. Every call that needs the connection's state
 * hops to its event loop, so it is safe from any thread.
 */
final class AmqpClientConnection implements ClientConnection {
    private final AmqpConnection connection;
    private final ConnectionInfo info;
    private final ConnectionCounters counters;

    AmqpClientConnection(AmqpConnection connection, ConnectionInfo info, ConnectionCounters counters) {
        this.connection = connection;
        this.info = info;
        this.counters = counters;
    }

    @Override
    public ConnectionCounters counters() {
        return counters;
    }

    @Override
    public ConnectionInfo info() {
        return info;
    }

    @Override
    public int channelCount() {
        return connection.openChannels();
    }

    @Override
    public CompletableFuture<List<ChannelInfo>> channels() {
        CompletableFuture<List<ChannelInfo>> result = new CompletableFuture<>();
        try {
            connection.ctx().executor().execute(() -> result.complete(connection.channelInfos()));
        } catch (RejectedExecutionException e) {
            result.complete(List.of()); // the broker is stopping
        }
        return result;
    }

    @Override
    public String state() {
        return connection.state();
    }

    @Override
    public void forceClose(String reason) {
        AmqpException error = new AmqpException(ReplyCode.CONNECTION_FORCED, reason);
        try {
            connection.ctx().executor().execute(() -> connection.closeWithError(error));
        } catch (RejectedExecutionException e) {
            // the broker is stopping and closes every connection itself
        }
    }
}
