package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.core.store.DefinitionStore;
import dev.warren.core.store.MemoryBudget;
import dev.warren.core.store.ResourceAlarm;
import dev.warren.core.store.Storage;
import dev.warren.core.store.WriteBacklog;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Publishers of transient messages cannot outrun the disk either: a queue over the memory budget pages what
 * arrives out to the store, and each paged message stays in memory until it is written. When the bytes waiting
 * for the store pass its backlog's high mark, the broker stops reading publishing connections (silently, as
 * RabbitMQ's "flow" state, which is what their state says), and reads them again once the store has written
 * down to the low mark.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StoreBacklogFlowIT {
    private static final int MESSAGE_BYTES = 256 * 1024;
    private static final int MESSAGES = 120;
    private static final long HIGH_MARK = 8L << 20;
    private static final long LOW_MARK = 4L << 20;
    /**
     * What may be accepted while the store writes nothing: the messages under the high mark (32), plus what the
     * publisher's socket buffers and one read cycle hold when reading stops (a few MiB: generously 24).
     */
    private static final int MOST_ACCEPTED_WHILE_THE_STORE_LAGS = 32 + 24;

    @Test
    void publishersAreNotReadWhileTheStoreIsBehindAndAreReadAgainOnceItCatchesUp() throws Exception {
        ControllableStore store = new ControllableStore(new WriteBacklog(HIGH_MARK, LOW_MARK));
        // a budget of one message: from the second on, every message is paged out to the store
        Storage storage = new Storage(store, DefinitionStore.NONE, new MemoryBudget(MESSAGE_BYTES), new ResourceAlarm("disk"));
        try (BrokerFixture broker = BrokerFixture.start(storage); Connection connection = broker.connect()) {
            Channel channel = connection.createChannel();
            channel.queueDeclare("paged", false, false, false, null);
            CompletableFuture<Void> published = CompletableFuture.runAsync(() -> {
                try {
                    byte[] body = new byte[MESSAGE_BYTES];
                    for (int i = 0; i < MESSAGES; i++) {
                        channel.basicPublish("", "paged", null, body);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });

            BrokerFixture.await("the store to fall behind", 20_000, store.writeBacklog()::behind);
            long watchUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < watchUntil) { // an invariant over a window, not a wait for a condition
                assertTrue(store.spills() <= MOST_ACCEPTED_WHILE_THE_STORE_LAGS,
                        store.spills() + " messages paged out while the store had written none");
                Thread.sleep(20);
            }
            assertTrue(!published.isDone(), "the publisher is held back");
            assertEquals("flow", broker.broker().connections().list().get(0).state(), "as management shows it");

            store.completeWrites();
            published.get(30, TimeUnit.SECONDS);
            BrokerFixture.await("every message to reach the queue", 20_000,
                    () -> broker.broker().vhost("/").queue("paged").messageCount() == MESSAGES);
            assertEquals(0, store.writeBacklog().bytes(), "nothing left waiting");
            BrokerFixture.await("the connection to run again", 5_000,
                    () -> broker.broker().connections().list().get(0).state().equals("running"));
        }
    }
}
