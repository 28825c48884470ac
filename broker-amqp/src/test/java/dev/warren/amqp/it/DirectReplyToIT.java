package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.RpcClient;
import com.rabbitmq.client.RpcClientParams;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Direct reply-to: request/reply through the pseudo-queue amq.rabbitmq.reply-to, with the Java client's own
 * RpcClient, and RabbitMQ's errors for its misuse (checked against RabbitMQ 3.10.8 with -Dwarren.it.port).
 */
@Timeout(60)
class DirectReplyToIT extends LifecycleITBase {
    private static final String REQUESTS = "drt.requests";

    /** A server on its own connection that answers each request with its body in upper case. */
    private Connection startUpperCaseServer() throws Exception {
        Connection serverConnection = broker.connect();
        Channel server = serverConnection.createChannel();
        server.queueDelete(REQUESTS);
        server.queueDeclare(REQUESTS, false, false, true, null);
        server.basicConsume(REQUESTS, true, new DefaultConsumer(server) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                    throws IOException {
                AMQP.BasicProperties reply = new AMQP.BasicProperties.Builder()
                        .correlationId(properties.getCorrelationId()).build();
                server.basicPublish("", properties.getReplyTo(), reply,
                        new String(body, StandardCharsets.UTF_8).toUpperCase().getBytes(StandardCharsets.UTF_8));
            }
        });
        return serverConnection;
    }

    @Test
    void theJavaClientsRpcClientGetsItsRepliesThroughTheReplyToPseudoQueue() throws Exception {
        try (Connection server = startUpperCaseServer()) {
            RpcClient client = new RpcClient(new RpcClientParams().channel(channel).exchange("").routingKey(REQUESTS)
                    .replyTo("amq.rabbitmq.reply-to").timeout(5_000));
            for (int i = 0; i < 20; i++) {
                assertEquals("HELLO " + i, client.stringCall("hello " + i));
            }
            client.close();
        }
    }

    @Test
    void theRequestCarriesAReplyNameThatReachesTheRequesterFromAnyConnection() throws Exception {
        BlockingQueue<String> replies = new LinkedBlockingQueue<>();
        channel.basicConsume("amq.rabbitmq.reply-to", true, new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                replies.add(envelope.getExchange() + "|" + envelope.getRoutingKey() + "|" + new String(body, StandardCharsets.UTF_8));
            }
        });
        Channel requests = connection.createChannel();
        requests.queueDelete(REQUESTS);
        requests.queueDeclare(REQUESTS, false, false, true, null);
        channel.basicPublish("", REQUESTS, new AMQP.BasicProperties.Builder().replyTo("amq.rabbitmq.reply-to").build(),
                "req".getBytes(StandardCharsets.UTF_8));
        GetResponse request = Queues.awaitGet(requests, REQUESTS);
        String replyTo = request.getProps().getReplyTo();
        assertTrue(replyTo.startsWith("amq.rabbitmq.reply-to."), replyTo);

        try (Connection other = broker.connect()) {
            Channel responder = other.createChannel();
            responder.confirmSelect();
            responder.basicPublish("", replyTo, null, "reply".getBytes(StandardCharsets.UTF_8));
            responder.waitForConfirmsOrDie(5_000);
            assertEquals("|" + replyTo + "|reply", replies.poll(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void misuseIsRefusedWithRabbitMqsErrors() throws Exception {
        Channel acking = connection.createChannel();
        IOException ack = assertThrows(IOException.class,
                () -> acking.basicConsume("amq.rabbitmq.reply-to", false, new DefaultConsumer(acking)));
        assertTrue(ack.getCause().getMessage().contains("PRECONDITION_FAILED - reply consumer cannot acknowledge"));

        Channel noConsumer = connection.createChannel();
        noConsumer.basicPublish("", "drt.anywhere", new AMQP.BasicProperties.Builder().replyTo("amq.rabbitmq.reply-to").build(),
                new byte[0]);
        assertEquals("PRECONDITION_FAILED - fast reply consumer does not exist", Queues.closeReplyText(noConsumer));

        Channel twice = connection.createChannel();
        twice.basicConsume("amq.rabbitmq.reply-to", true, new DefaultConsumer(twice));
        IOException second = assertThrows(IOException.class,
                () -> twice.basicConsume("amq.rabbitmq.reply-to", true, new DefaultConsumer(twice)));
        assertTrue(second.getCause().getMessage().contains("PRECONDITION_FAILED - reply consumer already set"));
        assertTrue(connection.isOpen(), "only channels close");
    }

    @Test
    void thePseudoQueueCanBeDeclaredPassivelyAndAReplyToNoOneIsReturnedWhenMandatory() throws Exception {
        AMQP.Queue.DeclareOk ok = channel.queueDeclarePassive("amq.rabbitmq.reply-to");
        assertEquals("amq.rabbitmq.reply-to", ok.getQueue());
        assertEquals(0, ok.getMessageCount());

        BlockingQueue<Integer> returned = new LinkedBlockingQueue<>();
        channel.addReturnListener(r -> returned.add(r.getReplyCode()));
        channel.confirmSelect();
        channel.basicPublish("", "amq.rabbitmq.reply-to.nobody", true, null, new byte[0]);
        channel.waitForConfirmsOrDie(5_000);
        assertEquals(312, returned.poll(5, TimeUnit.SECONDS));
        assertTrue(channel.isOpen());
    }

    @Test
    void theBrokerAdvertisesDirectReplyTo() {
        @SuppressWarnings("unchecked")
        Map<String, Object> capabilities = (Map<String, Object>) connection.getServerProperties().get("capabilities");
        assertNotNull(capabilities);
        assertEquals(Boolean.TRUE, capabilities.get("direct_reply_to"));
    }
}
