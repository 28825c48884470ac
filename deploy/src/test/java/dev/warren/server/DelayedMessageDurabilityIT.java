package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Delayed messages of a durable x-delayed-message exchange across a restart: the journal keeps them as
 * entries of the exchange's own store queue; their due times count from their arrival, so one whose delay
 * ended while the broker was down is routed right after the start, and a confirmed one is never lost.
 */
@Timeout(120)
class DelayedMessageDurabilityIT extends RestartingServerTest {

    private static AMQP.BasicProperties delay(int millis, boolean persistent) {
        return new AMQP.BasicProperties.Builder().deliveryMode(persistent ? 2 : 1).headers(Map.of("x-delay", millis)).build();
    }

    private static List<String> drain(Channel ch, String queue) throws Exception {
        List<String> bodies = new ArrayList<>();
        for (GetResponse r; (r = ch.basicGet(queue, true)) != null; ) {
            bodies.add(new String(r.getBody(), StandardCharsets.UTF_8));
        }
        return bodies;
    }

    /** Takes what the queue holds into {@code into}; returns how many it holds now. */
    private static int drainInto(Channel ch, List<String> into) {
        try {
            into.addAll(drain(ch, "delayed.durable.q"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return into.size();
    }

    private static void declare(Channel ch) throws Exception {
        ch.exchangeDeclare("delayed.durable", "x-delayed-message", true, false, Map.of("x-delayed-type", "direct"));
        ch.queueDeclare("delayed.durable.q", true, false, false, null);
        ch.queueBind("delayed.durable.q", "delayed.durable", "k");
    }

    @Test
    void confirmedDelayedMessagesSurviveARestartAndArriveWhenTheirDelaysEnd() throws Exception {
        server = WarrenServer.start(config());
        Channel ch = open();
        declare(ch);
        ch.confirmSelect();
        long published = System.currentTimeMillis();
        ch.basicPublish("delayed.durable", "k", delay(1_000, true), "due while down".getBytes(StandardCharsets.UTF_8));
        ch.basicPublish("delayed.durable", "k", delay(8_000, true), "due after start".getBytes(StandardCharsets.UTF_8));
        ch.basicPublish("delayed.durable", "k", delay(1_000, false), "transient too".getBytes(StandardCharsets.UTF_8));
        ch.waitForConfirmsOrDie(10_000);
        assertEquals(0, count(ch, "delayed.durable.q"));

        closeConnections();
        server.close();
        await("the first delay to end while the broker is down", 10_000, () -> System.currentTimeMillis() - published > 1_500);
        server = WarrenServer.start(config());
        Channel after = open();
        List<String> received = new ArrayList<>();
        await("the messages due while down", 10_000, () -> drainInto(after, received) >= 2);
        assertEquals(List.of("due while down", "transient too"), received.subList(0, 2),
                "a durable delayed exchange keeps every message it holds, persistent or not, as the plugin does");
        await("the later delay to end", 20_000, () -> drainInto(after, received) == 3);
        assertEquals("due after start", received.get(2));
        assertTrue(System.currentTimeMillis() - published >= 8_000, "routed before its delay ended");

        restart();
        Channel again = open();
        assertEquals(0, count(again, "delayed.durable.q"), "a delivered delayed message came back after a restart");
        assertNull(again.basicGet("delayed.durable.q", true));
    }

    @Test
    void aDeletedDelayedExchangeLeavesNothingBehindAfterARestart() throws Exception {
        server = WarrenServer.start(config());
        Channel ch = open();
        declare(ch);
        ch.confirmSelect();
        ch.basicPublish("delayed.durable", "k", delay(1_000, true), "dropped".getBytes(StandardCharsets.UTF_8));
        ch.waitForConfirmsOrDie(10_000);
        ch.exchangeDelete("delayed.durable");
        restart();
        Channel after = open();
        declare(after);
        after.confirmSelect();
        after.basicPublish("delayed.durable", "k", delay(1_500, true), "marker".getBytes(StandardCharsets.UTF_8));
        after.waitForConfirmsOrDie(10_000);
        await("the marker", 20_000, () -> count(after, "delayed.durable.q") == 1);
        assertEquals(List.of("marker"), drain(after, "delayed.durable.q"));
    }
}
