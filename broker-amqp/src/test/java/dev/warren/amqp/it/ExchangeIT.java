package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Exchange declaration, deletion, exchange-to-exchange bindings and their errors, checked against RabbitMQ's behaviour (internal and auto-delete exchanges: InternalExchangeIT, AutoDeleteExchangeIT). */
@Timeout(60)
class ExchangeIT extends SharedBrokerIT {

    // ---- declaring ----

    @Test
    void standardExchangesExistAndCanBeDeclaredPassively() throws Exception {
        Channel ch = channel();
        for (String name : List.of("amq.direct", "amq.fanout", "amq.topic", "amq.headers", "amq.match")) {
            assertNotNull(ch.exchangeDeclarePassive(name), name);
        }
        assertTrue(ch.isOpen());
    }

    @Test
    void standardExchangesCanBeRedeclaredWithTheirOwnDefinition() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("amq.direct", "direct", true);
        ch.exchangeDeclare("amq.fanout", "fanout", true);
        ch.exchangeDeclare("amq.topic", "topic", true);
        ch.exchangeDeclare("amq.headers", "headers", true);
        ch.exchangeDeclare("amq.match", "headers", true);
        assertTrue(ch.isOpen());
    }

    @Test
    void exchangesOfEachTypeCanBeDeclaredRedeclaredAndFoundPassively() throws Exception {
        Channel ch = channel();
        for (String type : List.of("direct", "fanout", "topic", "headers")) {
            String name = "declare-each-type." + type;
            ch.exchangeDeclare(name, type);
            ch.exchangeDeclare(name, type); // equivalent redeclaration is fine
            ch.exchangeDeclarePassive(name);
            ch.exchangeDeclare(name + ".durable", type, true, false, null);
            ch.exchangeDeclarePassive(name + ".durable");
        }
        assertTrue(ch.isOpen());
    }

    @Test
    void passiveDeclareOfMissingExchangeIsNotFound() throws Exception {
        Channel ch = channel();
        ShutdownSignalException e = shutdownOf(() -> ch.exchangeDeclarePassive("no-such-exchange"));
        assertChannelClosed(e, 404, "no-such-exchange");
    }

    @Test
    void redeclaringWithDifferentTypeIsPreconditionFailed() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("inequivalent-type", "direct");
        ShutdownSignalException e = shutdownOf(() -> ch.exchangeDeclare("inequivalent-type", "fanout"));
        assertChannelClosed(e, 406, "inequivalent-type");
        assertReplyTextContains(e, "inequivalent arg 'type'");
    }

    @Test
    void redeclaringWithDifferentDurabilityIsPreconditionFailed() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("inequivalent-durable", "direct", false);
        ShutdownSignalException e = shutdownOf(() -> ch.exchangeDeclare("inequivalent-durable", "direct", true));
        assertChannelClosed(e, 406, "inequivalent-durable");
        assertReplyTextContains(e, "inequivalent arg 'durable'");
    }

    @Test
    void redeclaringWithDifferentAutoDeleteIsPreconditionFailed() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("inequivalent-auto-delete", "direct", false, false, null);
        ShutdownSignalException e = shutdownOf(
                () -> ch.exchangeDeclare("inequivalent-auto-delete", "direct", false, true, null));
        assertChannelClosed(e, 406, "inequivalent-auto-delete");
        assertReplyTextContains(e, "inequivalent arg 'auto_delete'");
    }

    @Test
    void redeclaringWithDifferentInternalFlagIsPreconditionFailed() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("inequivalent-internal", "direct", false, false, false, null);
        ShutdownSignalException e = shutdownOf(
                () -> ch.exchangeDeclare("inequivalent-internal", "direct", false, false, true, null));
        assertChannelClosed(e, 406, "inequivalent-internal");
        assertReplyTextContains(e, "inequivalent arg 'internal'");
    }

    @Test
    void redeclaringStandardExchangeWithDifferentTypeIsPreconditionFailed() throws Exception {
        Channel ch = channel();
        ShutdownSignalException e = shutdownOf(() -> ch.exchangeDeclare("amq.direct", "topic", true));
        assertChannelClosed(e, 406, "amq.direct");
    }

    @Test
    void declaringNewExchangeWithReservedAmqPrefixIsAccessRefused() throws Exception {
        Channel ch = channel();
        ShutdownSignalException e = shutdownOf(() -> ch.exchangeDeclare("amq.custom", "direct"));
        assertChannelClosed(e, 403, "amq.custom");
        Channel again = channel();
        ShutdownSignalException passive = shutdownOf(() -> again.exchangeDeclarePassive("amq.custom"));
        assertChannelClosed(passive, 404, "amq.custom");
    }

    @Test
    void declaringTheDefaultExchangeIsAccessRefused() throws Exception {
        Channel ch = channel();
        ShutdownSignalException e = shutdownOf(() -> ch.exchangeDeclare("", "direct"));
        assertChannelClosed(e, 403, "default exchange");
    }

    @Test
    void declaringUnknownExchangeTypeIsCommandInvalidConnectionError() throws Exception {
        Connection connection = connect();
        Channel ch = connection.createChannel();
        ShutdownSignalException e = shutdownOf(() -> ch.exchangeDeclare("unknown-type", "foo"));
        assertConnectionClosed(e, 503, "foo");
        BrokerFixture.await("connection to close", WAIT_MILLIS, () -> !connection.isOpen());
        Channel other = channel();
        ShutdownSignalException passive = shutdownOf(() -> other.exchangeDeclarePassive("unknown-type"));
        assertChannelClosed(passive, 404, "unknown-type");
    }

    // ---- deleting ----

    @Test
    void deletedExchangeIsGone() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("to-delete", "topic");
        ch.exchangeDelete("to-delete");
        ShutdownSignalException e = shutdownOf(() -> ch.exchangeDeclarePassive("to-delete"));
        assertChannelClosed(e, 404, "to-delete");
    }

    @Test
    void deletingMissingExchangeSucceeds() throws Exception {
        Channel ch = channel();
        ch.exchangeDelete("never-declared-exchange");
        assertTrue(ch.isOpen());
    }

    @Test
    void deleteIfUnusedOfExchangeWithBindingIsPreconditionFailed() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("in-use-exchange", "direct");
        String queue = ch.queueDeclare().getQueue();
        ch.queueBind(queue, "in-use-exchange", "k");
        ShutdownSignalException e = shutdownOf(() -> ch.exchangeDelete("in-use-exchange", true));
        assertChannelClosed(e, 406, "in-use-exchange");
        Channel again = channel();
        again.exchangeDeclarePassive("in-use-exchange"); // still there
        again.exchangeDelete("in-use-exchange", false);
        ShutdownSignalException gone = shutdownOf(() -> again.exchangeDeclarePassive("in-use-exchange"));
        assertChannelClosed(gone, 404, "in-use-exchange");
    }

    @Test
    void deleteIfUnusedOfExchangeWithoutBindingsSucceeds() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("unused-exchange", "direct");
        ch.exchangeDelete("unused-exchange", true);
        ShutdownSignalException e = shutdownOf(() -> ch.exchangeDeclarePassive("unused-exchange"));
        assertChannelClosed(e, 404, "unused-exchange");
    }

    @Test
    void deletingStandardExchangeIsAccessRefused() throws Exception {
        Channel ch = channel();
        ShutdownSignalException e = shutdownOf(() -> ch.exchangeDelete("amq.direct"));
        assertChannelClosed(e, 403, "amq.direct");
        channel().exchangeDeclarePassive("amq.direct");
    }

    @Test
    void deletingExchangeRemovesItsBindings() throws Exception {
        Channel ch = channel();
        String queue = ch.queueDeclare().getQueue();
        ch.exchangeDeclare("deleted-with-bindings", "fanout");
        ch.queueBind(queue, "deleted-with-bindings", "");
        ch.exchangeDelete("deleted-with-bindings");
        ch.exchangeDeclare("deleted-with-bindings", "fanout");
        ch.basicPublish("deleted-with-bindings", "", null, bytes("after-recreate"));
        ch.basicPublish("", queue, null, bytes("fence"));
        assertEquals(List.of(), drainUntilFence(ch, queue));
    }

    // ---- exchange-to-exchange bindings ----

    @Test
    void exchangeToExchangeBindingRoutesFromFanoutThroughTopicToQueue() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("e2e-fanout", "fanout");
        ch.exchangeDeclare("e2e-topic", "topic");
        ch.exchangeBind("e2e-topic", "e2e-fanout", "ignored-by-fanout");
        String queue = ch.queueDeclare().getQueue();
        ch.queueBind(queue, "e2e-topic", "orders.*");
        ch.basicPublish("e2e-fanout", "orders.created", null, bytes("created"));
        ch.basicPublish("e2e-fanout", "invoices.created", null, bytes("invoice"));
        ch.basicPublish("e2e-fanout", "orders.shipped", null, bytes("shipped"));
        ch.basicPublish("", queue, null, bytes("fence"));
        assertEquals(List.of("created", "shipped"), drainUntilFence(ch, queue));
    }

    @Test
    void exchangeUnbindStopsRoutingThroughThatBinding() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("unbind-src", "fanout");
        ch.exchangeDeclare("unbind-dst", "topic");
        ch.exchangeBind("unbind-dst", "unbind-src", "");
        String queue = ch.queueDeclare().getQueue();
        ch.queueBind(queue, "unbind-dst", "#");
        ch.basicPublish("unbind-src", "x", null, bytes("before-unbind"));
        ch.basicPublish("", queue, null, bytes("fence"));
        assertEquals(List.of("before-unbind"), drainUntilFence(ch, queue));
        ch.exchangeUnbind("unbind-dst", "unbind-src", "");
        ch.basicPublish("unbind-src", "x", null, bytes("after-unbind"));
        ch.basicPublish("unbind-dst", "x", null, bytes("direct-to-destination"));
        ch.basicPublish("", queue, null, bytes("fence"));
        assertEquals(List.of("direct-to-destination"), drainUntilFence(ch, queue));
    }

    @Test
    void exchangeBindToMissingExchangeIsNotFound() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("e2e-existing", "fanout");
        ShutdownSignalException e = shutdownOf(() -> ch.exchangeBind("e2e-missing-destination", "e2e-existing", ""));
        assertChannelClosed(e, 404, "e2e-missing-destination");
        Channel again = channel();
        ShutdownSignalException source = shutdownOf(() -> again.exchangeBind("e2e-existing", "e2e-missing-source", ""));
        assertChannelClosed(source, 404, "e2e-missing-source");
    }

    @Test
    void cycleOfExchangeToExchangeBindingsDeliversMessageOnce() throws Exception {
        Channel ch = channel();
        ch.exchangeDeclare("cycle-a", "fanout");
        ch.exchangeDeclare("cycle-b", "fanout");
        ch.exchangeDeclare("cycle-c", "topic");
        ch.exchangeBind("cycle-b", "cycle-a", "");
        ch.exchangeBind("cycle-c", "cycle-b", "");
        ch.exchangeBind("cycle-a", "cycle-c", "#");
        String queue = ch.queueDeclare().getQueue();
        ch.queueBind(queue, "cycle-b", "");
        ch.queueBind(queue, "cycle-c", "#");
        ch.basicPublish("cycle-a", "k", null, bytes("first"));
        ch.basicPublish("cycle-c", "k", null, bytes("second"));
        ch.basicPublish("", queue, null, bytes("fence"));
        assertEquals(List.of("first", "second"), drainUntilFence(ch, queue));
        assertTrue(ch.isOpen());
    }

    // ---- helpers ----

    /** Gets messages until the fence message, waiting (bounded) for each; returns the bodies before the fence. */
    private static List<String> drainUntilFence(Channel ch, String queue) throws Exception {
        List<String> bodies = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (true) {
            GetResponse got = ch.basicGet(queue, true);
            if (got == null) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("fence message not received from " + queue + "; got " + bodies);
                }
                Thread.onSpinWait();
                continue;
            }
            String body = new String(got.getBody(), StandardCharsets.UTF_8);
            if (body.equals("fence")) {
                return bodies;
            }
            bodies.add(body);
        }
    }

    private static void assertReplyTextContains(ShutdownSignalException e, String textPart) {
        String text = e.getReason() instanceof AMQP.Channel.Close c ? c.getReplyText()
                : ((AMQP.Connection.Close) e.getReason()).getReplyText();
        assertTrue(text.contains(textPart), () -> "reply text '" + text + "' should contain '" + textPart + "'");
    }
}
