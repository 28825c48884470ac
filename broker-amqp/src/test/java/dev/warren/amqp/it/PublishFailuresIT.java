package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.MessageProperties;
import com.rabbitmq.client.ShutdownSignalException;
import dev.warren.core.Consumer;
import dev.warren.core.MessageQueue;
import dev.warren.core.QueueEntry;
import dev.warren.core.store.DefinitionStore;
import dev.warren.core.store.MemoryBudget;
import dev.warren.core.store.ResourceAlarm;
import dev.warren.core.store.Storage;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a publisher hears when its message cannot be taken: a queue that fails to enqueue (a broker bug)
 * or a store that failed. With confirms it is a nack, whichever event loop the queue lives on; without,
 * the connection closes with a clear reply code; nothing is left waiting, and the channel goes on.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PublishFailuresIT {
    private final EventLoop otherLoop = new DefaultEventLoop();
    private BrokerFixture broker;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
        otherLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** A consumer with a bug: taking a delivery throws. */
    private static final class BrokenConsumer implements Consumer {
        @Override
        public String tag() {
            return "broken";
        }

        @Override
        public boolean exclusive() {
            return false;
        }

        @Override
        public boolean ready() {
            return true;
        }

        @Override
        public void deliver(MessageQueue queue, QueueEntry entry) {
            entry.message().release();
            throw new IllegalStateException("a consumer bug");
        }

        @Override
        public void cancelledByQueue(MessageQueue queue) {
        }
    }

    private static void breakQueue(MessageQueue queue) throws Exception {
        queue.call(q -> {
            q.addConsumer(new BrokenConsumer());
            return null;
        }).get(5, TimeUnit.SECONDS);
    }

    private static byte[] body(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aFailingEnqueueIsNackedWhetherTheQueueLivesOnThePublishersLoopOrAnother() throws Exception {
        broker = BrokerFixture.start();
        try (Connection connection = broker.connect()) {
            Channel channel = connection.createChannel();
            channel.queueDeclare("here", false, false, false, null); // owned by this connection's loop
            MessageQueue elsewhere = broker.broker().vhost("/")
                    .declareQueue("elsewhere", false, false, false, Map.of(), null, otherLoop);
            breakQueue(broker.broker().vhost("/").queue("here"));
            breakQueue(elsewhere);
            channel.queueDeclare("healthy", false, false, false, null);
            channel.confirmSelect();

            for (String queue : new String[] {"here", "elsewhere"}) {
                channel.basicPublish("", queue, null, body("to " + queue));
                assertFalse(channel.waitForConfirms(10_000), "the publish to '" + queue + "' is nacked");
            }
            channel.basicPublish("", "healthy", null, body("fine"));
            assertTrue(channel.waitForConfirms(10_000), "nothing is left waiting: the next publish is confirmed");
            assertTrue(channel.isOpen());
        }
    }

    @Test
    void aFailingEnqueueWithoutConfirmsClosesTheConnectionWithInternalError() throws Exception {
        broker = BrokerFixture.start();
        Connection connection = broker.connect();
        Channel channel = connection.createChannel();
        MessageQueue elsewhere = broker.broker().vhost("/")
                .declareQueue("elsewhere", false, false, false, Map.of(), null, otherLoop);
        breakQueue(elsewhere);
        channel.basicPublish("", "elsewhere", null, body("lost to a bug"));
        BrokerFixture.await("the connection to close", 10_000, () -> !connection.isOpen());
        ShutdownSignalException reason = connection.getCloseReason();
        assertTrue(reason.isHardError());
        assertEquals(541, ((com.rabbitmq.client.AMQP.Connection.Close) reason.getReason()).getReplyCode());
    }

    private ControllableStore startWithControllableStore() throws InterruptedException {
        ControllableStore store = new ControllableStore();
        broker = BrokerFixture.start(new Storage(store, DefinitionStore.NONE, MemoryBudget.unlimited(), new ResourceAlarm("disk")));
        return store;
    }

    @Test
    void aFailedStoreNacksOutstandingAndNewPersistentPublishesWhileTransientOnesGoOn() throws Exception {
        ControllableStore store = startWithControllableStore();
        try (Connection connection = broker.connect()) {
            Channel channel = connection.createChannel();
            channel.queueDeclare("durable", true, false, false, null);
            channel.queueDeclare("transient", false, false, false, null);
            channel.confirmSelect();

            channel.basicPublish("", "durable", MessageProperties.PERSISTENT_TEXT_PLAIN, body("waiting for the disk"));
            BrokerFixture.await("the write to reach the store", 10_000, () -> store.waitingWrites() == 1);
            store.fail(new IOException("disk on fire"));
            assertFalse(channel.waitForConfirms(10_000), "the outstanding persistent publish is nacked");

            channel.basicPublish("", "durable", MessageProperties.PERSISTENT_TEXT_PLAIN, body("after the failure"));
            assertFalse(channel.waitForConfirms(10_000), "a new persistent publish is refused with a nack");

            channel.basicPublish("", "transient", null, body("in memory"));
            assertTrue(channel.waitForConfirms(10_000), "a transient message needs no store");
            assertEquals(1, channel.messageCount("transient"));
        }
    }

    @Test
    void aPersistentPublishWithoutConfirmsToAFailedStoreClosesTheConnectionWithResourceError() throws Exception {
        ControllableStore store = startWithControllableStore();
        store.fail(new IOException("disk on fire"));
        Connection connection = broker.connect();
        Channel channel = connection.createChannel();
        channel.queueDeclare("durable", true, false, false, null);
        channel.basicPublish("", "durable", MessageProperties.PERSISTENT_TEXT_PLAIN, body("refused"));
        BrokerFixture.await("the connection to close", 10_000, () -> !connection.isOpen());
        com.rabbitmq.client.AMQP.Connection.Close close =
                (com.rabbitmq.client.AMQP.Connection.Close) connection.getCloseReason().getReason();
        assertEquals(506, close.getReplyCode());
        assertTrue(close.getReplyText().startsWith("RESOURCE_ERROR - the message store failed (java.io.IOException: disk on fire)"),
                close.getReplyText());
    }

    @Test
    void aTransactionWithPersistentMessagesIsCommittedOnlyOnceTheyAreOnDisk() throws Exception {
        ControllableStore store = startWithControllableStore();
        try (Connection connection = broker.connect()) {
            Channel channel = connection.createChannel();
            channel.queueDeclare("durable", true, false, false, null);
            channel.txSelect();
            channel.basicPublish("", "durable", MessageProperties.PERSISTENT_TEXT_PLAIN, body("in a transaction"));
            CompletableFuture<Void> committed = commitAsync(channel);
            BrokerFixture.await("the commit to wait for the store", 10_000, () -> store.waitingWrites() == 2); // append + barrier
            assertFalse(committed.isDone(), "commit-ok waits for the disk");
            store.completeWrites();
            committed.get(10, TimeUnit.SECONDS);
            assertEquals(1, channel.messageCount("durable"));
        }
    }

    @Test
    void aTransactionWhoseMessagesTheStoreFailedToWriteClosesTheConnectionWithResourceError() throws Exception {
        ControllableStore store = startWithControllableStore();
        Connection connection = broker.connect();
        Channel channel = connection.createChannel();
        channel.queueDeclare("durable", true, false, false, null);
        channel.txSelect();
        channel.basicPublish("", "durable", MessageProperties.PERSISTENT_TEXT_PLAIN, body("never on disk"));
        CompletableFuture<Void> committed = commitAsync(channel);
        BrokerFixture.await("the commit to wait for the store", 10_000, () -> store.waitingWrites() == 2);
        store.fail(new IOException("disk on fire"));
        BrokerFixture.await("the connection to close", 10_000, () -> !connection.isOpen());
        assertEquals(506, ((com.rabbitmq.client.AMQP.Connection.Close) connection.getCloseReason().getReason()).getReplyCode());
        assertThrows(java.util.concurrent.ExecutionException.class, () -> committed.get(10, TimeUnit.SECONDS),
                "the client's tx.commit fails: no commit-ok for messages that are not on disk");
    }

    /** tx.commit from another thread: the client blocks until commit-ok. */
    private static CompletableFuture<Void> commitAsync(Channel channel) {
        return CompletableFuture.runAsync(() -> {
            try {
                channel.txCommit();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
