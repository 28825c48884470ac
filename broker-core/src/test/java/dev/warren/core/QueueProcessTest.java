package dev.warren.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.core.message.Message;
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
import org.junit.jupiter.api.Test;

/**
 * The queue's owner-thread state: dispatch, requeue order, paging out and in, basic.get on a paged queue,
 * purge and delete. The owner thread is the test's own ({@link ImmediateEventExecutor}); the store is a
 * fake whose reads complete when the test says so.
 */
class QueueProcessTest {
    private final FakeMessageStore store = new FakeMessageStore();
    private final List<Message> made = new ArrayList<>();

    @AfterEach
    void releaseEverything() {
        store.close();
    }

    private QueueProcess queue(long memoryLimit) {
        Storage storage = new Storage(store, DefinitionStore.NONE, new MemoryBudget(memoryLimit), new ResourceAlarm("disk"));
        VirtualHost vhost = new VirtualHost("/", storage);
        MessageQueue queue = vhost.declareQueue("q", false, false, false, Map.of(), null, ImmediateEventExecutor.INSTANCE);
        return queue.process();
    }

    private Message message(String body) {
        Message m = new Message("", "q", Unpooled.buffer(0), Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        made.add(m);
        return m;
    }

    private static String body(QueueEntry entry) {
        return entry.message().body().toString(StandardCharsets.UTF_8);
    }

    /** A consumer that takes what it is given while {@code ready}, up to {@code credit} deliveries. */
    private static final class TestConsumer implements Consumer {
        final String tag;
        final List<QueueEntry> got = new ArrayList<>();
        boolean ready = true;
        int credit = Integer.MAX_VALUE;
        boolean cancelled;

        TestConsumer(String tag) {
            this.tag = tag;
        }

        @Override
        public String tag() {
            return tag;
        }

        @Override
        public boolean exclusive() {
            return false;
        }

        @Override
        public boolean ready() {
            return ready && credit > 0;
        }

        @Override
        public void deliver(MessageQueue queue, QueueEntry entry) {
            credit--;
            got.add(entry);
        }

        @Override
        public void cancelledByQueue(MessageQueue queue) {
            cancelled = true;
        }

        List<String> bodies() {
            return got.stream().map(QueueProcessTest::body).toList();
        }
    }

    @Test
    void dispatchesRoundRobinAmongConsumersThatAreReady() {
        QueueProcess queue = queue(Long.MAX_VALUE);
        TestConsumer a = new TestConsumer("a");
        TestConsumer b = new TestConsumer("b");
        queue.addConsumer(a);
        queue.addConsumer(b);
        for (int i = 1; i <= 4; i++) {
            queue.enqueue(message("m" + i));
        }
        assertEquals(List.of("m1", "m3"), a.bodies());
        assertEquals(List.of("m2", "m4"), b.bodies());
        assertEquals(0, queue.messageCount());
        assertEquals(4, queue.unacknowledgedCount());
        queue.settle(new ArrayList<>(a.got));
        queue.settle(new ArrayList<>(b.got));
        assertEquals(0, queue.unacknowledgedCount());
    }

    @Test
    void keepsMessagesForAConsumerThatIsNotReadyUntilDispatchIsResumed() {
        QueueProcess queue = queue(Long.MAX_VALUE);
        TestConsumer a = new TestConsumer("a");
        a.credit = 1;
        queue.addConsumer(a);
        queue.enqueue(message("m1"));
        queue.enqueue(message("m2"));
        assertEquals(List.of("m1"), a.bodies());
        assertEquals(1, queue.messageCount());

        a.credit = 1;
        queue.resumeDispatch();
        assertEquals(List.of("m1", "m2"), a.bodies());
        queue.settle(new ArrayList<>(a.got));
    }

    @Test
    void requeuedEntriesGoBackInTheirOriginalOrderAheadOfNewerOnesFlaggedRedelivered() {
        QueueProcess queue = queue(Long.MAX_VALUE);
        TestConsumer a = new TestConsumer("a");
        a.credit = 3;
        queue.addConsumer(a);
        for (int i = 1; i <= 4; i++) {
            queue.enqueue(message("m" + i));
        }
        QueueEntry m1 = a.got.get(0);
        QueueEntry m2 = a.got.get(1);
        QueueEntry m3 = a.got.get(2);
        queue.removeConsumer(a);
        queue.requeue(List.of(m3, m1)); // back in the order a client nacked them: not their queue order

        List<String> order = new ArrayList<>();
        List<Boolean> redelivered = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            queue.get(true, (entry, remaining) -> {
                order.add(body(entry));
                redelivered.add(entry.redelivered());
            });
        }
        assertEquals(List.of("m1", "m3", "m4"), order);
        assertEquals(List.of(true, true, false), redelivered);

        queue.requeue(List.of(m2)); // older than everything ready now
        queue.get(true, (entry, remaining) -> order.add(body(entry)));
        assertEquals("m2", order.get(3));
    }

