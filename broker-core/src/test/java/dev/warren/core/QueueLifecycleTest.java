package dev.warren.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.core.message.BasicProperties;
import dev.warren.core.message.Message;
import dev.warren.core.store.DefinitionStore;
import dev.warren.core.store.MemoryBudget;
import dev.warren.core.store.ResourceAlarm;
import dev.warren.core.store.Storage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The message lifecycle where only a unit test can reach it: priority lanes and expiry when the messages
 * are paged out, with a fake store whose reads complete when the test says so.
 */
@Timeout(30)
class QueueLifecycleTest {
    private final FakeMessageStore store = new FakeMessageStore();
    private DefaultEventExecutor loop;

    @AfterEach
    void releaseEverything() throws Exception {
        if (loop != null) {
            loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
        store.close();
    }

    private MessageQueue queue(long memoryLimit, Map<String, Object> arguments, EventExecutor executor) {
        Storage storage = new Storage(store, DefinitionStore.NONE, new MemoryBudget(memoryLimit), new ResourceAlarm("disk"));
        return new VirtualHost("/", storage).declareQueue("q", false, false, false, arguments, null, executor);
    }

    private static Message message(String body, int priority) {
        ByteBuf properties = Unpooled.buffer();
        new BasicProperties(null, null, null, null, priority, null, null, null, null, null, null, null, null, null)
                .encode(properties);
        return new Message("", "q", properties, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    }

    private static final class Collector implements Consumer {
        final List<QueueEntry> got = new ArrayList<>();

        @Override
        public String tag() {
            return "c";
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
            got.add(entry);
        }

        @Override
        public void cancelledByQueue(MessageQueue queue) {
        }

        List<String> bodies() {
            return got.stream().map(e -> e.message().body().toString(StandardCharsets.UTF_8)).toList();
        }
    }

    @Test
    void aPagedPriorityQueueDeliversHighestPriorityFirstAndFifoWithinAPriority() {
        MessageQueue queue = queue(0, Map.of("x-max-priority", 3), ImmediateEventExecutor.INSTANCE); // all paged
        int[] priorities = {0, 2, 9, 1, 2, 0, 3};
        for (int i = 0; i < priorities.length; i++) {
            queue.process().enqueue(message("m" + i + "p" + priorities[i], priorities[i]));
        }
        assertEquals(priorities.length, queue.messageCount());
        assertEquals(0, queue.memoryBytes(), "nothing of it on the heap");
        Collector consumer = new Collector();
        queue.process().addConsumer(consumer);
        store.completeReads();
        assertEquals(List.of("m2p9", "m6p3", "m1p2", "m4p2", "m3p1", "m0p0", "m5p0"), consumer.bodies(),
                "priority above the maximum counts as the maximum");
        queue.process().settle(new ArrayList<>(consumer.got));
    }

    @Test
    void requeuedMessagesOfAPriorityQueueGoBackToTheirPlaceWithinTheirPriority() {
        MessageQueue queue = queue(Long.MAX_VALUE, Map.of("x-max-priority", 5), ImmediateEventExecutor.INSTANCE);
        queue.process().enqueue(message("low1", 1));
        queue.process().enqueue(message("high1", 5));
        queue.process().enqueue(message("high2", 5));
        List<QueueEntry> taken = new ArrayList<>();
        queue.process().get(true, (entry, left) -> taken.add(entry));
        queue.process().enqueue(message("high3", 5));
        queue.process().requeue(taken);
        Collector consumer = new Collector();
        queue.process().addConsumer(consumer);
        assertEquals(List.of("high1", "high2", "high3", "low1"), consumer.bodies());
        assertTrue(consumer.got.get(0).redelivered());
        queue.process().settle(new ArrayList<>(consumer.got));
    }

    @Test
    void aPriorityQueueSortsItsRecoveredMessagesIntoPriorityOrderBeforeDeliveringAny() {
        MessageQueue queue = queue(Long.MAX_VALUE, Map.of("x-max-priority", 9), ImmediateEventExecutor.INSTANCE);
        int[] priorities = {1, 7, 3, 7, 0};
        long[] recovered = new long[priorities.length];
        for (int i = 0; i < priorities.length; i++) {
            Message m = message("r" + i + "p" + priorities[i], priorities[i]);
            recovered[i] = store.append(m, new int[] {1}, 1, null);
            m.release();
        }
        queue.process().restore(recovered);
        queue.process().enqueue(message("new-p9", 9)); // arrives while the recovered ones are being sorted
        Collector consumer = new Collector();
        queue.process().addConsumer(consumer);
        assertTrue(consumer.got.isEmpty(), "nothing goes out before the recovered messages are sorted");
        store.completeReads();
        assertEquals(List.of("new-p9", "r1p7", "r3p7", "r2p3", "r0p1", "r4p0"), consumer.bodies());
        queue.process().settle(new ArrayList<>(consumer.got));
    }

    @Test
    void pagedMessagesPastTheirTtlLeaveWithoutTheirBodiesBeingRead() throws Exception {
        loop = new DefaultEventExecutor();
        MessageQueue queue = queue(0, Map.of("x-message-ttl", 100), loop);
        int count = PagedBacklog.LOAD_BATCH * 3;
        on(queue, p -> {
            for (int i = 0; i < count; i++) {
                p.enqueue(message("m" + i, 0));
            }
            return null;
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && on(queue, p -> {
            store.completeReads(); // a store that reads whatever is asked, as the journal does
            return queue.messageCount();
        }) > 0) {
            Thread.sleep(10);
        }
        assertEquals(0, queue.messageCount());
        assertEquals(count, queue.expiredCount());
        assertTrue(store.messagesRead <= 2 * PagedBacklog.LOAD_BATCH,
                "only the head batches were read back, not all " + count + ": " + store.messagesRead);
    }

    private static <R> R on(MessageQueue queue, Function<QueueProcess, R> operation) throws Exception {
        return queue.call(operation).get(5, TimeUnit.SECONDS);
    }
}
