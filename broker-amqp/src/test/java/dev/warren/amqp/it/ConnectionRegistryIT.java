package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import dev.warren.core.Broker;
import dev.warren.core.auth.Permission;
import dev.warren.core.connection.ChannelInfo;
import dev.warren.core.connection.ClientConnection;
import dev.warren.core.connection.ConnectionInfo;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The broker's view of open connections (what management lists and closes), and RabbitMQ's rule that
 * deleting a user or a virtual host closes the connections that depend on it with 320.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConnectionRegistryIT extends SharedBrokerIT {

    /** Finds a connection by the name the client gave it (client property connection_name). */
    private static ClientConnection registered(Connection c) throws InterruptedException {
        Broker b = broker.broker();
        String name = c.getClientProvidedName();
        BrokerFixture.await("the connection in the registry", WAIT_MILLIS,
                () -> b.connections().list().stream().anyMatch(x -> named(x, name)));
        return b.connections().list().stream().filter(x -> named(x, name)).findFirst().orElseThrow();
    }

    private static boolean named(ClientConnection c, String name) {
        return name.equals(String.valueOf(c.info().clientProperties().get("connection_name")));
    }

    private Connection connectNamed(ConnectionFactory factory, String name) throws Exception {
        return track(factory.newConnection(name));
    }

    private static ShutdownSignalException awaitClosed(Connection c) throws InterruptedException {
        BlockingQueue<ShutdownSignalException> closed = new LinkedBlockingQueue<>();
        c.addShutdownListener(closed::add);
        if (!c.isOpen()) {
            return c.getCloseReason();
        }
        return closed.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Test
    void anOpenConnectionIsListedWithItsUserVhostAndChannels() throws Exception {
        Connection c = connectNamed(broker.factory(), "listed");
        Channel ch = c.createChannel();
        ch.basicQos(7);
        ch.confirmSelect();
        String q = ch.queueDeclare().getQueue();
        ch.basicConsume(q, false, "registry-tag", (tag, d) -> { }, tag -> { });
        ClientConnection found = registered(c);
        ConnectionInfo info = found.info();
        assertEquals("guest", info.user());
        assertEquals("/", info.vhost());
        assertEquals("127.0.0.1:" + info.peer().getPort() + " -> 127.0.0.1:" + broker.port(), info.name());
        assertEquals("PLAIN", info.authMechanism());
        assertTrue(info.clientProperties().containsKey("product"), "the client's properties are kept");
        assertEquals(1, found.channelCount());
        List<ChannelInfo> channels = found.channels().get(5, TimeUnit.SECONDS);
        assertEquals(1, channels.size());
        ChannelInfo channel = channels.get(0);
        assertEquals(7, channel.prefetchCount());
        assertTrue(channel.confirm());
        assertEquals(1, channel.consumers().size());
        assertEquals("registry-tag", channel.consumers().get(0).tag());
        assertEquals(q, channel.consumers().get(0).queue());
        assertTrue(channel.consumers().get(0).ackRequired());
    }

    @Test
    void aClosedConnectionLeavesTheRegistry() throws Exception {
        Connection c = connectNamed(broker.factory(), "closing");
        ClientConnection found = registered(c);
        c.close();
        BrokerFixture.await("the registry to forget it", WAIT_MILLIS,
                () -> broker.broker().connections().named(found.info().name()).isEmpty());
    }

    @Test
    void forceCloseSends320WithTheReason() throws Exception {
        Connection c = connectNamed(broker.factory(), "forced");
        registered(c).forceClose("Closed via management plugin");
        ShutdownSignalException signal = awaitClosed(c);
        assertConnectionClosed(signal, 320, "CONNECTION_FORCED - Closed via management plugin");
    }

    @Test
    void deletingAUserClosesTheirConnectionsOnly() throws Exception {
        broker.broker().users().add("leaving", "pw", Set.of());
        broker.broker().users().setPermission("leaving", "/", Permission.ALL);
        ConnectionFactory factory = broker.factory();
        factory.setUsername("leaving");
        factory.setPassword("pw");
        Connection theirs = connectNamed(factory, "theirs");
        Connection mine = connect();
        registered(theirs);
        assertTrue(broker.broker().deleteUser("leaving"));
        assertConnectionClosed(awaitClosed(theirs), 320, "user 'leaving' was deleted");
        assertTrue(mine.isOpen());
        assertFalse(broker.broker().users().user("leaving").isPresent());
    }

    @Test
    void deletingAVirtualHostClosesItsConnectionsAndDeletesItsQueues() throws Exception {
        Broker b = broker.broker();
        b.createVirtualHost("doomed");
        b.users().setPermission("guest", "doomed", Permission.ALL);
        ConnectionFactory factory = broker.factory();
        factory.setVirtualHost("doomed");
        Connection inside = track(factory.newConnection());
        Channel ch = inside.createChannel();
        ch.queueDeclare("doomed-q", true, false, false, null);
        publish(ch, "doomed-q", "m");
        Connection outside = connect();
        assertTrue(b.deleteVirtualHost("doomed"));
        assertConnectionClosed(awaitClosed(inside), 320, "vhost 'doomed' is deleted");
        assertTrue(outside.isOpen());
        assertNull(b.vhost("doomed"));
        assertTrue(b.users().permission("guest", "doomed").isEmpty(), "permissions in a deleted vhost go with it");
        assertFalse(b.deleteVirtualHost("doomed"));
    }
}
