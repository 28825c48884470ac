package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DeliverCallback;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Queue declaration, exclusivity, auto-delete, bindings, purge and delete, checked against RabbitMQ's behaviour. */
@Timeout(60)
class QueueIT extends SharedBrokerIT {

    // ---- declaring ----

    @Test
    void serverNamedQueueStartsWithAmqGen() throws Exception {
        Channel ch = channel();
        AMQP.Queue.DeclareOk ok = ch.queueDeclare();
        assertTrue(ok.getQueue().startsWith("amq.gen-"), ok.getQueue());
        assertTrue(ok.getQueue().length() > "amq.gen-".length(), ok.getQueue());
        assertEquals(0, ok.getMessageCount());
        assertEquals(0, ok.getConsumerCount());
        assertEquals(ok.getQueue(), ch.queueDeclarePassive(ok.getQueue()).getQueue());
        String second = ch.queueDeclare().getQueue();
        assertFalse(second.equals(ok.getQueue()), "each server-named queue gets a new name");
    }

    @Test
    void declareOkCountsMessagesPublishedBeforeOnTheSameChannel() throws Exception {
        Channel ch = channel();
        String queue = "declare-ok-messages";
        AMQP.Queue.DeclareOk first = ch.queueDeclare(queue, false, false, false, null);
        assertEquals(0, first.getMessageCount());
        for (int i = 0; i < 3; i++) {
            ch.basicPublish("", queue, null, bytes("m" + i));
        }
        AMQP.Queue.DeclareOk again = ch.queueDeclare(queue, false, false, false, null);
        assertEquals(queue, again.getQueue());
        assertEquals(3, again.getMessageCount());
        assertEquals(0, again.getConsumerCount());
        assertEquals(3, ch.queueDeclarePassive(queue).getMessageCount());
    }

    @Test
    void declareOkCountsMessagesPublishedBeforeOnTheSameChannelWhenTheQueueBelongsToAnotherConnection() throws Exception {
        // The queue is declared on one connection and so lives on that connection's thread; the publishes and
        // the declare come from another. RabbitMQ orders a channel's methods towards a queue, so the declare
        // must see all three messages.
        Channel owner = channel();
        String queue = "declare-ok-messages-other-connection";
        owner.queueDeclare(queue, false, false, false, null);
        for (int attempt = 0; attempt < 20; attempt++) {
            Channel publisher = channel();
            for (int i = 0; i < 3; i++) {
                publisher.basicPublish("", queue, null, bytes("m" + i));
            }
            AMQP.Queue.DeclareOk again = publisher.queueDeclare(queue, false, false, false, null);
            assertEquals(3, again.getMessageCount(), "attempt " + attempt);
            owner.queuePurge(queue);
        }
    }

    @Test
    void purgeAndDeleteCountMessagesPublishedBeforeOnTheSameChannelWhenTheQueueBelongsToAnotherConnection()
            throws Exception {
        Channel owner = channel();
        for (int attempt = 0; attempt < 20; attempt++) {
            String queue = "purge-delete-other-connection-" + attempt;
            owner.queueDeclare(queue, false, false, false, null);
            Channel publisher = channel();
            for (int i = 0; i < 3; i++) {
                publisher.basicPublish("", queue, null, bytes("m" + i));
            }
            assertEquals(3, publisher.queuePurge(queue).getMessageCount(), "purge, attempt " + attempt);
            for (int i = 0; i < 2; i++) {
                publisher.basicPublish("", queue, null, bytes("m" + i));
            }
            assertEquals(2, publisher.queueDelete(queue).getMessageCount(), "delete, attempt " + attempt);
        }
    }

    @Test
    void declareOkCountsConsumers() throws Exception {
        Channel ch = channel();
        String queue = "declare-ok-consumers";
        ch.queueDeclare(queue, false, false, false, null);
        Channel consumerChannel = channel();
        consumerChannel.basicConsume(queue, true, (tag, d) -> { }, tag -> { });
        AMQP.Queue.DeclareOk again = ch.queueDeclare(queue, false, false, false, null);
        assertEquals(1, again.getConsumerCount());
        assertEquals(0, again.getMessageCount());
        consumerChannel.basicConsume(queue, true, (tag, d) -> { }, tag -> { });
        assertEquals(2, ch.queueDeclarePassive(queue).getConsumerCount());
    }