    @Test
    void pagesMessagesOutPastTheMemoryBudgetAndReadsThemBackInOrder() {
        QueueProcess queue = queue(0); // every message is over budget
        for (int i = 1; i <= 5; i++) {
            queue.enqueue(message("m" + i));
        }
        assertEquals(5, queue.messageCount());
        assertEquals(0, queue.memoryHeld(), "nothing is kept on the heap");
        made.forEach(m -> assertEquals(1, m.refCnt(), "the queue let go of it: only the store's copy is left"));
        assertEquals(1, store.pendingReadCount(), "the first batch is being read back");

        TestConsumer a = new TestConsumer("a");
        queue.addConsumer(a);
        assertTrue(a.got.isEmpty(), "nothing is delivered before the read completes");
        store.completeReads();
        assertEquals(List.of("m1", "m2", "m3", "m4", "m5"), a.bodies());
        assertEquals(5, store.released.size(), "the spilled copies are released once read back");
        queue.settle(new ArrayList<>(a.got));
    }

    @Test
    void getOnAPagedQueueAnswersOnceTheReadCompletesWithoutWaitingOnTheOwnerThread() {
        QueueProcess queue = queue(0);
        queue.enqueue(message("m1"));
        queue.enqueue(message("m2"));
        QueueEntry[] got = new QueueEntry[1];
        int[] remaining = {-1};
        queue.get(true, (entry, left) -> {
            got[0] = entry;
            remaining[0] = left;
        });
        assertNull(got[0], "get returned at once and waits for the read");
        store.completeReads();
        assertNotNull(got[0]);
        assertEquals("m1", body(got[0]));
        assertEquals(1, remaining[0]);
        queue.settle(List.of(got[0]));
    }

    @Test
    void aFailedReadKeepsTheMessagesAnswersWaitingGetsEmptyAndIsTriedAgain() {
        QueueProcess queue = queue(0);
        queue.enqueue(message("m1"));
        boolean[] answered = {false};
        queue.get(true, (entry, left) -> {
            answered[0] = true;
            assertNull(entry);
        });
        store.failReads();
        assertTrue(answered[0], "the get is answered, not left hanging");
        assertEquals(1, queue.messageCount(), "the message stays queued");
        assertEquals(0, store.pendingReadCount(), "a failed read is not retried until someone asks again");

        QueueEntry[] got = new QueueEntry[1];
        queue.get(true, (entry, left) -> got[0] = entry);
        store.completeReads();
        assertEquals("m1", body(got[0]));
        queue.settle(List.of(got[0]));
    }

    @Test
    void purgeDropsPagedMessagesAndAReadCompletingAfterwardsIsLetGo() {
        QueueProcess queue = queue(0);
        for (int i = 1; i <= 3; i++) {
            queue.enqueue(message("m" + i));
        }
        assertEquals(3, queue.purge());
        assertEquals(0, queue.messageCount());
        store.completeReads(); // the read that was under way comes back stale
        TestConsumer a = new TestConsumer("a");
        queue.addConsumer(a);
        assertTrue(a.got.isEmpty());
        assertEquals(3, store.released.size());
    }

    @Test
    void deleteCancelsConsumersDropsMessagesAndRefusesWhatComesLater() {
        QueueProcess queue = queue(Long.MAX_VALUE);
        TestConsumer a = new TestConsumer("a");
        a.ready = false;
        queue.addConsumer(a);
        queue.enqueue(message("m1"));
        assertThrows(AmqpException.class, () -> queue.delete(true, false), "in use");
        assertThrows(AmqpException.class, () -> queue.delete(false, true), "not empty");
        assertEquals(1, queue.delete(false, false));
        assertTrue(a.cancelled);
        assertEquals(QueueLifecycle.DELETED, queue.lifecycle());

        Message late = message("late");
        queue.enqueue(late);
        assertEquals(0, late.refCnt(), "a deleted queue lets go of what reaches it");
        AmqpException refused = assertThrows(AmqpException.class, () -> queue.addConsumer(new TestConsumer("b")));
        assertEquals(ReplyCode.NOT_FOUND, refused.replyCode());
    }

    @Test
    void heapAccountingReturnsToZeroOnceEverythingIsDeliveredAndSettled() {
        MemoryBudget budget = new MemoryBudget(Long.MAX_VALUE);
        Storage storage = new Storage(store, DefinitionStore.NONE, budget, new ResourceAlarm("disk"));
        QueueProcess queue = new VirtualHost("/", storage)
                .declareQueue("q", false, false, false, Map.of(), null, ImmediateEventExecutor.INSTANCE).process();
        queue.enqueue(message("m1"));
        queue.enqueue(message("m2"));
        assertTrue(budget.used() > 0);
        assertEquals(budget.used(), queue.memoryHeld());
        TestConsumer a = new TestConsumer("a");
        queue.addConsumer(a);
        assertEquals(0, budget.used());
        queue.settle(new ArrayList<>(a.got));
        made.forEach(m -> assertEquals(0, m.refCnt(), "settled messages are freed"));
    }

    @Test
    void cancellingTheConsumerNextInTurnWhenItIsTheLastOneKeepsDispatchGoing() {
        QueueProcess queue = queue(Long.MAX_VALUE);
        TestConsumer a = new TestConsumer("a");
        TestConsumer b = new TestConsumer("b");
        queue.addConsumer(a);
        queue.addConsumer(b);
        queue.enqueue(message("m1")); // to a: b is next in turn
        queue.removeConsumer(b);
        queue.enqueue(message("m2")); // threw IndexOutOfBoundsException: the turn pointed past the end
        assertEquals(List.of("m1", "m2"), a.bodies());
        queue.settle(new ArrayList<>(a.got));
    }
}
