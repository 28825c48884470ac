package dev.warren.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class QueueFlowTest {
    private static final int HIGH = QueueFlow.HIGH_WATER_MARK;
    private static final int LOW = QueueFlow.LOW_WATER_MARK;

    /** A consumer whose connection is, or is not, still sending earlier deliveries. */
    private static final class SlowReader implements Consumer {
        boolean backedUp;

        @Override
        public String tag() {
            return "slow";
        }

        @Override
        public boolean exclusive() {
            return false;
        }

        @Override
        public boolean ready() {
            return !backedUp;
        }

        @Override
        public boolean backedUp() {
            return backedUp;
        }

        @Override
        public void deliver(MessageQueue queue, QueueEntry entry) {
        }

        @Override
        public void cancelledByQueue(MessageQueue queue) {
        }
    }

    /** The timer's tasks, run by hand. */
    private final List<Runnable> timers = new ArrayList<>();
    private final QueueFlow flow = new QueueFlow((millis, task) -> {
        assertEquals(QueueFlow.LONGEST_WAIT_MILLIS, millis);
        timers.add(task);
    });
    private final ConsumerRing consumers = new ConsumerRing(false);
    private final SlowReader reader = new SlowReader();
    private final AtomicInteger wakes = new AtomicInteger();

    private void behindWithAWaitingPublisher() {
        consumers.add(reader);
        reader.backedUp = true;
        flow.update(HIGH, 0, consumers);
        assertTrue(flow.behind());
        flow.await(wakes::incrementAndGet);
        assertEquals(0, wakes.get(), "waits while behind");
    }

    @Test
    void aQueueIsBehindOnlyWithManyReadyMessagesAndAConsumerHeldBackByItsConnection() {
        flow.update(HIGH * 10L, 0, consumers);
        assertFalse(flow.behind(), "no consumers: producers are not held back");

        consumers.add(reader);
        flow.update(HIGH * 10L, 0, consumers);
        assertFalse(flow.behind(), "a consumer out of credit only (not backed up) holds nobody back");

        reader.backedUp = true;
        flow.update(HIGH - 1, 0, consumers);
        assertFalse(flow.behind(), "below the high mark");
        flow.update(HIGH, 0, consumers);
        assertTrue(flow.behind());
    }

    @Test
    void waitingPublishersAreWokenAfterEachCreditOfDeliveriesWhileTheQueueStaysBehind() {
        behindWithAWaitingPublisher();
        flow.update(HIGH, QueueFlow.CREDIT - 1, consumers);
        assertEquals(0, wakes.get());
        flow.update(HIGH, 1, consumers);
        assertEquals(1, wakes.get(), "one credit of deliveries: read once more");
        assertTrue(flow.behind(), "still behind: the next publish waits again");

        flow.await(wakes::incrementAndGet);
        flow.update(HIGH, QueueFlow.CREDIT, consumers);
        assertEquals(2, wakes.get());
    }

    @Test
    void publishersRunFreelyOnceTheQueueHasCaughtUp() {
        behindWithAWaitingPublisher();
        flow.update(LOW + 1, 0, consumers);
        assertTrue(flow.behind(), "hysteresis: behind until the low mark");
        flow.update(LOW, 0, consumers);
        assertFalse(flow.behind());
        assertEquals(1, wakes.get());
    }

    @Test
    void aConsumerThatReadsAgainOrLeavesEndsIt() {
        behindWithAWaitingPublisher();
        reader.backedUp = false;
        flow.update(HIGH * 10L, 0, consumers);
        assertFalse(flow.behind(), "its connection caught up: the queue's size alone holds nobody back");
        assertEquals(1, wakes.get());

        reader.backedUp = true;
        flow.update(HIGH, 0, consumers);
        flow.await(wakes::incrementAndGet);
        consumers.remove(reader);
        flow.update(HIGH, 0, consumers);
        assertFalse(flow.behind());
        assertEquals(2, wakes.get());
    }

    @Test
    void aConsumerThatTakesNothingSlowsItsPublishersButDoesNotStopThem() {
        behindWithAWaitingPublisher();
        flow.await(wakes::incrementAndGet); // a second publisher: one timer for both
        assertEquals(1, timers.size());
        timers.remove(0).run();
        assertEquals(2, wakes.get(), "both read once more after the longest wait");
        assertTrue(flow.behind());

        flow.await(wakes::incrementAndGet);
        assertEquals(1, timers.size(), "the next wait sets the timer again");
    }

    @Test
    void aPublisherArrivingAfterTheQueueCaughtUpIsWokenAtOnce() {
        flow.await(wakes::incrementAndGet);
        assertEquals(1, wakes.get());
    }

    @Test
    void aCancelledWaiterIsNotWokenAndAStoppedQueueWakesTheRest() {
        behindWithAWaitingPublisher();
        Runnable gone = () -> {
            throw new AssertionError("a closed connection was woken");
        };
        flow.await(gone);
        flow.cancel(gone);
        flow.release();
        assertFalse(flow.behind());
        assertEquals(1, wakes.get());
    }
}
