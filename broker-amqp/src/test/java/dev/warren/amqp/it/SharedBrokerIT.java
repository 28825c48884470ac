package dev.warren.amqp.it;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of integration test classes that share one in-process broker per class: every test opens its own
 * connections through {@link #connect()} or {@link #channel()}, and they are aborted after it.
 */
abstract class SharedBrokerIT {
    static final long WAIT_MILLIS = 5_000;
    static BrokerFixture broker;
    final List<Connection> connections = new ArrayList<>();

    @BeforeAll
    static void startBroker() throws Exception {
        broker = BrokerFixture.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @AfterEach
    void closeConnections() {
        connections.forEach(c -> c.abort(2_000));
    }

    Connection connect() throws Exception {
        return track(broker.connect());
    }

    /** Registers a connection opened some other way, so it is closed after the test too. */
    Connection track(Connection connection) {
        connections.add(connection);
        return connection;
    }

    Channel channel() throws Exception {
        return connect().createChannel();
    }
}