    @Test
    void passiveDeclareOfMissingQueueIsNotFound() throws Exception {
        Channel ch = channel();
        ShutdownSignalException e = shutdownOf(() -> ch.queueDeclarePassive("no-such-queue"));
        assertChannelClosed(e, 404, "no-such-queue");
    }

    @Test
    void redeclaringWithDifferentDurabilityIsPreconditionFailed() throws Exception {
        Channel ch = channel();
        ch.queueDeclare("inequivalent-durable-q", false, false, false, null);
        ShutdownSignalException e = shutdownOf(() -> ch.queueDeclare("inequivalent-durable-q", true, false, false, null));
        assertChannelClosed(e, 406, "inequivalent-durable-q");
        assertTrue(replyText(e).contains("inequivalent arg 'durable'"), replyText(e));
        channel().queueDeclarePassive("inequivalent-durable-q"); // the original is untouched
    }

    @Test
    void redeclaringWithDifferentAutoDeleteIsPreconditionFailed() throws Exception {
        Channel ch = channel();
        ch.queueDeclare("inequivalent-auto-delete-q", false, false, false, null);
        ShutdownSignalException e = shutdownOf(
                () -> ch.queueDeclare("inequivalent-auto-delete-q", false, false, true, null));
        assertChannelClosed(e, 406, "inequivalent-auto-delete-q");
        assertTrue(replyText(e).contains("inequivalent arg 'auto_delete'"), replyText(e));
    }

    @Test
    void redeclaringWithDifferentQueueArgumentIsPreconditionFailed() throws Exception {
        Channel ch = channel();
        ch.queueDeclare("inequivalent-args-q", false, false, false, Map.of("x-message-ttl", 1000));
        ShutdownSignalException e = shutdownOf(() -> ch.queueDeclare("inequivalent-args-q", false, false, false,
                Map.of("x-message-ttl", 2000)));
        assertChannelClosed(e, 406, "inequivalent-args-q");
        assertTrue(replyText(e).contains("inequivalent arg 'x-message-ttl'"), replyText(e));
    }

    @Test
    void declaringQueueWithReservedAmqPrefixIsAccessRefused() throws Exception {
        Channel ch = channel();
        ShutdownSignalException e = shutdownOf(() -> ch.queueDeclare("amq.foo", false, false, false, null));
        assertChannelClosed(e, 403, "amq.foo");
    }

    // ---- exclusive queues ----

    @Test
    void declaringExclusiveQueueOfAnotherConnectionIsResourceLocked() throws Exception {
        Channel owner = channel();
        owner.queueDeclare("exclusive-declare", false, true, false, null);
        Channel other = channel();
        ShutdownSignalException e = shutdownOf(() -> other.queueDeclare("exclusive-declare", false, true, false, null));
        assertChannelClosed(e, 405, "exclusive-declare");
        Channel passive = channel();
        ShutdownSignalException p = shutdownOf(() -> passive.queueDeclarePassive("exclusive-declare"));
        assertChannelClosed(p, 405, "exclusive-declare");
        owner.queueDeclarePassive("exclusive-declare"); // the owner still may
    }

    @Test
    void consumingFromExclusiveQueueOfAnotherConnectionIsResourceLocked() throws Exception {
        Channel owner = channel();
        owner.queueDeclare("exclusive-consume", false, true, false, null);
        Channel other = channel();
        ShutdownSignalException e = shutdownOf(() -> other.basicConsume("exclusive-consume", true, (t, d) -> { }, t -> { }));
        assertChannelClosed(e, 405, "exclusive-consume");
        assertEquals(0, owner.queueDeclarePassive("exclusive-consume").getConsumerCount());
    }

    @Test
    void bindingExclusiveQueueOfAnotherConnectionIsResourceLocked() throws Exception {
        Channel owner = channel();
        owner.queueDeclare("exclusive-bind", false, true, false, null);
        Channel other = channel();
        ShutdownSignalException e = shutdownOf(() -> other.queueBind("exclusive-bind", "amq.direct", "k"));
        assertChannelClosed(e, 405, "exclusive-bind");
    }

