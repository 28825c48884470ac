package dev.warren.amqp.it;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** One in-process broker per class, a connection and channel per test, queues declared from scratch. */
abstract class LifecycleITBase {
    static BrokerFixture broker;
    Connection connection;
    Channel channel;
    private final Set<String> declared = new LinkedHashSet<>();

    @BeforeAll
    static void start() throws Exception {
        broker = BrokerFixture.start();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @BeforeEach
    void open() throws Exception {
        connection = broker.connect();
        channel = connection.createChannel();
    }

    /** Deletes what the test declared, so a run against a shared RabbitMQ (-Dwarren.it.port) leaves nothing behind. */
    @AfterEach
    void close() throws Exception {
        if (connection.isOpen()) {
            Channel cleanup = connection.createChannel();
            for (String queue : declared) {
                cleanup.queueDelete(queue);
            }
            connection.close();
        }
    }

    /** A non-durable queue, deleted first so a test starts clean also on a long-running broker. */
    void declare(String queue, Map<String, Object> arguments) throws Exception {
        channel.queueDelete(queue);
        channel.queueDeclare(queue, false, false, false, arguments);
        declared.add(queue);
    }
}
