package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import dev.warren.core.VirtualHost;
import dev.warren.core.auth.Permission;
import dev.warren.core.limits.Limits;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Virtual host limits (max-connections, max-queues) and user limits (max-connections, max-channels), refused
 * with RabbitMQ's codes and texts (taken from RabbitMQ 3.10.8 with rabbitmqctl set_vhost_limits /
 * set_user_limits and the Java client), and allowed again once cleared.
 */
@Timeout(60)
class LimitsIT extends SharedBrokerIT {
    private static final String VHOST = "limited";
    private static final String USER = "limited-user";

    private VirtualHost vhost() {
        broker.broker().addVirtualHost(VHOST);
        broker.broker().users().setPermission("guest", VHOST, Permission.ALL);
        return broker.broker().vhost(VHOST);
    }

    @AfterEach
    void clearLimits() {
        if (broker.broker().vhost(VHOST) != null) {
            broker.broker().vhost(VHOST).limits(Limits.NONE);
        }
        broker.broker().users().delete(USER);
    }

    private ConnectionFactory inVhost() {
        ConnectionFactory factory = broker.factory();
        factory.setVirtualHost(VHOST);
        return factory;
    }

    private ConnectionFactory asUser() {
        broker.broker().users().create(USER, "pw", Set.of());
        broker.broker().users().setPermission(USER, "/", Permission.ALL);
        ConnectionFactory factory = broker.factory();
        factory.setUsername(USER);
        factory.setPassword("pw");
        return factory;
    }

    private static AMQP.Connection.Close refusedConnection(ConnectionFactory factory) {
        IOException e = assertThrows(IOException.class, factory::newConnection);
        return (AMQP.Connection.Close) ((ShutdownSignalException) e.getCause()).getReason();
    }

    @Test
    void aVhostsConnectionLimitRefusesTheNextConnectionWith530UntilCleared() throws Exception {
        vhost().limits(new Limits(Map.of(Limits.MAX_CONNECTIONS, 1L)));
        track(inVhost().newConnection());
        AMQP.Connection.Close close = refusedConnection(inVhost());
        assertEquals(530, close.getReplyCode());
        assertEquals("NOT_ALLOWED - access to vhost 'limited' refused for user 'guest': connection limit (1) is reached",
                close.getReplyText());
        assertTrue(connect().isOpen(), "other virtual hosts are not limited");

        vhost().limits(Limits.NONE);
        track(inVhost().newConnection());
    }

    @Test
    void aVhostsQueueLimitRefusesANewQueueWith406ButNotARedeclare() throws Exception {
        vhost().limits(new Limits(Map.of(Limits.MAX_QUEUES, 1L)));
        Connection connection = track(inVhost().newConnection());
        Channel channel = connection.createChannel();
        channel.queueDeclare("limited-q1", false, false, true, null);
        IOException e = assertThrows(IOException.class, () -> channel.queueDeclare("limited-q2", false, false, true, null));
        AMQP.Channel.Close close = (AMQP.Channel.Close) ((ShutdownSignalException) e.getCause()).getReason();
        assertEquals(406, close.getReplyCode());
        assertEquals("PRECONDITION_FAILED - cannot declare queue 'limited-q2': queue limit in vhost 'limited' (1) is reached",
                close.getReplyText());
        Channel again = connection.createChannel();
        again.queueDeclare("limited-q1", false, false, true, null); // an existing queue may be redeclared

        vhost().limits(new Limits(Map.of(Limits.MAX_QUEUES, -1L))); // negative: no limit
        again.queueDeclare("limited-q2", false, false, true, null);
        again.queueDelete("limited-q1");
        again.queueDelete("limited-q2");
    }

    @Test
    void aUsersConnectionLimitRefusesTheNextConnectionWith530() throws Exception {
        ConnectionFactory factory = asUser();
        broker.broker().users().setLimits(USER, new Limits(Map.of(Limits.MAX_CONNECTIONS, 1L)));
        track(factory.newConnection());
        AMQP.Connection.Close close = refusedConnection(factory);
        assertEquals(530, close.getReplyCode());
        assertEquals("NOT_ALLOWED - connection refused for user 'limited-user': user connection limit (1) is reached",
                close.getReplyText());
        assertTrue(connect().isOpen(), "other users are not limited");
    }

    @Test
    void aUsersChannelLimitCountsEveryConnectionAndClosesTheOneThatPassesIt() throws Exception {
        ConnectionFactory factory = asUser();
        broker.broker().users().setLimits(USER, new Limits(Map.of(Limits.MAX_CHANNELS, 2L)));
        Connection first = track(factory.newConnection());
        first.createChannel();
        Connection second = track(factory.newConnection());
        second.createChannel();
        assertThrows(IOException.class, second::createChannel);
        BrokerFixture.await("the connection to close", 5_000, () -> !second.isOpen());
        AMQP.Connection.Close close = (AMQP.Connection.Close) second.getCloseReason().getReason();
        assertEquals(530, close.getReplyCode());
        assertEquals("NOT_ALLOWED - number of channels opened for user 'limited-user' has reached the maximum allowed "
                + "user limit of (2)", close.getReplyText());
        assertTrue(first.isOpen());

        broker.broker().users().setLimits(USER, Limits.NONE);
        first.createChannel();
        first.createChannel();
    }
}