    @Test
    void deletingExclusiveQueueOfAnotherConnectionIsResourceLocked() throws Exception {
        Channel owner = channel();
        owner.queueDeclare("exclusive-delete", false, true, false, null);
        Channel other = channel();
        ShutdownSignalException e = shutdownOf(() -> other.queueDelete("exclusive-delete"));
        assertChannelClosed(e, 405, "exclusive-delete");
        owner.queueDeclarePassive("exclusive-delete"); // still there
    }

    @Test
    void purgingExclusiveQueueOfAnotherConnectionIsResourceLocked() throws Exception {
        Channel owner = channel();
        owner.queueDeclare("exclusive-purge", false, true, false, null);
        owner.basicPublish("", "exclusive-purge", null, bytes("keep me"));
        Channel other = channel();
        ShutdownSignalException e = shutdownOf(() -> other.queuePurge("exclusive-purge"));
        assertChannelClosed(e, 405, "exclusive-purge");
        assertEquals(1, owner.queueDeclarePassive("exclusive-purge").getMessageCount());
    }

    @Test
    void gettingFromExclusiveQueueOfAnotherConnectionIsResourceLocked() throws Exception {
        Channel owner = channel();
        owner.queueDeclare("exclusive-get", false, true, false, null);
        owner.basicPublish("", "exclusive-get", null, bytes("mine"));
        Channel other = channel();
        ShutdownSignalException e = shutdownOf(() -> other.basicGet("exclusive-get", true));
        assertChannelClosed(e, 405, "exclusive-get");
        assertEquals("mine", text(getWithin(owner, "exclusive-get").getBody()));
    }

    @Test
    void exclusiveQueueIsDeletedWhenItsConnectionCloses() throws Exception {
        Connection ownerConnection = connect();
        Channel owner = ownerConnection.createChannel();
        owner.queueDeclare("exclusive-closing", false, true, false, null);
        Connection observer = connect();
        ownerConnection.close();
        BrokerFixture.await("exclusive queue to be deleted", WAIT_MILLIS,
                () -> passiveDeclareReplyCode(observer, "exclusive-closing") == 404);
        // once gone, anyone may declare the name again
        Channel ch = observer.createChannel();
        ch.queueDeclare("exclusive-closing", false, false, false, null);
        ch.queueDelete("exclusive-closing");
    }

    // ---- auto-delete ----

    @Test
    void autoDeleteQueueIsNotDeletedBeforeItEverHadAConsumer() throws Exception {
        Channel ch = channel();
        ch.queueDeclare("auto-delete-never-consumed", false, false, true, null);
        ch.basicPublish("", "auto-delete-never-consumed", null, bytes("m"));
        GetResponse got = getWithin(ch, "auto-delete-never-consumed");
        assertEquals("m", text(got.getBody()));
        assertNotNull(ch.queueDeclarePassive("auto-delete-never-consumed"));
    }

    @Test
    void autoDeleteQueueIsDeletedWhenItsLastConsumerCancels() throws Exception {
        Channel ch = channel();
        String queue = "auto-delete-last-consumer";
        ch.queueDeclare(queue, false, false, true, null);
        Channel consumers = channel();
        String first = consumers.basicConsume(queue, true, (t, d) -> { }, t -> { });
        String second = consumers.basicConsume(queue, true, (t, d) -> { }, t -> { });
        consumers.basicCancel(first);
        AMQP.Queue.DeclareOk stillThere = ch.queueDeclarePassive(queue);
        assertEquals(1, stillThere.getConsumerCount());
        consumers.basicCancel(second);
        Connection observer = connect();
        BrokerFixture.await("auto-delete queue to be deleted", WAIT_MILLIS,
                () -> passiveDeclareReplyCode(observer, queue) == 404);
    }

    @Test
    void autoDeleteQueueIsDeletedWhenTheChannelOfItsLastConsumerCloses() throws Exception {
        Channel ch = channel();
        String queue = "auto-delete-channel-closed";
        ch.queueDeclare(queue, false, false, true, null);
        Channel consumer = channel();
        consumer.basicConsume(queue, false, (t, d) -> { }, t -> { });
        consumer.close();
        Connection observer = connect();
        BrokerFixture.await("auto-delete queue to be deleted", WAIT_MILLIS,
                () -> passiveDeclareReplyCode(observer, queue) == 404);
    }

