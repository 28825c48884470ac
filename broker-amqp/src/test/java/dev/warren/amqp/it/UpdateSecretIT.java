package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.impl.CredentialsProvider;
import com.rabbitmq.client.impl.CredentialsRefreshService;
import dev.warren.core.auth.Permission;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * connection.update-secret, sent the way the RabbitMQ Java client sends it: its credentials refresh service
 * calls back when a token nears expiry and the connection sends the provider's new password. A secret that
 * authenticates keeps the connection; one that does not closes it with RabbitMQ's 530 and text (RabbitMQ's
 * internal user store accepts any secret, so that half is Warren's own and runs only against Warren).
 */
@Timeout(60)
class UpdateSecretIT extends SharedBrokerIT {

    /** A token source whose password the test sets, and the refresh callback the connection registered. */
    private static final class RefreshableCredentials implements CredentialsProvider, CredentialsRefreshService {
        private final String user;
        volatile String password;
        volatile Callable<Boolean> refresh;

        RefreshableCredentials(String user, String password) {
            this.user = user;
            this.password = password;
        }

        @Override
        public String getUsername() {
            return user;
        }

        @Override
        public String getPassword() {
            return password;
        }

        @Override
        public Duration getTimeBeforeExpiration() {
            return Duration.ofHours(1); // a token that expires: the connection registers for refreshes
        }

        @Override
        public String register(CredentialsProvider provider, Callable<Boolean> approachingExpirationCallback) {
            refresh = approachingExpirationCallback;
            return "registration";
        }

        @Override
        public void unregister(CredentialsProvider provider, String registrationId) {
        }

        @Override
        public boolean isApproachingExpiration(Duration timeBeforeExpiration) {
            return false;
        }

        /** Sends connection.update-secret with the current password; true when the broker accepted it. */
        boolean refreshNow() throws Exception {
            assertNotNull(refresh, "the connection registered no refresh callback");
            return refresh.call();
        }
    }

    private static Connection connect(RefreshableCredentials credentials) throws Exception {
        ConnectionFactory factory = broker.factory();
        factory.setCredentialsProvider(credentials);
        factory.setCredentialsRefreshService(credentials);
        return factory.newConnection();
    }

    private static void assertChannelWorks(Connection connection) throws Exception {
        Channel channel = connection.createChannel();
        String queue = channel.queueDeclare().getQueue();
        channel.basicPublish("", queue, new AMQP.BasicProperties(), "after refresh".getBytes(StandardCharsets.UTF_8));
        BrokerFixture.await("the message published after the refresh", 5_000, () -> {
            try {
                GetResponse got = channel.basicGet(queue, true);
                return got != null && "after refresh".equals(new String(got.getBody(), StandardCharsets.UTF_8));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        channel.close();
    }

    @Test
    void aSecretThatAuthenticatesIsAcceptedAndTheConnectionKeepsWorking() throws Exception {
        RefreshableCredentials credentials = new RefreshableCredentials("guest", "guest");
        try (Connection connection = connect(credentials)) {
            Channel opened = connection.createChannel();
            assertTrue(credentials.refreshNow(), "update-secret was refused");
            assertTrue(connection.isOpen());
            assertTrue(opened.isOpen(), "a channel opened before the refresh was closed");
            assertChannelWorks(connection);
        }
    }

    @Test
    void aRotatedPasswordIsAcceptedAsTheNewSecret() throws Exception {
        Assumptions.assumeTrue(BrokerFixture.againstWarren(), "changes a user inside the broker");
        broker.broker().users().create("token-user", "token-1", Set.of());
        broker.broker().users().setPermission("token-user", "/", Permission.ALL);
        RefreshableCredentials credentials = new RefreshableCredentials("token-user", "token-1");
        try (Connection connection = connect(credentials)) {
            broker.broker().users().changePassword("token-user", "token-2");
            credentials.password = "token-2";
            assertTrue(credentials.refreshNow(), "the rotated password was refused");
            assertChannelWorks(connection);
        }
    }

    @Test
    void aSecretThatDoesNotAuthenticateClosesTheConnectionWithNotAllowed() throws Exception {
        Assumptions.assumeTrue(BrokerFixture.againstWarren(), "RabbitMQ's internal user store accepts any secret");
        RefreshableCredentials credentials = new RefreshableCredentials("guest", "guest");
        try (Connection bystander = broker.connect()) {
            Connection connection = connect(credentials);
            credentials.password = "not the password";
            assertFalse(credentials.refreshNow(), "a wrong secret was accepted");
            BrokerFixture.await("the connection closed", 5_000, () -> !connection.isOpen());
            AMQP.Connection.Close close = (AMQP.Connection.Close) connection.getCloseReason().getReason();
            assertEquals(530, close.getReplyCode());
            assertEquals("NOT_ALLOWED - New secret was refused by one of the backends: it does not authenticate user 'guest'",
                    close.getReplyText());
            assertTrue(bystander.isOpen(), "another connection was affected");
            assertChannelWorks(bystander);
        }
    }
}
