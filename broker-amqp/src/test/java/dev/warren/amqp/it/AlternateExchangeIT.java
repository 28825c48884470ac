package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Alternate exchanges, as RabbitMQ has them: a message its exchange cannot route goes to the exchange named
 * by its {@code alternate-exchange} argument, along chains of them (cycles stopped), and a mandatory
 * message is returned only when none of them routes it.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AlternateExchangeIT {
    private static BrokerFixture broker;

    @BeforeAll
    static void start() throws Exception {
        broker = BrokerFixture.start();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static Map<String, Object> ae(String name) {
        return Map.of("alternate-exchange", name);
    }

    private static String body(GetResponse got) {
        return new String(got.getBody(), StandardCharsets.UTF_8);
    }

    /** basic.get until a message comes (publishes reach the queue asynchronously) or the deadline passes. */
    private static GetResponse await(Channel channel, String queue) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        GetResponse got;
        while ((got = channel.basicGet(queue, true)) == null && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return got;
    }

    @Test
    void anUnroutableMessageGoesToTheAlternateExchangeAndARoutableOneDoesNot() throws Exception {
        try (Connection connection = broker.connect()) {
            Channel ch = connection.createChannel();
            ch.exchangeDeclare("ae-1", "fanout");
            ch.exchangeDeclare("main-1", "direct", false, false, ae("ae-1"));
            ch.queueDeclare("unrouted-1", false, false, true, null);
            ch.queueDeclare("routed-1", false, false, true, null);
            ch.queueBind("unrouted-1", "ae-1", "");
            ch.queueBind("routed-1", "main-1", "known");
            ch.confirmSelect();
            ch.basicPublish("main-1", "unknown", null, "lost?".getBytes(StandardCharsets.UTF_8));
            ch.basicPublish("main-1", "known", null, "routed".getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(5_000);
            assertEquals("lost?", body(await(ch, "unrouted-1")));
            assertEquals("routed", body(await(ch, "routed-1")));
            assertNull(ch.basicGet("unrouted-1", true), "the routable message did not also go to the AE");
        }
    }

    @Test
    void chainsAreFollowedCyclesStoppedAndMandatoryReturnsOnlyWhenNothingRoutes() throws Exception {
        try (Connection connection = broker.connect()) {
            Channel ch = connection.createChannel();
            // chain: x -> y -> z, only z routes
            ch.exchangeDeclare("chain-z", "fanout");
            ch.exchangeDeclare("chain-y", "direct", false, false, ae("chain-z"));
            ch.exchangeDeclare("chain-x", "direct", false, false, ae("chain-y"));
            ch.queueDeclare("chain-q", false, false, true, null);
            ch.queueBind("chain-q", "chain-z", "");
            // cycle: a <-> b, neither routes
            ch.exchangeDeclare("cycle-a", "direct", false, false, ae("cycle-b"));
            ch.exchangeDeclare("cycle-b", "direct", false, false, ae("cycle-a"));
            // an alternate exchange that does not exist
            ch.exchangeDeclare("missing-ae", "direct", false, false, ae("no-such-exchange"));

            List<String> returned = new CopyOnWriteArrayList<>();
            ch.addReturnListener(r -> returned.add(r.getExchange() + ":" + r.getReplyText()));
            ch.confirmSelect();
            ch.basicPublish("chain-x", "k", true, null, "chained".getBytes(StandardCharsets.UTF_8));
            ch.basicPublish("cycle-a", "k", true, null, "cycling".getBytes(StandardCharsets.UTF_8));
            ch.basicPublish("missing-ae", "k", true, null, "nowhere".getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(5_000);

            GetResponse got = await(ch, "chain-q");
            assertNotNull(got);
            assertEquals("chained", body(got));
            BrokerFixture.await("two returns", 5_000, () -> returned.size() == 2);
            assertEquals(List.of("cycle-a:NO_ROUTE", "missing-ae:NO_ROUTE"), returned);
            assertTrue(ch.isOpen());
        }
    }

    @Test
    void anExchangeReachedThroughAnExchangeBindingUsesItsOwnAlternate() throws Exception {
        try (Connection connection = broker.connect()) {
            Channel ch = connection.createChannel();
            ch.exchangeDeclare("inner-ae", "fanout");
            ch.exchangeDeclare("inner", "direct", false, false, ae("inner-ae"));
            ch.exchangeDeclare("outer", "fanout");
            ch.exchangeBind("inner", "outer", "");
            ch.queueDeclare("inner-ae-q", false, false, true, null);
            ch.queueBind("inner-ae-q", "inner-ae", "");
            ch.basicPublish("outer", "k", null, "through".getBytes(StandardCharsets.UTF_8));
            assertEquals("through", body(await(ch, "inner-ae-q")));
        }
    }
}
