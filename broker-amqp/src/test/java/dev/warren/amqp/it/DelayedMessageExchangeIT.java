package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The x-delayed-message exchange as RabbitMQ's delayed-message plugin offers it: a message with an
 * {@code x-delay} header (ms) is routed as the exchange's {@code x-delayed-type} once the delay is over,
 * with {@code x-delay} then set to minus the delay; without a positive delay it is routed at once. (The
 * plugin is not part of RabbitMQ's distribution, so these ran against Warren only; the errors follow its
 * source.) Restarts: DelayedMessageDurabilityIT in deploy.
 */
@Timeout(60)
class DelayedMessageExchangeIT extends LifecycleITBase {
    private final List<String> exchanges = new ArrayList<>();

    @AfterEach
    void deleteExchanges() throws Exception {
        if (connection.isOpen()) {
            Channel cleanup = connection.createChannel();
            for (String exchange : exchanges) {
                cleanup.exchangeDelete(exchange);
            }
        }
    }

    private void delayedExchange(String name, String type) throws IOException {
        channel.exchangeDelete(name);
        channel.exchangeDeclare(name, "x-delayed-message", false, false, Map.of("x-delayed-type", type));
        exchanges.add(name);
    }

    /** A delayed exchange of the type and a queue bound to it with the key. */
    private void delayedExchangeTo(String exchange, String type, String queue, String key, Map<String, Object> queueArguments)
            throws Exception {
        delayedExchange(exchange, type);
        declare(queue, queueArguments);
        channel.queueBind(queue, exchange, key);
    }

    private static AMQP.BasicProperties delay(Object millis) {
        Map<String, Object> headers = new HashMap<>();
        headers.put("x-delay", millis);
        return new AMQP.BasicProperties.Builder().headers(headers).build();
    }

