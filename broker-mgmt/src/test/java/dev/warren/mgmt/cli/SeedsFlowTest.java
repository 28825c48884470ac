package dev.warren.mgmt.cli;

import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import dev.warren.mgmt.http.ManagementFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed flow, as an operator runs it against the local node (no password: the data directory's
 * secret): create alex with warrenctl, make them an administrator with every permission on "/", then alex
 * publishes and consumes with the RabbitMQ Java client, a wrong password is refused with 403 ACCESS_REFUSED,
 * and deleting alex drops alex's open connection.
 */
class SeedsFlowTest {

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void anOperatorCreatesAlexWhoPublishesAndConsumesUntilDeleted() throws Exception {
        try (ManagementFixture node = ManagementFixture.start()) {
            Map<String, String> env = Map.of("WARREN_DATA_DIR", node.dataDir().toString());

            CliRun add = CliRun.run(env, "add_user", "alex", "123");
            assertEquals(0, add.exit(), add.toString());
            assertTrue(add.out().startsWith("Adding user \"alex\" ...\n"), add.toString());

            CliRun tags = CliRun.run(env, "set_user_tags", "alex", "administrator");
            assertEquals(0, tags.exit(), tags.toString());
            assertEquals("Setting tags for user \"alex\" to [administrator] ...\n", tags.out());

            CliRun permissions = CliRun.run(env, "set_permissions", "-p", "/", "alex", ".*", ".*", ".*");
            assertEquals(0, permissions.exit(), permissions.toString());
            assertEquals("Setting permissions for user \"alex\" in vhost \"/\" ...\n", permissions.out());

            CliRun users = CliRun.run(env, "-q", "list_users");
            assertTrue(users.out().contains("alex\t[administrator]\n"), users.toString());
            CliRun granted = CliRun.run(env, "-q", "list_permissions", "-p", "/");
            assertTrue(granted.out().contains("alex\t.*\t.*\t.*\n"), granted.toString());

            CliRun authenticated = CliRun.run(env, "authenticate_user", "alex", "123");
            assertEquals(0, authenticated.exit(), authenticated.toString());
            assertEquals("Authenticating user \"alex\" ...\nSuccess\n", authenticated.out());

            Connection alex = node.connectionFactory("alex", "123").newConnection("alex's app");
            CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
            alex.addShutdownListener(closed::complete);
            Channel channel = alex.createChannel();
            String queue = channel.queueDeclare("seed-flow", false, false, false, null).getQueue();
            channel.basicPublish("", queue, null, "hello from alex".getBytes(StandardCharsets.UTF_8));
            GetResponse[] got = new GetResponse[1];
            Await.until(Duration.ofSeconds(10), () -> {
                try {
                    got[0] = channel.basicGet(queue, true);
                    return got[0] != null;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "alex's message can be consumed");
            assertEquals("hello from alex", new String(got[0].getBody(), StandardCharsets.UTF_8));

            AuthenticationFailureException refused = assertThrows(AuthenticationFailureException.class,
                    () -> node.connectionFactory("alex", "wrong").newConnection());
            assertTrue(refused.getMessage().contains("ACCESS_REFUSED"), refused.getMessage());
            CliRun wrong = CliRun.run(env, "authenticate_user", "alex", "wrong");
            assertEquals(ExitCodes.DATAERR, wrong.exit(), wrong.toString());
            assertTrue(wrong.err().contains("failed to authenticate user \"alex\""), wrong.toString());

            CliRun delete = CliRun.run(env, "delete_user", "alex");
            assertEquals(0, delete.exit(), delete.toString());
            assertEquals("Deleting user \"alex\" ...\n", delete.out());
            ShutdownSignalException why = closed.get(10, TimeUnit.SECONDS);
            assertNotNull(why);
            assertFalse(alex.isOpen());
            assertFalse(CliRun.run(env, "-q", "list_users").out().contains("alex"));
            assertThrows(AuthenticationFailureException.class,
                    () -> node.connectionFactory("alex", "123").newConnection());
        }
    }
}
