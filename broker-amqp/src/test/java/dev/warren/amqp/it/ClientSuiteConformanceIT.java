package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The protocol details widely used clients' own test suites check, each as RabbitMQ answers them (every
 * test here passes against RabbitMQ 3.10 with -Dwarren.it.port=5672).
 */
@Timeout(60)
class ClientSuiteConformanceIT extends LifecycleITBase {

    @Test
    void unbindingWhatDoesNotExistSucceeds() throws Exception {
        channel.queueDelete("conf.unbound");
        channel.queueDeclare("conf.unbound", false, false, true, null);
        channel.queueUnbind("conf.unbound", "amq.direct", "never-bound");
        channel.queueUnbind("conf.no-such-queue", "amq.direct", "k");
        channel.queueUnbind("conf.unbound", "conf.no-such-exchange", "k");
        assertTrue(channel.isOpen());
    }

    @Test
    void lineFeedsAndCarriageReturnsAreStrippedFromDeclaredNames() throws Exception {
        channel.queueDelete("conf.stripped");
        AMQP.Queue.DeclareOk ok = channel.queueDeclare("conf.strip\nped\r\n", false, false, true, null);
        assertEquals("conf.stripped", ok.getQueue());
        channel.queueDeclarePassive("conf.stripped");
        channel.exchangeDeclare("conf.x\r\n", "fanout", false, true, null);
        channel.exchangeDeclarePassive("conf.x");
        channel.exchangeDelete("conf.x");
    }

    @Test
    void anEmptyQueueNameMeansTheQueueLastDeclaredOnTheChannelAndAnEmptyKeyItsName() throws Exception {
        String queue = channel.queueDeclare().getQueue();
        channel.queueBind("", "amq.direct", "");
        channel.basicPublish("amq.direct", queue, null, "to-last".getBytes());
        Queues.awaitCount(channel, queue, 1);
        assertNotNull(Queues.awaitGet(channel, ""));
        channel.basicPublish("amq.direct", queue, null, "again".getBytes());
        Queues.awaitCount(channel, queue, 1);
        assertEquals(1, channel.queuePurge("").getMessageCount());
        channel.queueUnbind("", "amq.direct", queue);
        channel.basicPublish("amq.direct", queue, null, "unrouted".getBytes());
        assertEquals(0, channel.queueDelete("").getMessageCount());
    }

    @Test
    void aHugeStartOkBeforeTuneOkIsRefusedByClosingTheSocket() throws Exception {
        com.rabbitmq.client.ConnectionFactory factory = broker.factory();
        java.util.Map<String, Object> properties = new java.util.HashMap<>(factory.getClientProperties());
        properties.put("huge", "x".repeat(10_000)); // start-ok far over the spec's 4096-byte frame minimum
        factory.setClientProperties(properties);
        Exception refused = assertThrows(Exception.class, factory::newConnection);
        if (!(refused instanceof java.net.SocketException)) { // a broken pipe when the close beats the client's write
            assertSocketClosedDuringHandshake(refused);
        }
        assertTrue(connection.isOpen(), "other connections are unaffected");
    }

    @Test
    void aRefusedLoginClosesTheSocketForAClientWithoutAuthenticationFailureClose() throws Exception {
        com.rabbitmq.client.ConnectionFactory factory = broker.factory();
        factory.setPassword("wrong");
        java.util.Map<String, Object> properties = new java.util.HashMap<>(factory.getClientProperties());
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> capabilities =
                new java.util.HashMap<>((java.util.Map<String, Object>) properties.get("capabilities"));
        capabilities.remove("authentication_failure_close");
        properties.put("capabilities", capabilities);
        factory.setClientProperties(properties);
        assertSocketClosedDuringHandshake(assertThrows(Exception.class, factory::newConnection));

        com.rabbitmq.client.ConnectionFactory capable = broker.factory();
        capable.setPassword("wrong");
        Exception withCapability = assertThrows(Exception.class, capable::newConnection);
        assertInstanceOf(com.rabbitmq.client.AuthenticationFailureException.class, withCapability);
        assertTrue(withCapability.getMessage().startsWith("ACCESS_REFUSED - Login was refused"), withCapability.getMessage());
    }

    @Test
    void theServerVersionParsesAsARabbitMqReleaseWhileTheProductIsWarren() throws Exception {
        java.util.Map<String, Object> properties = connection.getServerProperties();
        String version = String.valueOf(properties.get("version"));
        assertTrue(version.matches("3\\.\\d+\\.\\d+"), "a dotted RabbitMQ-style version: " + version);
        if (BrokerFixture.againstWarren()) {
            assertEquals("Warren", String.valueOf(properties.get("product")));
            assertNotNull(properties.get("warren_version"));
        }
    }

    @Test
    void aUserWithTheImpersonatorTagMayPublishWithAnotherUsersId() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(BrokerFixture.againstWarren(), "creates users inside the broker");
        broker.broker().users().create("conf-impersonator", "secret", java.util.Set.of("impersonator"));
        broker.broker().users().create("conf-plain", "secret", java.util.Set.of());
        for (String user : java.util.List.of("conf-impersonator", "conf-plain")) {
            broker.broker().users().setPermission(user, "/", dev.warren.core.auth.Permission.ALL);
        }
        com.rabbitmq.client.ConnectionFactory factory = broker.factory();
        factory.setUsername("conf-impersonator");
        factory.setPassword("secret");
        AMQP.BasicProperties asSomeoneElse = new AMQP.BasicProperties.Builder().userId("guest").build();
        try (com.rabbitmq.client.Connection impersonator = factory.newConnection()) {
            Channel ch = impersonator.createChannel();
            ch.confirmSelect();
            ch.basicPublish("", "conf.none", asSomeoneElse, new byte[0]);
            ch.waitForConfirmsOrDie(5_000);
        }
        factory.setUsername("conf-plain");
        try (com.rabbitmq.client.Connection plain = factory.newConnection()) {
            Channel ch = plain.createChannel();
            ch.basicPublish("", "conf.none", asSomeoneElse, new byte[0]);
            assertEquals("PRECONDITION_FAILED - user_id property set to 'guest' but authenticated user was 'conf-plain'",
                    Queues.closeReplyText(ch));
        }
    }

    /**
     * The client was not sent a connection.close it could read as a refusal: the socket closed (RabbitMQ
     * closes it after a delay, so against RabbitMQ the fixture's short handshake timeout may fire first).
     */
    private static void assertSocketClosedDuringHandshake(Exception refused) {
        if (BrokerFixture.againstWarren()) {
            assertInstanceOf(com.rabbitmq.client.PossibleAuthenticationFailureException.class, refused,
                    "the socket closed during the handshake: " + refused);
        } else {
            assertTrue(refused instanceof com.rabbitmq.client.PossibleAuthenticationFailureException
                    || refused instanceof java.util.concurrent.TimeoutException, String.valueOf(refused));
        }
    }
}
