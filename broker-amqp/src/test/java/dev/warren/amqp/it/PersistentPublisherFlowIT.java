package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.MessageProperties;
import dev.warren.core.store.DefinitionStore;
import dev.warren.core.store.MemoryBudget;
import dev.warren.core.store.ResourceAlarm;
import dev.warren.core.store.Storage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A persistent publisher without confirms cannot outrun the journal: once the bytes waiting for the store
 * pass the high mark (64 MiB), the broker stops reading the publisher until the store catches up.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PersistentPublisherFlowIT {
    private static final int MESSAGE_BYTES = 1 << 20;
    private static final int MESSAGES = 96;
    /** Messages that fit under the high mark, plus the few of the read cycle during which it was crossed. */
    private static final int MOST_ACCEPTED_WHILE_THE_STORE_LAGS = 64 + 8;

    @Test
    void readingStopsWhileTooManyBytesWaitForTheStoreAndResumesWhenItCatchesUp() throws Exception {
        ControllableStore store = new ControllableStore();
        try (BrokerFixture broker = BrokerFixture.start(
                new Storage(store, DefinitionStore.NONE, MemoryBudget.unlimited(), new ResourceAlarm("disk")));
             Connection connection = broker.connect()) {
            Channel channel = connection.createChannel();
            channel.queueDeclare("durable", true, false, false, null);
            CompletableFuture<Void> published = CompletableFuture.runAsync(() -> {
                try {
                    byte[] body = new byte[MESSAGE_BYTES];
                    for (int i = 0; i < MESSAGES; i++) {
                        channel.basicPublish("", "durable", MessageProperties.PERSISTENT_BASIC, body);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });

            BrokerFixture.await("the store to fall 64 MiB behind", 20_000, () -> store.waitingWrites() >= 64);
            long watchUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < watchUntil) { // an invariant over a window, not a wait for a condition
                assertTrue(store.appends() <= MOST_ACCEPTED_WHILE_THE_STORE_LAGS,
                        store.appends() + " messages accepted while the store had written none");
                Thread.sleep(20);
            }

            store.completeWrites();
            published.get(30, TimeUnit.SECONDS);
            BrokerFixture.await("every message to reach the queue", 20_000,
                    () -> broker.broker().vhost("/").queue("durable").messageCount() == MESSAGES);
            assertEquals(MESSAGES, store.appends());
        }
    }
}
