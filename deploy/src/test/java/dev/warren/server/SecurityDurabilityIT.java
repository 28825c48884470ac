package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.warren.core.Broker;
import dev.warren.core.auth.Permission;
import dev.warren.core.auth.TopicPermission;
import dev.warren.core.limits.Limits;
import dev.warren.core.auth.User;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Users, tags, permissions, topic permissions, limits and virtual hosts are durable: a restart on the same data directory keeps them. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SecurityDurabilityIT {
    @TempDir
    Path dataDir;
    private WarrenServer server;

    private ServerConfig config() {
        return ServerConfig.defaults().withAmqpPort(0).withMgmtPort(0).withDataDir(dataDir);
    }

    private void restart() throws Exception {
        server.close();
        server = WarrenServer.start(config());
    }

    private Connection connect(String user, String password, String vhost) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(server.amqpPort());
        factory.setUsername(user);
        factory.setPassword(password);
        factory.setVirtualHost(vhost);
        factory.setAutomaticRecoveryEnabled(false);
        factory.setConnectionTimeout(5_000);
        return factory.newConnection();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void usersTagsPermissionsAndVirtualHostsSurviveARestart() throws Exception {
        server = WarrenServer.start(config());
        Broker broker = server.broker();
        broker.users().add("alex", "123", Set.of("management"));
        broker.users().setTags("alex", Set.of("administrator", "monitoring"));
        assertTrue(broker.createVirtualHost("orders"));
        broker.users().setPermission("alex", "orders", new Permission("^alex-", ".*", "^alex-"));
        broker.users().setTopicPermission(TopicPermission.of("alex", "orders", "amq.topic", "^{username}\\.", "^public\\."));
        broker.users().setLimits("alex", new Limits(Map.of(Limits.MAX_CHANNELS, 50L)));
        broker.vhost("orders").limits(new Limits(Map.of(Limits.MAX_QUEUES, 10L)));
        broker.users().changePassword("guest", "changed");

        restart();

        Broker after = server.broker();
        User alex = after.users().user("alex").orElseThrow();
        assertEquals(Set.of("administrator", "monitoring"), alex.tags());
        assertEquals(new Permission("^alex-", ".*", "^alex-"), after.users().permission("alex", "orders").orElseThrow());
        assertEquals(TopicPermission.of("alex", "orders", "amq.topic", "^{username}\\.", "^public\\."),
                after.users().topicPermission("alex", "orders", "amq.topic").orElseThrow());
        assertEquals(new Limits(Map.of(Limits.MAX_CHANNELS, 50L)), after.users().limits("alex"));
        assertEquals(new Limits(Map.of(Limits.MAX_QUEUES, 10L)), after.vhost("orders").limits());
        assertTrue(after.vhost("orders") != null);
        try (Connection c = connect("alex", "123", "orders")) {
            assertTrue(c.isOpen());
        }
        assertThrows(AuthenticationFailureException.class, () -> connect("guest", "guest", "/"),
                "the changed password is the stored one, not the configured default");
        connect("guest", "changed", "/").close();
    }

    @Test
    void deletedUsersAndVirtualHostsStayDeleted() throws Exception {
        server = WarrenServer.start(config());
        Broker broker = server.broker();
        broker.users().add("admin2", "pw", Set.of("administrator"));
        broker.createVirtualHost("other");
        broker.users().setPermission("admin2", "other", Permission.ALL);
        assertTrue(broker.deleteUser("guest"));
        assertTrue(broker.deleteVirtualHost("/"));

        restart();

        Broker after = server.broker();
        assertFalse(after.users().user("guest").isPresent(), "the default user is created on the first start only");
        assertNull(after.vhost("/"), "the default vhost is created on the first start only");
        try (Connection c = connect("admin2", "pw", "other")) {
            assertTrue(c.isOpen());
        }
    }

    @Test
    void aDurableQueueInAnotherVirtualHostComesBackThere() throws Exception {
        server = WarrenServer.start(config());
        server.broker().createVirtualHost("v2");
        server.broker().users().setPermission("guest", "v2", Permission.ALL);
        try (Connection c = connect("guest", "guest", "v2")) {
            c.createChannel().queueDeclare("v2-queue", true, false, false, null);
        }

        restart();

        assertTrue(server.broker().vhost("v2").queue("v2-queue") != null);
        assertNull(server.broker().vhost("/").queue("v2-queue"));
    }
}
