package dev.warren.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsumerRingTest {
    private static final class Stub implements Consumer {
        final String tag;
        final int priority;
        boolean ready = true;

        Stub(String tag, int priority) {
            this.tag = tag;
            this.priority = priority;
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
        public int priority() {
            return priority;
        }

        @Override
        public boolean ready() {
            return ready;
        }

        @Override
        public void deliver(MessageQueue queue, QueueEntry entry) {
        }

        @Override
        public void cancelledByQueue(MessageQueue queue) {
        }
    }

    private static List<String> take(ConsumerRing ring, int n) {
        List<String> tags = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Consumer next = ring.nextReady();
            tags.add(next == null ? null : next.tag());
        }
        return tags;
    }

    @Test
    void oneOrMoreConsumersOfOnePriorityGoRoundRobinAndARemovedOneIsSkipped() {
        ConsumerRing ring = new ConsumerRing(false);
        Stub a = new Stub("a", 0);
        Stub b = new Stub("b", 0);
        Stub c = new Stub("c", 0);
        ring.add(a);
        ring.add(b);
        ring.add(c);
        assertEquals(List.of("a", "b", "c", "a"), take(ring, 4));
        ring.remove(c);
        assertEquals(List.of("b", "a", "b"), take(ring, 3));
    }

    @Test
    void theHighestPriorityThatIsReadyIsServedAndEqualOnesTakeTurns() {
        ConsumerRing ring = new ConsumerRing(false);
        Stub low = new Stub("low", 1);
        Stub high1 = new Stub("high1", 9);
        Stub high2 = new Stub("high2", 9);
        ring.add(low);
        ring.add(high1);
        ring.add(high2);
        assertEquals(List.of("high1", "high2", "high1", "high2"), take(ring, 4));
        high1.ready = false;
        assertEquals(List.of("high2", "high2"), take(ring, 2));
        high2.ready = false;
        assertEquals(List.of("low", "low"), take(ring, 2));
        low.ready = false;
        assertNull(ring.nextReady());
        ring.remove(high1);
        ring.remove(high2);
        low.ready = true;
        assertEquals(List.of("low"), take(ring, 1));
    }
}
