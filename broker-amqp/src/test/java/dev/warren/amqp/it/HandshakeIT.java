package dev.warren.amqp.it;

import static dev.warren.amqp.it.RawAssertions.assertReadableReplyText;
import static dev.warren.amqp.it.RawAssertions.connectionClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.SaslConfig;
import com.rabbitmq.client.SaslMechanism;
import com.rabbitmq.client.impl.LongStringHelper;
import dev.warren.amqp.AmqpServer;
import dev.warren.amqp.AmqpSettings;
import dev.warren.amqp.it.RawAmqpClient.CloseReason;
import dev.warren.amqp.it.RawAmqpClient.RawFrame;
import dev.warren.amqp.it.RawAmqpClient.Start;
import dev.warren.amqp.it.RawAmqpClient.Tune;
import dev.warren.core.Broker;
import dev.warren.core.auth.Permission;
import dev.warren.core.auth.Users;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Connection handshake: start, authentication, tune, open, and the protocol header check. */
@Timeout(60)
class HandshakeIT {
    private static BrokerFixture broker;

    @BeforeAll
    static void startBroker() throws InterruptedException {
        broker = BrokerFixture.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    // ---- connection.start ----

    /**
     * The capabilities table claims exactly what Warren implements: the six base capabilities (connection.blocked
     * is proved by the disk alarm test in deploy), and
     * publisher_confirms only when confirm.select really works (a publish in confirm mode gets acked).
     */
    @Test
    void connectionStartCarriesProductAndExactlyTheImplementedCapabilities() throws Exception {
        try (Connection connection = broker.connect()) {
            Map<String, Object> properties = connection.getServerProperties();
            assertNotNull(properties.get("product"), "server-properties lacks product: " + properties);
            assertFalse(properties.get("product").toString().isBlank(), "product is blank");
            assertNotNull(properties.get("version"), "server-properties lacks version: " + properties);
            Object capabilities = properties.get("capabilities");
            assertInstanceOf(Map.class, capabilities, "capabilities is not a table: " + properties);
            Map<?, ?> table = (Map<?, ?>) capabilities;

            // each is exercised by its own IT (direct_reply_to: DirectReplyToIT; consumer_priorities: ConsumerPriorityIT)
            Set<String> expected = new java.util.HashSet<>(Set.of("exchange_exchange_bindings", "basic.nack",
                    "consumer_cancel_notify", "authentication_failure_close", "per_consumer_qos", "connection.blocked",
                    "direct_reply_to", "consumer_priorities"));
            if (confirmsWork()) {
                expected.add("publisher_confirms");
            }
            assertEquals(expected, table.keySet(),
                    "advertised capabilities (publisher_confirms only if confirm.select works)");
            table.forEach((name, value) -> assertEquals(Boolean.TRUE, value, "capability " + name));
        }
    }

    /** True when confirm.select is accepted and a publish in confirm mode is acked within 5 s (own connection). */
    private static boolean confirmsWork() throws Exception {
        Connection probe = broker.connect();
        try {
            com.rabbitmq.client.Channel channel = probe.createChannel();
            String queue = channel.queueDeclare("", false, true, true, null).getQueue();
            channel.confirmSelect();
            channel.basicPublish("", queue, null, "confirm me".getBytes(StandardCharsets.UTF_8));
            return channel.waitForConfirms(5_000);
        } catch (IOException | com.rabbitmq.client.ShutdownSignalException | java.util.concurrent.TimeoutException e) {
            return false;
        } finally {
            probe.abort();
        }
    }

    @Test
    void connectionStartOffersVersion091PlainAndAmqplainAndEnUsLocale() throws Exception {
        try (RawAmqpClient client = RawAmqpClient.connect(broker.port())) {
            Start start = client.sendHeaderAndReadStart();
            assertEquals(0, start.versionMajor());
            assertEquals(9, start.versionMinor());
            List<String> mechanisms = Arrays.asList(start.mechanisms().split(" "));
            assertTrue(mechanisms.contains("PLAIN"), "mechanisms: " + start.mechanisms());
            assertTrue(mechanisms.contains("AMQPLAIN"), "mechanisms: " + start.mechanisms());
            assertTrue(Arrays.asList(start.locales().split(" ")).contains("en_US"), "locales: " + start.locales());
            assertInstanceOf(Map.class, start.serverProperties().get("capabilities"));
        }
    }

    // ---- authentication ----

    @Test
    void plainLoginWithCorrectCredentialsOpensTheConnection() throws Exception {
        try (Connection connection = broker.connect()) {
            assertTrue(connection.isOpen());
            RawAssertions.assertPublishesAndConsumes(connection, 1);
        }
    }

    @Test
    void amqplainLoginWithCorrectCredentialsOpensTheConnection() throws Exception {
        ConnectionFactory factory = broker.factory();
        factory.setSaslConfig(amqplain());
        try (Connection connection = factory.newConnection()) {
            assertTrue(connection.isOpen());
            RawAssertions.assertPublishesAndConsumes(connection, 1);
        }
    }

    @Test
    void amqplainLoginWithWrongPasswordIsRefused() {
        ConnectionFactory factory = broker.factory();
        factory.setSaslConfig(amqplain());
        factory.setPassword("not-the-password");
        assertThrows(AuthenticationFailureException.class, factory::newConnection);
    }

    @Test
    void wrongPasswordIsRefusedWithAccessRefused() {
        ConnectionFactory factory = broker.factory();
        factory.setPassword("wrong");
        // The Java client raises this only for a connection.close with 403 ACCESS_REFUSED.
        AuthenticationFailureException e = assertThrows(AuthenticationFailureException.class, factory::newConnection);
        assertReadableReplyText(e.getMessage());
    }

    @Test
    void wrongPasswordGetsConnectionClose403WithReadableText() throws Exception {
        try (RawAmqpClient client = RawAmqpClient.connect(broker.port())) {
            client.sendHeaderAndReadStart();
            client.sendStartOk("PLAIN", "\0guest\0wrong".getBytes(StandardCharsets.UTF_8));
            CloseReason close = client.expectConnectionClose(5_000);
            assertEquals(AMQP.ACCESS_REFUSED, close.replyCode(), close.toString());
            assertReadableReplyText(close.replyText());
            assertTrue(close.replyText().startsWith("ACCESS_REFUSED"), close.replyText());
            assertFalse(close.replyText().contains("wrong"), "the reply text must not echo the password: " + close.replyText());
            client.sendConnectionCloseOk();
            assertTrue(client.awaitSocketClosed(5_000), "socket still open after a refused login");
        }
    }

    @Test
    void unknownUserIsRefusedWithAccessRefused() throws Exception {
        ConnectionFactory factory = broker.factory();
        factory.setUsername("nobody-" + System.nanoTime());
        assertThrows(AuthenticationFailureException.class, factory::newConnection);

        try (RawAmqpClient client = RawAmqpClient.connect(broker.port())) {
            client.sendHeaderAndReadStart();
            client.sendStartOk("PLAIN", "\0nobody\0guest".getBytes(StandardCharsets.UTF_8));
            CloseReason close = client.expectConnectionClose(5_000);
            assertEquals(AMQP.ACCESS_REFUSED, close.replyCode(), close.toString());
            assertReadableReplyText(close.replyText());
        }
    }

    @Test
    void guestFromNonLoopbackAddressIsRefused() throws Exception {
        InetAddress nonLoopback = nonLoopbackLocalAddress();
        if (nonLoopback == null) {
            // No routable local address to connect from: check the rule itself (no network traffic).
            Users users = Users.withDefaultUser("guest", "guest");
            assertTrue(users.authenticate("guest", "guest", InetAddress.getByName("10.1.2.3")).isEmpty());
            assertTrue(users.authenticate("guest", "guest", InetAddress.getLoopbackAddress()).isPresent());
            return;
        }
        Users users = Users.withDefaultUser("guest", "guest");
        users.add("alice", "secret", Set.of());
        users.setPermission("alice", "/", Permission.ALL);
        Broker model = new Broker(users);
        AmqpServer server = new AmqpServer(model, AmqpSettings.defaults(), 1);
        try {
            int port = server.start(nonLoopback.getHostAddress(), 0).get(0).getPort();
            ConnectionFactory factory = broker.factory();
            factory.setHost(nonLoopback.getHostAddress());
            factory.setPort(port);
            // The connection comes from the machine's own non-loopback address.
            factory.setSocketConfigurator(socket -> {
                socket.setTcpNoDelay(true);
                socket.bind(new java.net.InetSocketAddress(nonLoopback, 0));
            });
            assertThrows(AuthenticationFailureException.class, factory::newConnection,
                    "guest may only connect via loopback, as RabbitMQ's loopback_users default says");

            // A user without the loopback restriction gets in over the same path.
            factory.setUsername("alice");
            factory.setPassword("secret");
            try (Connection alice = factory.newConnection()) {
                assertTrue(alice.isOpen());
            }
        } finally {
            server.close();
        }
    }

    // ---- tune ----

    @Test
    void tuneOffersChannelMax2047FrameMax131072Heartbeat60() throws Exception {
        try (RawAmqpClient client = RawAmqpClient.connect(broker.port())) {
            Tune tune = client.startAndLogin("guest", "guest");
            assertEquals(2047, tune.channelMax());
            assertEquals(131072, tune.frameMax());
            assertEquals(60, tune.heartbeat());
        }
    }

    @Test
    void javaClientNegotiatesChannelMax2047FrameMax131072Heartbeat60() throws Exception {
        try (Connection connection = broker.connect()) {
            assertEquals(2047, connection.getChannelMax());
            assertEquals(131072, connection.getFrameMax());
            assertEquals(60, connection.getHeartbeat());
        }
    }

    @Test
    void requestedHeartbeatOfFiveSecondsIsNegotiated() throws Exception {
        ConnectionFactory factory = broker.factory();
        factory.setRequestedHeartbeat(5);
        try (Connection connection = factory.newConnection()) {
            assertEquals(5, connection.getHeartbeat());
            RawAssertions.assertPublishesAndConsumes(connection, 1);
        }
    }

    @Test
    void tuneOkWithHeartbeatZeroIsAcceptedAndTheConnectionOpens() throws Exception {
        try (RawAmqpClient client = RawAmqpClient.connect(broker.port())) {
            Tune offered = client.startAndLogin("guest", "guest");
            client.tuneOk(offered.channelMax(), offered.frameMax(), 0);
            client.openVhost("/");
            client.openChannel(1);
        }
    }

    @Test
    void tuneOkWithFrameMaxAboveTheServerMaximumIsRefusedWith530() throws Exception {
        assertTuneOkRefused(2047, 131073);
    }

    @Test
    void tuneOkWithFrameMaxBelow4096IsRefusedWith530() throws Exception {
        assertTuneOkRefused(2047, 4095);
    }

    @Test
    void tuneOkWithChannelMaxAboveTheServerMaximumIsRefusedWith530() throws Exception {
        assertTuneOkRefused(2048, 131072);
    }

    /** RabbitMQ (rabbit_reader:validate_negotiated_integer_value): 0 means "no limit", refused when the server has one. */
    @Test
    void tuneOkWithFrameMaxZeroIsRefusedWith530BecauseTheServerHasALimit() throws Exception {
        assertTuneOkRefused(2047, 0);
    }

    /** RabbitMQ (rabbit_reader:validate_negotiated_integer_value): 0 means "no limit", refused when the server has one. */
    @Test
    void tuneOkWithChannelMaxZeroIsRefusedWith530BecauseTheServerHasALimit() throws Exception {
        assertTuneOkRefused(0, 131072);
    }

    private static void assertTuneOkRefused(int channelMax, long frameMax) throws Exception {
        try (RawAmqpClient client = RawAmqpClient.connect(broker.port())) {
            client.startAndLogin("guest", "guest");
            client.tuneOk(channelMax, frameMax, 60);
            client.sendConnectionOpen("/");
            RawFrame reply = nextNonHeartbeat(client);
            assertTrue(reply.isMethod(10, 50), "tune-ok channel-max=" + channelMax + " frame-max=" + frameMax
                    + " was accepted; the server answered with " + reply);
            CloseReason close = CloseReason.of(reply);
            assertEquals(AMQP.NOT_ALLOWED, close.replyCode(), close.toString());
            assertReadableReplyText(close.replyText());
        }
    }

    // ---- open ----

    @Test
    void unknownVhostIsRefusedWith530NotAllowed() {
        ConnectionFactory factory = broker.factory();
        factory.setVirtualHost("no-such-vhost");
        IOException e = assertThrows(IOException.class, factory::newConnection);
        AMQP.Connection.Close close = connectionClose(e);
        assertEquals(AMQP.NOT_ALLOWED, close.getReplyCode(), close.getReplyText());
        assertReadableReplyText(close.getReplyText());
        assertTrue(close.getReplyText().contains("no-such-vhost"), close.getReplyText());
    }

    // ---- protocol header ----

    @Test
    void wrongProtocolVersionGetsTheSupportedHeaderBackAndTheSocketClosed() throws Exception {
        assertHeaderRefused(new byte[] {'A', 'M', 'Q', 'P', 0, 0, 10, 0});
    }

    @Test
    void httpRequestGetsTheSupportedHeaderBackAndTheSocketClosed() throws Exception {
        assertHeaderRefused("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    private static void assertHeaderRefused(byte[] header) throws Exception {
        try (RawAmqpClient client = RawAmqpClient.connect(broker.port())) {
            client.sendRaw(header);
            byte[] answer = client.readUntilClosed(5_000);
            assertArrayEquals(RawAmqpClient.PROTOCOL_HEADER, answer,
                    "expected exactly AMQP 0 0 9 1 and then EOF, got " + Arrays.toString(answer));
        }
    }

    // ---- helpers ----

    private static RawFrame nextNonHeartbeat(RawAmqpClient client) throws IOException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            RawFrame frame = client.readFrame(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            if (frame != null && frame.type() != RawAmqpClient.HEARTBEAT) {
                return frame;
            }
        }
        throw new AssertionError("no frame from the server within 5 s");
    }

    /** A SASL config for AMQPLAIN: the response is a field table (without length) of LOGIN and PASSWORD. */
    static SaslConfig amqplain() {
        SaslMechanism mechanism = new SaslMechanism() {
            @Override
            public String getName() {
                return "AMQPLAIN";
            }

            @Override
            public com.rabbitmq.client.LongString handleChallenge(com.rabbitmq.client.LongString challenge,
                                                                  String username, String password) {
                Map<String, Object> table = new LinkedHashMap<>();
                table.put("LOGIN", username);
                table.put("PASSWORD", password);
                return LongStringHelper.asLongString(RawAmqpClient.Args.encodeTable(table));
            }
        };
        return offered -> Arrays.asList(offered).contains("AMQPLAIN") ? mechanism : null;
    }

    private static InetAddress nonLoopbackLocalAddress() throws IOException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
                    return address;
                }
            }
        }
        return null;
    }
}
