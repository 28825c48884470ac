package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Routing through the broker for each exchange type. Every check publishes, then publishes a fence message
 * straight to each queue, and reads the queue up to the fence: what came before it is exactly what was routed.
 */
@Timeout(60)
class RoutingIT extends SharedBrokerIT {
    private static final AtomicInteger NAMES = new AtomicInteger();

    // ---- direct ----

    @Test
    void directExchangeRoutesByExactRoutingKey() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("direct-routing", "direct");
        String red = ch.queueDeclare().getQueue();
        String green = ch.queueDeclare().getQueue();
        String both = ch.queueDeclare().getQueue();
        ch.queueBind(red, "direct-routing", "red");
        ch.queueBind(green, "direct-routing", "green");
        ch.queueBind(both, "direct-routing", "red");
        ch.queueBind(both, "direct-routing", "green");
        ch.basicPublish("direct-routing", "red", null, bytes("r1"));
        ch.basicPublish("direct-routing", "green", null, bytes("g1"));
        ch.basicPublish("direct-routing", "blue", null, bytes("b1"));
        ch.basicPublish("direct-routing", "red.x", null, bytes("rx"));
        ch.basicPublish("direct-routing", "", null, bytes("empty"));
        ch.basicPublish("direct-routing", "red", null, bytes("r2"));
        assertEquals(List.of("r1", "r2"), routed(ch, red));
        assertEquals(List.of("g1"), routed(ch, green));
        assertEquals(List.of("r1", "g1", "r2"), routed(ch, both));
    }

    @Test
    void defaultExchangeRoutesToTheQueueNamedByTheRoutingKey() throws Exception {
        Channel ch = channel();
        String queue = ch.queueDeclare("default-exchange-target", false, false, false, null).getQueue();
        ch.basicPublish("", queue, null, bytes("by-name"));
        ch.basicPublish("", "default-exchange-other", null, bytes("elsewhere"));
        assertEquals(List.of("by-name"), routed(ch, queue));
    }

    // ---- fanout ----

    @Test
    void fanoutExchangeRoutesToEveryBoundQueueWhateverTheKey() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("fanout-routing", "fanout");
        List<String> queues = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String queue = ch.queueDeclare().getQueue();
            ch.queueBind(queue, "fanout-routing", "key-" + i);
            queues.add(queue);
        }
        String unbound = ch.queueDeclare().getQueue();
        ch.basicPublish("fanout-routing", "anything", null, bytes("one"));
        ch.basicPublish("fanout-routing", "", null, bytes("two"));
        for (String queue : queues) {
            assertEquals(List.of("one", "two"), routed(ch, queue), queue);
        }
        assertEquals(List.of(), routed(ch, unbound));
    }

    // ---- topic ----

    static Stream<Arguments> topicCases() {
        return Stream.of(
                Arguments.of("a.b.c", "a.b.c", true),
                Arguments.of("a.b.c", "a.b", false),
                Arguments.of("a.*.c", "a.b.c", true),
                Arguments.of("a.*.c", "a.c", false),
                Arguments.of("a.*", "a.b.c", false),
                Arguments.of("*", "a", true),
                Arguments.of("*", "", false),
                Arguments.of("*", "a.b", false),
                Arguments.of("*.*", "a.", true), // "a." is the two words "a" and ""
                Arguments.of("a.*", "a", false),
                Arguments.of("#", "", true),
                Arguments.of("#", "a.b.c", true),
                Arguments.of("a.#", "a", true),
                Arguments.of("a.#", "a.b.c", true),
                Arguments.of("a.#", "ab", false),
                Arguments.of("a.#", "b.a", false),
                Arguments.of("#.c", "c", true),
                Arguments.of("#.c", "a.b.c", true),
                Arguments.of("#.c", "a.b.c.d", false),
                Arguments.of("a.#.b", "a.b", true),
                Arguments.of("a.#.b", "a.x.b", true),
                Arguments.of("a.#.b", "a.x.y.z.b", true),
                Arguments.of("a.#.b", "a.x.y.z.c", false),
                Arguments.of("a.#.b", "a.b.c", false),
                Arguments.of("#.#", "", true),
                Arguments.of("#.#", "a", true),
                Arguments.of("#.#", "a.b.c", true),
                Arguments.of("*.#", "", false),
                Arguments.of("*.#", "a", true),
                Arguments.of("#.*.#", "a.b", true),
                Arguments.of("a.#.#.b", "a.b", true),
                Arguments.of("#.b.#", "b", true),
                Arguments.of("#.b.#", "a.c", false),
                Arguments.of("", "", true),
                Arguments.of("", "a", false),
                Arguments.of("a", "", false),
                Arguments.of("A.b", "a.b", false),
                Arguments.of("a.*.#.d", "a.b.c.d", true),
                Arguments.of("a.*.#.d", "a.d", false));
    }

    @ParameterizedTest(name = "topic binding ''{0}'' matches routing key ''{1}'': {2}")
    @MethodSource("topicCases")
    void topicExchangeMatchesRoutingKeysAgainstBindingPatternsAsRabbitMqDoes(String pattern, String key, boolean matches)
            throws Exception {
        Channel ch = channel();
        String exchange = "topic-case-" + NAMES.incrementAndGet();
        ch.exchangeDeclare(exchange, "topic", false, true, null);
        String queue = ch.queueDeclare().getQueue();
        ch.queueBind(queue, exchange, pattern);
        ch.basicPublish(exchange, key, null, bytes("message"));
        assertEquals(matches ? List.of("message") : List.of(), routed(ch, queue));
    }

    @Test
    void topicExchangeRoutesOneMessageToEveryQueueWithAMatchingPattern() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("topic-many", "topic");
        Map<String, String> queueByPattern = new HashMap<>();
        for (String pattern : List.of("stock.usd.*", "stock.#", "*.eur.*", "#", "stock.usd.nyse.extra")) {
            String queue = ch.queueDeclare().getQueue();
            ch.queueBind(queue, "topic-many", pattern);
            queueByPattern.put(pattern, queue);
        }
        ch.basicPublish("topic-many", "stock.usd.nyse", null, bytes("usd"));
        ch.basicPublish("topic-many", "stock.eur.xetra", null, bytes("eur"));
        ch.basicPublish("topic-many", "bond.eur.x", null, bytes("bond"));
        assertEquals(List.of("usd"), routed(ch, queueByPattern.get("stock.usd.*")));
        assertEquals(List.of("usd", "eur"), routed(ch, queueByPattern.get("stock.#")));
        assertEquals(List.of("eur", "bond"), routed(ch, queueByPattern.get("*.eur.*")));
        assertEquals(List.of("usd", "eur", "bond"), routed(ch, queueByPattern.get("#")));
        assertEquals(List.of(), routed(ch, queueByPattern.get("stock.usd.nyse.extra")));
    }

    @Test
    void topicUnbindRemovesOnlyThatPattern() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("topic-unbind", "topic");
        String queue = ch.queueDeclare().getQueue();
        ch.queueBind(queue, "topic-unbind", "a.*");
        ch.queueBind(queue, "topic-unbind", "*.b");
        ch.queueUnbind(queue, "topic-unbind", "a.*");
        ch.basicPublish("topic-unbind", "a.x", null, bytes("a-only"));
        ch.basicPublish("topic-unbind", "x.b", null, bytes("b-only"));
        assertEquals(List.of("b-only"), routed(ch, queue));
    }

    // ---- headers ----

    @Test
    void headersExchangeWithXMatchAllRequiresEveryBoundHeader() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("headers-all", "headers");
        String queue = ch.queueDeclare().getQueue();
        ch.queueBind(queue, "headers-all", "", Map.of("x-match", "all", "format", "pdf", "type", "report"));
        publishWithHeaders(ch, "headers-all", "both", Map.of("format", "pdf", "type", "report"));
        publishWithHeaders(ch, "headers-all", "both-and-more", Map.of("format", "pdf", "type", "report", "extra", 1));
        publishWithHeaders(ch, "headers-all", "format-only", Map.of("format", "pdf"));
        publishWithHeaders(ch, "headers-all", "wrong-value", Map.of("format", "pdf", "type", "log"));
        publishWithHeaders(ch, "headers-all", "no-headers", null);
        assertEquals(List.of("both", "both-and-more"), routed(ch, queue));
    }

    @Test
    void headersExchangeWithXMatchAnyRequiresOneBoundHeader() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("headers-any", "headers");
        String queue = ch.queueDeclare().getQueue();
        ch.queueBind(queue, "headers-any", "", Map.of("x-match", "any", "format", "pdf", "type", "report"));
        publishWithHeaders(ch, "headers-any", "both", Map.of("format", "pdf", "type", "report"));
        publishWithHeaders(ch, "headers-any", "format-only", Map.of("format", "pdf"));
        publishWithHeaders(ch, "headers-any", "type-only", Map.of("type", "report", "other", "x"));
        publishWithHeaders(ch, "headers-any", "wrong-values", Map.of("format", "zip", "type", "log"));
        publishWithHeaders(ch, "headers-any", "unrelated", Map.of("colour", "blue"));
        publishWithHeaders(ch, "headers-any", "no-headers", null);
        assertEquals(List.of("both", "format-only", "type-only"), routed(ch, queue));
    }

    @Test
    void headersExchangeWithoutXMatchMatchesAll() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("headers-default", "headers");
        String queue = ch.queueDeclare().getQueue();
        ch.queueBind(queue, "headers-default", "", Map.of("format", "pdf", "type", "report"));
        publishWithHeaders(ch, "headers-default", "both", Map.of("format", "pdf", "type", "report"));
        publishWithHeaders(ch, "headers-default", "one", Map.of("format", "pdf"));
        assertEquals(List.of("both"), routed(ch, queue));
    }

    @Test
    void headersExchangeComparesNumericAndBooleanHeaderValues() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("headers-typed", "headers");
        String queue = ch.queueDeclare().getQueue();
        ch.queueBind(queue, "headers-typed", "", Map.of("x-match", "all", "version", 2, "urgent", true));
        publishWithHeaders(ch, "headers-typed", "match", Map.of("version", 2, "urgent", true));
        publishWithHeaders(ch, "headers-typed", "other-number", Map.of("version", 3, "urgent", true));
        publishWithHeaders(ch, "headers-typed", "other-boolean", Map.of("version", 2, "urgent", false));
        assertEquals(List.of("match"), routed(ch, queue));
    }

    @Test
    void headersExchangeIgnoresTheRoutingKey() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("headers-key", "headers");
        String queue = ch.queueDeclare().getQueue();
        ch.queueBind(queue, "headers-key", "some-key", Map.of("x-match", "any", "a", "1"));
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().headers(Map.of("a", "1")).build();
        ch.basicPublish("headers-key", "another-key", props, bytes("routed"));
        assertEquals(List.of("routed"), routed(ch, queue));
    }

    @Test
    void standardHeadersExchangesRouteByHeaders() throws Exception {
        Channel ch = channel();
        String matchQueue = ch.queueDeclare().getQueue();
        String headersQueue = ch.queueDeclare().getQueue();
        ch.queueBind(matchQueue, "amq.match", "", Map.of("x-match", "all", "via", "match"));
        ch.queueBind(headersQueue, "amq.headers", "", Map.of("x-match", "all", "via", "headers"));
        publishWithHeaders(ch, "amq.match", "m", Map.of("via", "match"));
        publishWithHeaders(ch, "amq.headers", "h", Map.of("via", "headers"));
        publishWithHeaders(ch, "amq.headers", "wrong", Map.of("via", "match"));
        assertEquals(List.of("m"), routed(ch, matchQueue));
        assertEquals(List.of("h"), routed(ch, headersQueue));
    }

    // ---- duplicates ----

    @Test
    void messageMatchingTwoBindingsToTheSameQueueArrivesOnce() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("two-bindings-topic", "topic");
        String queue = ch.queueDeclare().getQueue();
        ch.queueBind(queue, "two-bindings-topic", "a.*");
        ch.queueBind(queue, "two-bindings-topic", "*.b");
        ch.queueBind(queue, "two-bindings-topic", "#");
        ch.basicPublish("two-bindings-topic", "a.b", null, bytes("once"));
        assertEquals(List.of("once"), routed(ch, queue));
    }

    @Test
    void messageMatchingTwoHeadersBindingsToTheSameQueueArrivesOnce() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("two-bindings-headers", "headers");
        String queue = ch.queueDeclare().getQueue();
        ch.queueBind(queue, "two-bindings-headers", "", Map.of("x-match", "any", "a", "1"));
        ch.queueBind(queue, "two-bindings-headers", "", Map.of("x-match", "any", "b", "2"));
        publishWithHeaders(ch, "two-bindings-headers", "once", Map.of("a", "1", "b", "2"));
        assertEquals(List.of("once"), routed(ch, queue));
    }

    @Test
    void bindingTheSameKeyTwiceIsOneBinding() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("same-binding-twice", "direct");
        String queue = ch.queueDeclare().getQueue();
        ch.queueBind(queue, "same-binding-twice", "k");
        ch.queueBind(queue, "same-binding-twice", "k");
        ch.basicPublish("same-binding-twice", "k", null, bytes("once"));
        assertEquals(List.of("once"), routed(ch, queue));
        ch.queueUnbind(queue, "same-binding-twice", "k");
        ch.basicPublish("same-binding-twice", "k", null, bytes("after-unbind"));
        assertEquals(List.of(), routed(ch, queue));
    }

    // ---- helpers ----

    private static void publishWithHeaders(Channel ch, String exchange, String body, Map<String, Object> headers)
            throws Exception {
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().headers(headers).build();
        ch.basicPublish(exchange, "", props, bytes(body));
    }

    /**
     * Publishes a fence straight to the queue, then gets messages (waiting, bounded, for each) up to it:
     * the bodies before the fence are exactly those routed to the queue by earlier publishes on this channel.
     */
    private static List<String> routed(Channel ch, String queue) throws Exception {
        String fence = "fence-" + NAMES.incrementAndGet();
        ch.basicPublish("", queue, null, bytes(fence));
        List<String> bodies = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (true) {
            GetResponse got = ch.basicGet(queue, true);
            if (got == null) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("fence not received from " + queue + "; got " + bodies);
                }
                Thread.onSpinWait();
                continue;
            }
            String body = new String(got.getBody(), StandardCharsets.UTF_8);
            if (body.equals(fence)) {
                return bodies;
            }
            bodies.add(body);
        }
    }
}
