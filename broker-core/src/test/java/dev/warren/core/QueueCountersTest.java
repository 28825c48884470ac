package dev.warren.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.warren.core.message.Message;
import dev.warren.core.stats.Counter;
import dev.warren.core.stats.OwnedCounters;
import dev.warren.core.store.DefinitionStore;
import dev.warren.core.store.MemoryBudget;
import dev.warren.core.store.ResourceAlarm;
import dev.warren.core.store.Storage;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The queue's message counters (RabbitMQ's queue message_stats), counted on the owner thread as messages
 * arrive, go out and are acked. The owner thread is the test's own.
 */
class QueueCountersTest {
    private final FakeMessageStore store = new FakeMessageStore();
    private MessageQueue queue;
    private QueueProcess process;

    @BeforeEach
    void declareQueue() {
        Storage storage = new Storage(store, DefinitionStore.NONE, new MemoryBudget(Long.MAX_VALUE), new ResourceAlarm("disk"));
        queue = new VirtualHost("/", storage).declareQueue("q", false, false, false, Map.of(), null,
                ImmediateEventExecutor.INSTANCE);
        process = queue.process();
    }

    @AfterEach
    void releaseEverything() {
        store.close();
    }

    private static Message message() {
        return new Message("", "q", Unpooled.buffer(0), Unpooled.copiedBuffer("m", StandardCharsets.UTF_8));
    }

    private long count(Counter counter) {
        return queue.counters().get(counter);
    }

    private static final class Taker implements Consumer {
        final boolean ackRequired;
        final List<QueueEntry> got = new ArrayList<>();

        Taker(boolean ackRequired) {
            this.ackRequired = ackRequired;
        }

        @Override
        public String tag() {
            return ackRequired ? "acking" : "auto-ack";
        }

        @Override
        public boolean exclusive() {
            return false;
        }

        @Override
        public boolean ackRequired() {
            return ackRequired;
        }

        @Override
        public boolean ready() {
            return true;
        }

        @Override
        public void deliver(MessageQueue queue, QueueEntry entry) {
            got.add(entry);
        }

        @Override
        public void cancelledByQueue(MessageQueue queue) {
        }
    }

    @Test
    void countsMessagesInAndDeliveriesByAckModeAndAcks() {
        Taker acking = new Taker(true);
        process.addConsumer(acking);
        process.enqueue(message());
        process.enqueue(message());
        process.removeConsumer(acking);
        Taker autoAck = new Taker(false);
        process.addConsumer(autoAck);
        process.enqueue(message());
        autoAck.got.forEach(process::deliveredNoAck);

        process.settle(acking.got.get(0));
        process.settle(List.of(acking.got.get(1)));

        assertEquals(3, count(Counter.PUBLISH));
        assertEquals(2, count(Counter.DELIVER));
        assertEquals(1, count(Counter.DELIVER_NO_ACK));
        assertEquals(2, count(Counter.ACK), "a no-ack delivery is not an ack");
        assertEquals(0, count(Counter.REDELIVER));
    }

    @Test
    void countsGetsByAckModeEmptyGetsAndRedeliveries() {
        process.enqueue(message());
        process.enqueue(message());
        List<QueueEntry> got = new ArrayList<>();
        process.get(true, (entry, left) -> got.add(entry));
        process.requeue(List.of(got.remove(0)));
        process.get(false, (entry, left) -> got.add(entry)); // the requeued one, redelivered
        process.get(true, (entry, left) -> got.add(entry));
        process.get(true, (entry, left) -> assertEquals(null, entry));

        assertEquals(2, count(Counter.GET));
        assertEquals(1, count(Counter.GET_NO_ACK));
        assertEquals(1, count(Counter.GET_EMPTY));
        assertEquals(1, count(Counter.REDELIVER));
        got.forEach(e -> e.message().release());
    }

    @Test
    void aRefusedPublishIsNotCountedAsTaken() {
        MessageQueue limited = new VirtualHost("/", new Storage(store, DefinitionStore.NONE,
                new MemoryBudget(Long.MAX_VALUE), new ResourceAlarm("disk"))).declareQueue("full", false, false, false,
                Map.of("x-max-length", 1, "x-overflow", "reject-publish"), null, ImmediateEventExecutor.INSTANCE);
        limited.process().enqueue(message());
        limited.process().enqueue(message());
        OwnedCounters counters = limited.counters();
        assertEquals(1, counters.get(Counter.PUBLISH));
        assertEquals(1, limited.messageCount());
    }
}
