package dev.warren.server;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the tests that run a server on a temporary data directory and restart it there: opens client
 * channels on it, restarts it (the clients' connections are cut first) and stops it after each test.
 */
abstract class RestartingServerTest {
    @TempDir
    Path dataDir;
    WarrenServer server;
    private final List<Connection> connections = new ArrayList<>();

    ServerConfig config() {
        return ServerConfig.defaults().withAmqpPort(0).withMgmtPort(0).withDataDir(dataDir);
    }

    Channel open() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(server.amqpPort());
        factory.setAutomaticRecoveryEnabled(false);
        factory.setConnectionTimeout(5_000);
        factory.setChannelRpcTimeout(10_000);
        Connection connection = factory.newConnection();
        connections.add(connection);
        return connection.createChannel();
    }

    void restart() throws Exception {
        closeConnections();
        server.close();
        server = WarrenServer.start(config());
    }

    void closeConnections() {
        for (Connection c : connections) {
            try {
                c.abort(2000);
            } catch (RuntimeException ignored) {
                // already gone
            }
        }
        connections.clear();
    }

    /** A queue's ready messages, by passive declare. */
    static long count(Channel ch, String queue) {
        try {
            return ch.queueDeclarePassive(queue).getMessageCount();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the condition holds, failing after the deadline instead of sleeping a fixed time. */
    static void await(String what, long timeoutMillis, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @AfterEach
    void stopServer() {
        closeConnections();
        if (server != null) {
            server.close();
        }
    }
}
