package dev.warren.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.core.message.Message;
import dev.warren.core.store.Storage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Routing through a virtual host: the topic cache never serves a stale result after a bind or unbind,
 * exchange-to-exchange chains and cycles route each queue once, and routing in the steady state
 * allocates nothing (counted with the JVM's per-thread allocation counter, not timed).
 */
class RoutingTest {
    private final VirtualHost vhost = new VirtualHost("/", Storage.inMemory());
    private final Destinations into = new Destinations();
    private final List<Message> messages = new ArrayList<>();

    @AfterEach
    void release() {
        messages.forEach(Message::release);
    }

    private MessageQueue queue(String name) {
        return vhost.declareQueue(name, false, false, false, Map.of(), null, ImmediateEventExecutor.INSTANCE);
    }

    private Exchange exchange(String name, String type) {
        return vhost.declareExchange(name, type, false, false, false, Map.of());
    }

    private Message message(String routingKey) {
        Message m = new Message("x", routingKey, Unpooled.buffer(0), Unpooled.buffer(0));
        messages.add(m);
        return m;
    }

    private List<String> route(Exchange exchange, Message message) {
        vhost.route(exchange, message, into);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < into.size(); i++) {
            names.add(into.queue(i).name());
        }
        into.clear();
        return names;
    }

    @Test
    void aBindAfterACachedMissAndAnUnbindAfterACachedHitAreSeenAtOnce() {
        Exchange topic = exchange("t", "topic");
        MessageQueue q = queue("q");
        Message stock = message("stock.nyse.ibm");
        assertEquals(List.of(), route(topic, stock), "no binding yet (and the miss is cached)");
        vhost.bind(topic, q, "stock.#", Map.of());
        assertEquals(List.of("q"), route(topic, stock), "the bind is seen though the miss was cached");
        assertEquals(List.of("q"), route(topic, stock), "now a cached hit");
        vhost.unbind(topic, q, "stock.#", Map.of());
        assertEquals(List.of(), route(topic, stock), "the unbind is seen though the hit was cached");
    }

    @Test
    void aDeletedQueueLeavesTheCachedRoutes() {
        Exchange topic = exchange("t", "topic");
        MessageQueue q = queue("q");
        vhost.bind(topic, q, "*.created", Map.of());
        Message created = message("order.created");
        assertEquals(List.of("q"), route(topic, created));
        q.process().delete(false, false);
        assertEquals(List.of(), route(topic, created));
    }

    @Test
    void aChangeDownstreamOfAnExchangeBindingIsSeenUpstream() {
        Exchange upstream = exchange("up", "topic");
        Exchange downstream = exchange("down", "topic");
        MessageQueue q = queue("q");
        vhost.bind(upstream, downstream, "a.#", Map.of());
        Message m = message("a.b");
        assertEquals(List.of(), route(upstream, m), "cached upstream: to 'down', which has no bindings");
        vhost.bind(downstream, q, "*.b", Map.of());
        assertEquals(List.of("q"), route(upstream, m));
        vhost.unbind(downstream, q, "*.b", Map.of());
        assertEquals(List.of(), route(upstream, m));
    }

    @Test
    void exchangeCyclesEndAndEachQueueIsRoutedOnce() {
        Exchange a = exchange("a", "fanout");
        Exchange b = exchange("b", "fanout");
        MessageQueue q = queue("q");
        vhost.bind(a, b, "", Map.of());
        vhost.bind(b, a, "", Map.of());
        vhost.bind(a, q, "", Map.of());
        vhost.bind(b, q, "", Map.of());
        assertEquals(List.of("q"), route(a, message("k")));
    }

    @Test
    void aMessageFannedOutToManyQueuesReachesEachOnce() {
        Exchange fanout = exchange("f", "fanout");
        Exchange topic = exchange("t", "topic");
        vhost.bind(fanout, topic, "", Map.of());
        for (int i = 0; i < 40; i++) {
            MessageQueue q = queue("q" + i);
            vhost.bind(fanout, q, "", Map.of());
            vhost.bind(topic, q, "#", Map.of());
        }
        List<String> routed = route(fanout, message("k"));
        assertEquals(40, routed.size());
        assertEquals(40, routed.stream().distinct().count());
    }

    @Test
    void routingAllocatesNothingOnceWarm() {
        MessageQueue q1 = queue("q1");
        MessageQueue q2 = queue("q2");
        Exchange direct = exchange("d", "direct");
        Exchange fanout = exchange("f", "fanout");
        Exchange topic = exchange("t", "topic");
        Exchange headers = exchange("h", "headers");
        Exchange chain = exchange("chain", "direct");
        vhost.bind(direct, q1, "k", Map.of());
        vhost.bind(fanout, q1, "", Map.of());
        vhost.bind(fanout, q2, "", Map.of());
        vhost.bind(topic, q1, "orders.*.created", Map.of());
        vhost.bind(topic, q2, "orders.#", Map.of());
        vhost.bind(headers, q1, "", Map.of("x-match", "any", "region", "eu", "tier", 1));
        vhost.bind(chain, topic, "k", Map.of());
        Message plain = message("k");
        Message order = message("orders.eu.created");
        Message withHeaders = headerMessage("k", Map.of("region", "eu"));

        Runnable routes = () -> {
            vhost.route(direct, plain, into);
            vhost.route(fanout, plain, into);
            vhost.route(topic, order, into);
            vhost.route(headers, withHeaders, into);
            vhost.route(chain, plain, into);
            vhost.route(vhost.exchange(""), plain, into);
        };
        for (int i = 0; i < 50_000; i++) {
            routes.run(); // warm: the JIT, the topic cache, the collector's lists
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        int rounds = 100_000;
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < rounds; i++) {
            routes.run();
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        // one object per route would be 16+ bytes, so 6 routes a round cost 9.6 MB; allow the counter's own noise
        assertTrue(allocated < rounds, allocated + " bytes allocated by " + 6 * rounds + " routes");
        vhost.route(topic, order, into);
        assertEquals(2, into.size(), "and they still route");
    }

    @Test
    void consistentHashRoutingAllocatesNothingOnceWarm() {
        Exchange byKey = vhost.declareExchange("ch", "x-consistent-hash", false, false, false, Map.of());
        Exchange byId = vhost.declareExchange("ch-id", "x-consistent-hash", false, false, false,
                Map.of("hash-property", "message_id"));
        for (int i = 0; i < 8; i++) {
            MessageQueue q = queue("q" + i);
            vhost.bind(byKey, q, String.valueOf(1 + i % 3), Map.of());
            vhost.bind(byId, q, "2", Map.of());
        }
        Message plain = message("order-17");
        ByteBuf properties = Unpooled.buffer();
        new dev.warren.core.message.BasicProperties(null, null, null, null, null, null, null, null, "id-42", null,
                null, null, null, null).encode(properties);
        Message withId = new Message("ch-id", "k", properties, Unpooled.buffer(0));
        messages.add(withId);
        Runnable routes = () -> {
            vhost.route(byKey, plain, into);
            vhost.route(byId, withId, into);
        };
        for (int i = 0; i < 50_000; i++) {
            routes.run();
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        int rounds = 100_000;
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < rounds; i++) {
            routes.run();
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertTrue(allocated < rounds, allocated + " bytes allocated by " + 2 * rounds + " routes");
        assertEquals(1, route(byKey, plain).size(), "and each message still reaches one queue");
        assertEquals(1, route(byId, withId).size());
    }

    private Message headerMessage(String routingKey, Map<String, Object> headers) {
        ByteBuf properties = Unpooled.buffer();
        new dev.warren.core.message.BasicProperties(null, null, headers, null, null, null, null, null, null, null,
                null, null, null, null).encode(properties);
        Message m = new Message("h", routingKey, properties, Unpooled.buffer(0));
        messages.add(m);
        return m;
    }
}
