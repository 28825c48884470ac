package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.warren.core.store.MemoryBudget;
import dev.warren.core.store.NoStore;
import dev.warren.core.store.ResourceAlarm;
import dev.warren.core.store.Storage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Durable declares wait for the definitions to be on disk without stalling the event loop: declare-ok comes
 * once the write is done, other connections on the same loop go on meanwhile, and the declaring channel's
 * later commands are answered in order after it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DurableDeclaresIT {
    private final HeldDefinitionStore definitions = new HeldDefinitionStore();
    private final BrokerFixture broker;

    DurableDeclaresIT() throws InterruptedException {
        broker = BrokerFixture.startOnOneLoop(
                new Storage(NoStore.INSTANCE, definitions, MemoryBudget.unlimited(), new ResourceAlarm("disk")));
    }

    @AfterEach
    void stop() {
        definitions.release();
        broker.close();
    }

    @Test
    void declareOkWaitsForTheWriteWhileOtherConnectionsOnTheLoopGoOn() throws Exception {
        try (Connection declaring = broker.connect(); Connection other = broker.connect()) {
            Channel admin = declaring.createChannel();
            Channel busy = other.createChannel();
            String queue = busy.queueDeclare().getQueue();

            definitions.hold();
            CompletableFuture<String> declared = CompletableFuture.supplyAsync(() -> {
                try {
                    String name = admin.queueDeclare("durable-q", true, false, false, null).getQueue();
                    // a later command on the same channel: answered after declare-ok, in order
                    int ready = admin.queueDeclarePassive("durable-q").getMessageCount();
                    return name + ":" + ready;
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            BrokerFixture.await("the declare to reach the definitions store", 10_000, () -> definitions.heldWrites() == 1);

            for (int i = 0; i < 20; i++) { // round trips on the same event loop while the write is held
                busy.basicPublish("", queue, null, ("m" + i).getBytes(StandardCharsets.UTF_8));
                GetResponse got = busy.basicGet(queue, true);
                assertNotNull(got, "the other connection is served while the declare waits");
            }
            assertFalse(declared.isDone(), "no declare-ok before the definitions are on disk");

            definitions.release();
            assertEquals("durable-q:0", declared.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aFailedDefinitionsWriteClosesTheConnectionWithInternalErrorNamingTheCause() throws Exception {
        Connection connection = broker.connect();
        Channel channel = connection.createChannel();
        definitions.hold();
        CompletableFuture<Void> declared = CompletableFuture.runAsync(() -> {
            try {
                channel.exchangeDeclare("durable-x", "direct", true);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        BrokerFixture.await("the declare to reach the definitions store", 10_000, () -> definitions.heldWrites() == 1);
        definitions.fail(new IOException("disk full"));
        BrokerFixture.await("the connection to close", 10_000, () -> !connection.isOpen());
        AMQP.Connection.Close close = (AMQP.Connection.Close) connection.getCloseReason().getReason();
        assertEquals(541, close.getReplyCode());
        assertTrue(close.getReplyText().contains("could not save definitions: disk full"), close.getReplyText());
        assertTrue(declared.handle((ok, error) -> error != null).get(10, TimeUnit.SECONDS));
    }
}
