package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The firehose (rabbitmqctl trace_on): while the virtual host traces, every publish and delivery is copied to
 * amq.rabbitmq.trace as publish.&lt;exchange&gt; / deliver.&lt;queue&gt; with RabbitMQ's headers (the publish half checked against
 * RabbitMQ 3.10.8 with rabbitmqctl trace_on and -Dwarren.it.port); off, nothing is.
 */
@Timeout(60)
class FirehoseIT extends LifecycleITBase {

    private void tracing(boolean on) {
        broker.broker().vhost("/").tracing(on);
    }

    @AfterEach
    void traceOff() {
        tracing(false);
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }

    @Test
    void publishesAndDeliveriesAreCopiedToTheTraceExchangeWithRabbitMqsHeaders() throws Exception {
        declare("fh.traced", Map.of());
        declare("fh.trace", Map.of());
        channel.queueBind("fh.trace", "amq.rabbitmq.trace", "#");
        tracing(true);
        channel.confirmSelect();
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType("text/plain").build();
        channel.basicPublish("", "fh.traced", props, "hello".getBytes(StandardCharsets.UTF_8));
        channel.waitForConfirmsOrDie(5_000);
        assertEquals("hello", Queues.body(Queues.awaitGet(channel, "fh.traced")));

        GetResponse publish = Queues.awaitGet(channel, "fh.trace");
        assertEquals("publish.", publish.getEnvelope().getRoutingKey(), "the default exchange's name is empty");
        assertEquals("hello", Queues.body(publish));
        Map<String, Object> headers = publish.getProps().getHeaders();
        assertEquals("", text(headers.get("exchange_name")));
        assertEquals(List.of("fh.traced"), ((List<?>) headers.get("routing_keys")).stream().map(Object::toString).toList());
        assertEquals("text/plain", text(((Map<?, ?>) headers.get("properties")).get("content_type")));
        assertEquals("/", text(headers.get("vhost")));
        assertEquals("guest", text(headers.get("user")));
        assertEquals(channel.getChannelNumber(), ((Number) headers.get("channel")).intValue());
        assertFalse(text(headers.get("connection")).isEmpty());
        assertTrue(text(headers.get("node")).contains("@"), "a node name as name@host");

        GetResponse deliver = Queues.awaitGet(channel, "fh.trace");
        assertEquals("deliver.fh.traced", deliver.getEnvelope().getRoutingKey());
        assertEquals(0, ((Number) deliver.getProps().getHeaders().get("redelivered")).intValue());
        assertEquals("hello", Queues.body(deliver));
    }

    @Test
    void nothingIsCopiedWhileTracingIsOff() throws Exception {
        declare("fh.quiet", Map.of());
        declare("fh.quiet-trace", Map.of());
        channel.queueBind("fh.quiet-trace", "amq.rabbitmq.trace", "#");
        channel.confirmSelect();
        channel.basicPublish("", "fh.quiet", null, "untraced".getBytes(StandardCharsets.UTF_8));
        channel.waitForConfirmsOrDie(5_000);
        Queues.awaitGet(channel, "fh.quiet");
        tracing(true);
        channel.basicPublish("", "fh.quiet", null, "traced".getBytes(StandardCharsets.UTF_8));
        channel.waitForConfirmsOrDie(5_000);
        assertEquals("traced", Queues.body(Queues.awaitGet(channel, "fh.quiet-trace")), "the first copy is the traced publish");
        tracing(false);
        Queues.awaitGet(channel, "fh.quiet"); // a delivery while off: no copy
        assertNull(channel.basicGet("fh.quiet-trace", true));
    }
}