    // ---- bindings ----

    @Test
    void boundQueueReceivesAndUnboundQueueNoLonger() throws Exception {
        Channel ch = channel();
        String queue = ch.queueDeclare().getQueue();
        ch.queueBind(queue, "amq.direct", "bind-key");
        ch.basicPublish("amq.direct", "bind-key", null, bytes("while-bound"));
        ch.basicPublish("", queue, null, bytes("fence"));
        assertEquals(List.of("while-bound"), drainUntilFence(ch, queue));
        ch.queueUnbind(queue, "amq.direct", "bind-key");
        ch.basicPublish("amq.direct", "bind-key", null, bytes("after-unbind"));
        ch.basicPublish("", queue, null, bytes("fence"));
        assertEquals(List.of(), drainUntilFence(ch, queue));
    }

    @Test
    void unbindingBindingThatDoesNotExistSucceeds() throws Exception {
        Channel ch = channel();
        String queue = ch.queueDeclare().getQueue();
        ch.queueUnbind(queue, "amq.direct", "never-bound");
        assertTrue(ch.isOpen());
    }

    @Test
    void bindingToMissingExchangeIsNotFound() throws Exception {
        Channel ch = channel();
        String queue = ch.queueDeclare().getQueue();
        ShutdownSignalException e = shutdownOf(() -> ch.queueBind(queue, "no-such-exchange-for-bind", "k"));
        assertChannelClosed(e, 404, "no-such-exchange-for-bind");
    }

    @Test
    void bindingMissingQueueIsNotFound() throws Exception {
        Channel ch = channel();
        ShutdownSignalException e = shutdownOf(() -> ch.queueBind("no-such-queue-for-bind", "amq.direct", "k"));
        assertChannelClosed(e, 404, "no-such-queue-for-bind");
    }