    private void publish(String exchange, String key, AMQP.BasicProperties properties, String body) throws IOException {
        channel.basicPublish(exchange, key, properties, body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aDelayedMessageReachesItsQueueOnlyOnceItsDelayIsOver() throws Exception {
        delayedExchangeTo("delayed.x", "direct", "delayed.q", "k", Map.of());
        channel.confirmSelect();
        long published = System.currentTimeMillis();
        publish("delayed.x", "k", delay(400), "later");
        channel.waitForConfirmsOrDie(5_000);
        assertNull(channel.basicGet("delayed.q", true), "the message was routed before its delay");

        GetResponse got = Queues.awaitGet(channel, "delayed.q");
        assertTrue(System.currentTimeMillis() - published >= 400, "delivered before its 400 ms delay");
        assertEquals("later", Queues.body(got));
        assertEquals(-400, ((Number) got.getProps().getHeaders().get("x-delay")).intValue(),
                "x-delay is set to minus the delay once it is over, as the plugin does");
    }

    @Test
    void messagesComeOutInTheOrderTheirDelaysEndNotThePublishOrder() throws Exception {
        delayedExchangeTo("delayed.order", "fanout", "delayed.order.q", "", Map.of());
        List<String> received = new CopyOnWriteArrayList<>();
        Channel consumer = connection.createChannel();
        consumer.basicConsume("delayed.order.q", true, (tag, d) -> received.add(new String(d.getBody(), StandardCharsets.UTF_8)),
                tag -> { });
        publish("delayed.order", "", delay(900), "third");
        publish("delayed.order", "", delay(300), "first");
        publish("delayed.order", "", delay(600), "second");
        publish("delayed.order", "", delay(300), "first-too"); // equal delays keep publish order
        BrokerFixture.await("four deliveries", 10_000, () -> received.size() == 4);
        assertEquals(List.of("first", "first-too", "second", "third"), received);
    }

    @Test
    void withoutAPositiveDelayAMessageIsRoutedAtOnce() throws Exception {
        delayedExchangeTo("delayed.now", "direct", "delayed.now.q", "k", Map.of());
        channel.confirmSelect();
        publish("delayed.now", "k", new AMQP.BasicProperties(), "no headers");
        publish("delayed.now", "k", delay(0), "zero");
        publish("delayed.now", "k", delay(-5000), "negative");
        publish("delayed.now", "k", delay(true), "not a number");
        channel.waitForConfirmsOrDie(5_000);
        Queues.awaitCount(channel, "delayed.now.q", 4);
        assertEquals(List.of("no headers", "zero", "negative", "not a number"), Queues.drain(channel, "delayed.now.q"));
    }

    @Test
    void aDelayMayComeAsAStringOrAFloatAsThePluginAcceptsIt() throws Exception {
        delayedExchangeTo("delayed.types", "direct", "delayed.types.q", "k", Map.of());
        channel.confirmSelect();
        long published = System.currentTimeMillis();
        publish("delayed.types", "k", delay("300"), "string");
        publish("delayed.types", "k", delay(300.9), "float");
        channel.waitForConfirmsOrDie(5_000);
        assertNull(channel.basicGet("delayed.types.q", true));
        Queues.awaitCount(channel, "delayed.types.q", 2);
        assertTrue(System.currentTimeMillis() - published >= 300);
    }

    @Test
    void aDelayedMessageIsRoutedAsTheDelayedTypeWithItsCcKeys() throws Exception {
        delayedExchange("delayed.topic", "topic");
        declare("delayed.eu", Map.of());
        declare("delayed.audit", Map.of());
        channel.queueBind("delayed.eu", "delayed.topic", "orders.eu.*");
        channel.queueBind("delayed.audit", "delayed.topic", "audit");
        Map<String, Object> headers = new HashMap<>();
        headers.put("x-delay", 200);
        headers.put("CC", List.of("audit"));
        publish("delayed.topic", "orders.eu.paris", new AMQP.BasicProperties.Builder().headers(headers).build(), "order");
        publish("delayed.topic", "orders.us.boston", delay(200), "elsewhere");
        assertEquals("order", Queues.body(Queues.awaitGet(channel, "delayed.eu")));
        assertEquals("order", Queues.body(Queues.awaitGet(channel, "delayed.audit")));
        assertNull(channel.basicGet("delayed.eu", true));
    }

    @Test
    void aQueuesMessageTtlCountsFromWhenTheDelayedMessageIsRouted() throws Exception {
        delayedExchangeTo("delayed.ttl", "direct", "delayed.ttl.q", "k", Map.of("x-message-ttl", 1_500));
        publish("delayed.ttl", "k", delay(2_000), "fresh when routed");
        assertEquals("fresh when routed", Queues.body(Queues.awaitGet(channel, "delayed.ttl.q")),
                "the message expired at once: its TTL counted from the publish, not from the end of its delay");
    }

    @Test
    void aMandatoryDelayedPublishIsConfirmedAndNotReturned() throws Exception {
        delayedExchangeTo("delayed.mandatory", "direct", "delayed.mandatory.q", "k", Map.of());
        List<Integer> returns = new CopyOnWriteArrayList<>();
        channel.addReturnListener(r -> returns.add(r.getReplyCode()));
        channel.confirmSelect();
        channel.basicPublish("delayed.mandatory", "k", true, delay(200), "held".getBytes(StandardCharsets.UTF_8));
        channel.waitForConfirmsOrDie(5_000);
        assertEquals("held", Queues.body(Queues.awaitGet(channel, "delayed.mandatory.q")));
        assertEquals(List.of(), returns, "RabbitMQ's plugin returns every delayed mandatory message; Warren does not");
    }

    @Test
    void deletingTheExchangeDropsWhatItHolds() throws Exception {
        delayedExchangeTo("delayed.gone", "fanout", "delayed.gone.q", "", Map.of());
        channel.confirmSelect();
        publish("delayed.gone", "", delay(300), "dropped");
        channel.waitForConfirmsOrDie(5_000);
        channel.exchangeDelete("delayed.gone");
        // a marker published after the delete, delayed longer: it proves the first message's time has passed
        channel.exchangeDeclare("delayed.gone", "x-delayed-message", false, false, Map.of("x-delayed-type", "fanout"));
        channel.queueBind("delayed.gone.q", "delayed.gone", "");
        publish("delayed.gone", "", delay(600), "marker");
        assertEquals("marker", Queues.body(Queues.awaitGet(channel, "delayed.gone.q")));
        assertNull(channel.basicGet("delayed.gone.q", true));
    }

    @Test
    void declaringWithoutAnExistingDelayedTypeIsRefusedAsThePluginRefusesIt() throws Exception {
        for (Map<String, Object> arguments : List.<Map<String, Object>>of(Map.of(), Map.of("x-delayed-type", 5),
                Map.of("x-delayed-type", "x-delayed-message"))) {
            Channel declaring = connection.createChannel();
            ShutdownSignalException refused = closeOf(() -> declaring.exchangeDeclare("delayed.bad", "x-delayed-message",
                    false, false, arguments));
            AMQP.Channel.Close close = (AMQP.Channel.Close) refused.getReason();
            assertEquals(406, close.getReplyCode(), "arguments " + arguments);
            assertEquals("PRECONDITION_FAILED - Invalid argument, 'x-delayed-type' must be an existing exchange type",
                    close.getReplyText());
        }
        ShutdownSignalException unknown = closeOf(() -> channel.exchangeDeclare("delayed.bad", "x-delayed-message", false, false,
                Map.of("x-delayed-type", "no-such-type")));
        assertEquals(503, ((AMQP.Connection.Close) unknown.getReason()).getReplyCode(), "an unknown type is a connection error");
    }

    private interface Declare {
        void run() throws IOException;
    }

    private static ShutdownSignalException closeOf(Declare declare) {
        IOException e = assertThrows(IOException.class, declare::run);
        return (ShutdownSignalException) e.getCause();
    }
}
