package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** RabbitMQ's sender-selected distribution: the CC and BCC headers add routing keys; BCC is never delivered. */
@Timeout(60)
class SenderSelectedDistributionIT {
    private static BrokerFixture broker;

    @BeforeAll
    static void start() throws Exception {
        broker = BrokerFixture.start();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static AMQP.BasicProperties headers(Map<String, Object> headers) {
        return new AMQP.BasicProperties.Builder().headers(headers).build();
    }

    private static GetResponse await(Channel channel, String queue) throws Exception {
        return Queues.awaitGet(channel, queue, true);
    }

    private static GetResponse await(Channel channel, String queue, boolean autoAck) throws Exception {
        return Queues.awaitGet(channel, queue, autoAck);
    }

    @Test
    void ccKeysRouteOnTheSameExchangeAndTheHeaderIsDelivered() throws Exception {
        try (Connection connection = broker.connect()) {
            Channel channel = connection.createChannel();
            channel.exchangeDeclare("ssd.direct", "direct", false, true, null);
            for (String q : List.of("ssd.main", "ssd.copy1", "ssd.copy2")) {
                channel.queueDeclare(q, false, false, true, null);
                channel.queueBind(q, "ssd.direct", q.substring(4));
            }
            channel.basicPublish("ssd.direct", "main", headers(Map.of("CC", List.of("copy1", "copy2"))),
                    "hi".getBytes(StandardCharsets.UTF_8));
            for (String q : List.of("ssd.main", "ssd.copy1", "ssd.copy2")) {
                GetResponse got = await(channel, q);
                assertEquals("main", got.getEnvelope().getRoutingKey(), "delivered with the key it was published with");
                assertEquals("[copy1, copy2]", String.valueOf(got.getProps().getHeaders().get("CC")));
            }
        }
    }

    @Test
    void bccKeysRouteButTheHeaderIsRemovedBeforeDelivery() throws Exception {
        try (Connection connection = broker.connect()) {
            Channel channel = connection.createChannel();
            channel.queueDeclare("ssd.to", false, false, true, null);
            channel.queueDeclare("ssd.hidden", false, false, true, null);
            channel.confirmSelect();
            channel.basicPublish("", "ssd.to", headers(Map.of("BCC", List.of("ssd.hidden"), "app", "kept")),
                    "secret".getBytes(StandardCharsets.UTF_8));
            channel.waitForConfirmsOrDie(5_000);
            for (String q : List.of("ssd.to", "ssd.hidden")) {
                GetResponse got = await(channel, q);
                assertEquals("secret", new String(got.getBody(), StandardCharsets.UTF_8));
                assertFalse(got.getProps().getHeaders().containsKey("BCC"), "BCC never reaches a queue");
                assertEquals("kept", String.valueOf(got.getProps().getHeaders().get("app")));
            }
        }
    }

    @Test
    void aCcHeaderThatIsNotAnArrayIsRefusedAsRabbitMqRefusesIt() throws Exception {
        try (Connection connection = broker.connect()) {
            Channel channel = connection.createChannel();
            channel.queueDeclare("ssd.once", false, false, true, null);
            channel.basicPublish("", "ssd.once", headers(Map.of("CC", "ssd.not")), new byte[0]);
            assertEquals("PRECONDITION_FAILED - invalid message: {unacceptable_type_in_header,\"CC\",longstr}",
                    Queues.closeReplyText(channel));
            assertTrue(connection.isOpen(), "only the channel closes");
        }
    }

    @Test
    void aQueueReachedByTheRoutingKeyAndACcKeyGetsOneCopyAndNonStringItemsAreSkipped() throws Exception {
        try (Connection connection = broker.connect()) {
            Channel channel = connection.createChannel();
            channel.queueDeclare("ssd.twice", false, false, true, null);
            channel.queuePurge("ssd.twice");
            channel.basicPublish("", "ssd.twice", headers(Map.of("CC", List.of("ssd.twice", 42))), new byte[0]);
            assertNotNull(await(channel, "ssd.twice"));
            assertNull(channel.basicGet("ssd.twice", true), "one publish, one copy");
        }
    }

    @Test
    void aDeadLetteredMessageRecordsItsCcKeysAndIsRoutedWithThemWithoutADeadLetterKey() throws Exception {
        try (Connection connection = broker.connect()) {
            Channel channel = connection.createChannel();
            channel.exchangeDeclare("ssd.dlx", "direct", false, true, null);
            channel.queueDeclare("ssd.dead.a", false, false, true, null);
            channel.queueDeclare("ssd.dead.b", false, false, true, null);
            channel.queueBind("ssd.dead.a", "ssd.dlx", "ssd.work");
            channel.queueBind("ssd.dead.b", "ssd.dlx", "other");
            channel.queueDeclare("ssd.work", false, false, true, Map.of("x-dead-letter-exchange", "ssd.dlx"));
            channel.basicPublish("", "ssd.work", headers(Map.of("CC", List.of("other"))), new byte[0]);
            GetResponse got = await(channel, "ssd.work", false);
            channel.basicReject(got.getEnvelope().getDeliveryTag(), false);
            for (String q : List.of("ssd.dead.a", "ssd.dead.b")) {
                GetResponse dead = await(channel, q);
                @SuppressWarnings("unchecked")
                Map<String, Object> death = ((List<Map<String, Object>>) dead.getProps().getHeaders().get("x-death")).get(0);
                assertEquals("[ssd.work, other]", String.valueOf(death.get("routing-keys")));
                assertTrue(dead.getProps().getHeaders().containsKey("CC"));
            }
        }
    }
}