    @Test
    void emptyQueueNameInBindAndConsumeMeansTheLastQueueDeclaredOnTheChannel() throws Exception {
        Channel ch = channel();
        ch.queueDeclare("last-declared", false, false, false, null);
        ch.queueBind("", "amq.direct", "to-last-declared");
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        DeliverCallback onDeliver = (tag, d) -> received.add(text(d.getBody()) + "@" + d.getEnvelope().getRoutingKey());
        ch.basicConsume("", true, onDeliver, tag -> { });
        assertEquals(1, ch.queueDeclarePassive("last-declared").getConsumerCount());
        Channel publisher = channel();
        publisher.basicPublish("amq.direct", "to-last-declared", null, bytes("via-binding"));
        assertEquals("via-binding@to-last-declared", received.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS));
        publisher.basicPublish("", "last-declared", null, bytes("direct"));
        assertEquals("direct@last-declared", received.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS));
    }

    @Test
    void emptyQueueNameBeforeAnyQueueWasDeclaredIsNotFound() throws Exception {
        Channel ch = channel();
        ShutdownSignalException e = shutdownOf(() -> ch.queueBind("", "amq.direct", "k"));
        assertChannelClosed(e, 404, "no previously declared queue");
    }

    // ---- purge and delete ----

    @Test
    void purgeReturnsHowManyMessagesItRemoved() throws Exception {
        Channel ch = channel();
        String queue = "purge-count";
        ch.queueDeclare(queue, false, false, false, null);
        for (int i = 0; i < 4; i++) {
            ch.basicPublish("", queue, null, bytes("m" + i));
        }
        assertEquals(4, ch.queuePurge(queue).getMessageCount());
        assertEquals(0, ch.queueDeclarePassive(queue).getMessageCount());
        assertEquals(0, ch.queuePurge(queue).getMessageCount());
    }

    @Test
    void deleteReturnsHowManyMessagesTheQueueHeld() throws Exception {
        Channel ch = channel();
        String queue = "delete-count";
        ch.queueDeclare(queue, false, false, false, null);
        for (int i = 0; i < 2; i++) {
            ch.basicPublish("", queue, null, bytes("m" + i));
        }
        assertEquals(2, ch.queueDelete(queue).getMessageCount());
        ShutdownSignalException e = shutdownOf(() -> ch.queueDeclarePassive(queue));
        assertChannelClosed(e, 404, queue);
    }

    @Test
    void deleteIfUnusedOfQueueWithConsumerIsPreconditionFailed() throws Exception {
        Channel ch = channel();
        String queue = "delete-if-unused";
        ch.queueDeclare(queue, false, false, false, null);
        Channel consumer = channel();
        consumer.basicConsume(queue, true, (t, d) -> { }, t -> { });
        ShutdownSignalException e = shutdownOf(() -> ch.queueDelete(queue, true, false));
        assertChannelClosed(e, 406, queue);
        assertEquals(1, channel().queueDeclarePassive(queue).getConsumerCount());
    }

    @Test
    void deleteIfEmptyOfQueueWithMessagesIsPreconditionFailed() throws Exception {
        Channel ch = channel();
        String queue = "delete-if-empty";
        ch.queueDeclare(queue, false, false, false, null);
        ch.basicPublish("", queue, null, bytes("m"));
        ShutdownSignalException e = shutdownOf(() -> ch.queueDelete(queue, false, true));
        assertChannelClosed(e, 406, queue);
        assertEquals(1, channel().queueDeclarePassive(queue).getMessageCount());
    }

    @Test
    void deleteIfUnusedAndIfEmptyOfIdleEmptyQueueSucceeds() throws Exception {
        Channel ch = channel();
        String queue = "delete-if-unused-and-empty";
        ch.queueDeclare(queue, false, false, false, null);
        assertEquals(0, ch.queueDelete(queue, true, true).getMessageCount());
        ShutdownSignalException e = shutdownOf(() -> ch.queueDeclarePassive(queue));
        assertChannelClosed(e, 404, queue);
    }

    @Test
    void deletingMissingQueueSucceeds() throws Exception {
        Channel ch = channel();
        assertEquals(0, ch.queueDelete("never-declared-queue").getMessageCount());
        assertTrue(ch.isOpen());
    }

    @Test
    void deletingQueueRemovesItsBindings() throws Exception {
        Channel ch = channel();
        String queue = "delete-removes-bindings";
        ch.queueDeclare(queue, false, false, false, null);
        ch.queueBind(queue, "amq.fanout", "");
        ch.queueDelete(queue);
        ch.queueDeclare(queue, false, false, false, null);
        ch.basicPublish("amq.fanout", "", null, bytes("old-binding"));
        ch.basicPublish("", queue, null, bytes("fence"));
        assertEquals(List.of(), drainUntilFence(ch, queue));
        ch.queueDelete(queue);
    }

    // ---- helpers ----

    /** Passive-declares on a fresh channel: 200 when the queue is there, else the channel close reply code. */
    private static int passiveDeclareReplyCode(Connection connection, String queue) {
        try {
            Channel ch = connection.createChannel();
            ch.queueDeclarePassive(queue);
            ch.close();
            return 200;
        } catch (IOException e) {
            if (e.getCause() instanceof ShutdownSignalException s && s.getReason() instanceof AMQP.Channel.Close close) {
                return close.getReplyCode();
            }
            throw new AssertionError("unexpected error", e);
        } catch (Exception e) {
            throw new AssertionError("unexpected error", e);
        }
    }

    private static GetResponse getWithin(Channel ch, String queue) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (true) {
            GetResponse got = ch.basicGet(queue, true);
            if (got != null) {
                return got;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no message in " + queue + " before the deadline");
            }
            Thread.onSpinWait();
        }
    }

    /** Gets messages until the fence message, waiting (bounded) for each; returns the bodies before the fence. */
    private static List<String> drainUntilFence(Channel ch, String queue) throws Exception {
        List<String> bodies = new ArrayList<>();
        while (true) {
            String body = text(getWithin(ch, queue).getBody());
            if (body.equals("fence")) {
                return bodies;
            }
            bodies.add(body);
        }
    }

    private static String replyText(ShutdownSignalException e) {
        return e.getReason() instanceof AMQP.Channel.Close c ? c.getReplyText()
                : ((AMQP.Connection.Close) e.getReason()).getReplyText();
    }

}
