package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import com.rabbitmq.client.ShutdownSignalException;
import dev.warren.core.auth.Users;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class WarrenServerIT {
    @TempDir
    Path dir;

    private ServerConfig config() {
        return ServerConfig.defaults().withAmqpPort(0).withMgmtPort(0).withDataDir(dir.resolve("nested").resolve("data"));
    }

    private static ConnectionFactory factory(int port) {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(port);
        factory.setUsername("guest");
        factory.setPassword("guest");
        factory.setConnectionTimeout(5_000);
        factory.setHandshakeTimeout(5_000);
        factory.setShutdownTimeout(2_000);
        factory.setChannelRpcTimeout(5_000);
        factory.setAutomaticRecoveryEnabled(false);
        return factory;
    }

    @Test
    void startingCreatesTheDataDirectoryAndListensOnAPickedPort() throws Exception {
        try (WarrenServer server = WarrenServer.start(config())) {
            assertTrue(Files.isDirectory(dir.resolve("nested").resolve("data")));
            assertNotEquals(0, server.amqpPort());
        }
    }

    @Test
    void aClientCanPublishAndConsumeAMessage() throws Exception {
        try (WarrenServer server = WarrenServer.start(config());
             Connection connection = factory(server.amqpPort()).newConnection()) {
            Channel channel = connection.createChannel();
            String queue = channel.queueDeclare("", false, true, true, null).getQueue();
            BlockingQueue<byte[]> received = new ArrayBlockingQueue<>(1);
            channel.basicConsume(queue, true, (tag, delivery) -> received.add(delivery.getBody()), tag -> { });

            channel.basicPublish("", queue, null, "hello".getBytes(StandardCharsets.UTF_8));

            byte[] body = received.poll(10, TimeUnit.SECONDS);
            assertNotNull(body, "no delivery within 10 s");
            assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), body);
        }
    }

    @Test
    void eventLoopsDefaultToOnePerCoreButOne() throws Exception {
        try (WarrenServer server = WarrenServer.start(config())) {
            assertEquals(Math.max(1, Runtime.getRuntime().availableProcessors() - 1), server.eventLoops());
        }
    }

    @Test
    void withOneEventLoopAPublisherAndAConsumerOnTwoConnectionsShareIt() throws Exception {
        try (WarrenServer server = WarrenServer.start(config().withEventLoops(1));
             Connection consuming = factory(server.amqpPort()).newConnection();
             Connection publishing = factory(server.amqpPort()).newConnection()) {
            assertEquals(1, server.eventLoops());
            Channel consumer = consuming.createChannel();
            consumer.queueDeclare("shared-loop", true, false, false, null);
            BlockingQueue<String> received = new ArrayBlockingQueue<>(2);
            consumer.basicConsume("shared-loop", false, (tag, delivery) -> {
                received.add(new String(delivery.getBody(), StandardCharsets.UTF_8));
                consumer.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
            }, tag -> { });
            Channel publisher = publishing.createChannel();
            publisher.confirmSelect();
            for (String body : new String[] {"one", "two"}) {
                publisher.basicPublish("", "shared-loop", MessageProperties.PERSISTENT_TEXT_PLAIN,
                        body.getBytes(StandardCharsets.UTF_8));
            }
            publisher.waitForConfirmsOrDie(10_000);

            assertEquals("one", received.poll(10, TimeUnit.SECONDS));
            assertEquals("two", received.poll(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void theConfiguredDefaultUserIsTheOneThatCanLogIn() throws Exception {
        ServerConfig config = config().withDefaultUser("admin").withDefaultPass("s3cret");
        try (WarrenServer server = WarrenServer.start(config)) {
            ConnectionFactory admin = factory(server.amqpPort());
            admin.setUsername("admin");
            admin.setPassword("s3cret");
            try (Connection connection = admin.newConnection()) {
                Channel channel = connection.createChannel();
                channel.queueDeclare("q", false, false, false, null);
                channel.basicPublish("", "q", null, new byte[] {1});
                GetResponse response = null;
                for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                     response == null && System.nanoTime() < deadline; ) {
                    response = channel.basicGet("q", true);
                }
                assertNotNull(response, "message never became available to basic.get");
            }
            assertThrows(AuthenticationFailureException.class, () -> factory(server.amqpPort()).newConnection());
        }
    }

    @Test
    void clientsCanOpenTheConfiguredDefaultVhost() throws Exception {
        try (WarrenServer server = WarrenServer.start(config().withDefaultVhost("prod"))) {
            ConnectionFactory factory = factory(server.amqpPort());
            factory.setVirtualHost("prod");
            try (Connection connection = factory.newConnection()) {
                Channel channel = connection.createChannel();
                assertEquals(0, channel.queueDeclare("in-prod", true, false, false, null).getMessageCount());
            }
        }
    }

    @Test
    void loopbackUsersMayLogInOnlyFromThisMachineAndTheListIsConfigurable() throws Exception {
        InetAddress remote = InetAddress.getByName("192.0.2.10"); // TEST-NET-1: never this machine
        InetAddress local = InetAddress.getLoopbackAddress();
        Users defaults = WarrenServer.users(config());
        assertTrue(defaults.authenticate("guest", "guest", local).isPresent());
        assertTrue(defaults.authenticate("guest", "guest", remote).isEmpty(), "guest is loopback-only by default");

        Users none = WarrenServer.users(config().withLoopbackUsers(Set.of()));
        assertTrue(none.authenticate("guest", "guest", remote).isPresent(), "loopback_users = none");

        Users admin = WarrenServer.users(config().withDefaultUser("admin").withDefaultPass("pw")
                .withLoopbackUsers(Set.of("admin")));
        assertTrue(admin.authenticate("admin", "pw", remote).isEmpty(), "loopback_users.admin = true");
        assertTrue(admin.authenticate("admin", "pw", local).isPresent());
        assertEquals(Set.of("administrator"), admin.user("admin").orElseThrow().tags());
    }

    @Test
    void theNegotiatedLimitsAreTheConfiguredOnes() throws Exception {
        ServerConfig config = config().withHeartbeat(17).withFrameMax(65536).withChannelMax(99);
        try (WarrenServer server = WarrenServer.start(config)) {
            ConnectionFactory factory = factory(server.amqpPort());
            factory.setRequestedHeartbeat(0);
            factory.setRequestedFrameMax(0);
            factory.setRequestedChannelMax(0);
            try (Connection connection = factory.newConnection()) {
                assertEquals(17, connection.getHeartbeat());
                assertEquals(65536, connection.getFrameMax());
                assertEquals(99, connection.getChannelMax());
            }
        }
    }

    @Test
    void theConfiguredConsumerTimeoutClosesTheChannelOfADeliveryNotAcked() throws Exception {
        try (WarrenServer server = WarrenServer.start(config().withConsumerTimeout(300));
             Connection connection = factory(server.amqpPort()).newConnection()) {
            Channel channel = connection.createChannel();
            String queue = channel.queueDeclare("", false, false, true, null).getQueue();
            channel.basicPublish("", queue, null, new byte[] {1});
            BlockingQueue<ShutdownSignalException> closed = new ArrayBlockingQueue<>(1);
            channel.addShutdownListener(closed::add);
            assertNotNull(channel.basicGet(queue, false), "the message"); // and never acked

            ShutdownSignalException cause = closed.poll(10, TimeUnit.SECONDS);
            assertNotNull(cause, "the channel was not closed within 10 s");
            String text = ((AMQP.Channel.Close) cause.getReason()).getReplyText();
            assertTrue(text.contains("Timeout value used: 300 ms"), text);
            assertTrue(connection.isOpen(), "only the channel is closed");
        }
    }

    @Test
    void afterCloseNothingListensOnThePort() throws Exception {
        WarrenServer server = WarrenServer.start(config());
        int port = server.amqpPort();
        server.close();
        server.close(); // closing twice is harmless
        assertThrows(IOException.class, () -> factory(port).newConnection());
    }

    @Test
    void aTakenPortIsReportedAsAnIoErrorNamingThePort() throws Exception {
        try (WarrenServer first = WarrenServer.start(config())) {
            ServerConfig clash = config().withAmqpPort(first.amqpPort()).withDataDir(dir.resolve("second"));
            IOException e = assertThrows(IOException.class, () -> WarrenServer.start(clash).close());
            assertTrue(e.getMessage().contains("port " + first.amqpPort()), e.getMessage());
        }
    }

    @Test
    void aSecondBrokerOnADataDirectoryInUseIsRefusedNamingTheLock() throws Exception {
        try (WarrenServer first = WarrenServer.start(config())) {
            IOException e = assertThrows(IOException.class, () -> WarrenServer.start(config()).close());
            assertTrue(e.getMessage().contains("is in use by another Warren"), e.getMessage());
            try (Connection stillServing = factory(first.amqpPort()).newConnection()) {
                assertTrue(stillServing.isOpen());
            }
        }
    }
}
