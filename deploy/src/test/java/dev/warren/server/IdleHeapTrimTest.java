package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.MemoryUsage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class IdleHeapTrimTest {
    private static final long MIB = 1 << 20;
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    /** A heap whose collections, use and committed size the test sets; a full collection shrinks it to -Xms. */
    private static final class FakeHeap implements IdleHeapTrim.Heap {
        long collections;
        long used = 20 * MIB;
        long committed = 80 * MIB;
        int fullCollections;

        @Override
        public long collections() {
            return collections;
        }

        @Override
        public MemoryUsage usage() {
            return new MemoryUsage(64 * MIB, used, committed, 1024 * MIB);
        }

        @Override
        public void collect() {
            fullCollections++;
            collections++;
            committed = 64 * MIB;
            used = 12 * MIB;
        }
    }

    @Test
    void collectsOnceTheBrokerHasBeenQuietAfterActivityThatGrewTheHeap() {
        FakeHeap heap = new FakeHeap();
        IdleHeapTrim trim = new IdleHeapTrim(heap);
        heap.collections = 5; // a burst ran young collections
        assertFalse(trim.check(0));
        assertFalse(trim.check(10 * SECOND), "quiet for 10 s only");
        assertTrue(trim.check(20 * SECOND), "quiet for 20 s: give the heap back");
        assertEquals(1, heap.fullCollections);
        assertEquals(64 * MIB, heap.committed);
        for (long s = 25; s < 200; s += 5) {
            assertFalse(trim.check(s * SECOND), "nothing ran since: no more collections");
        }
        assertEquals(1, heap.fullCollections);
    }

    @Test
    void neverCollectsWhileTheBrokerKeepsCollectingOnItsOwn() {
        FakeHeap heap = new FakeHeap();
        IdleHeapTrim trim = new IdleHeapTrim(heap);
        for (long s = 0; s < 300; s += 5) {
            heap.collections++; // a busy broker: a young collection every few seconds
            assertFalse(trim.check(s * SECOND));
        }
        assertEquals(0, heap.fullCollections);
    }

    @Test
    void neverCollectsWhileMessagesStillFlowBetweenRareCollections() {
        FakeHeap heap = new FakeHeap();
        IdleHeapTrim trim = new IdleHeapTrim(heap);
        heap.collections = 3;
        for (long s = 0; s < 120; s += 5) {
            heap.used += MIB; // ~200 KB/s: a broker moving a few hundred messages a second, collecting rarely
            assertFalse(trim.check(s * SECOND));
        }
        assertEquals(0, heap.fullCollections);
    }

    @Test
    void anIdleBrokersBackgroundAllocationDoesNotCountAsActivity() {
        FakeHeap heap = new FakeHeap();
        IdleHeapTrim trim = new IdleHeapTrim(heap);
        heap.collections = 3;
        trim.check(0);
        boolean trimmed = false;
        for (long s = 5; s <= 30 && !trimmed; s += 5) {
            heap.used += 128 * 1024; // management's sampling and heartbeats: ~25 KB/s
            trimmed = trim.check(s * SECOND);
        }
        assertTrue(trimmed);
    }

    @Test
    void leavesAHeapAtItsInitialSizeAlone() {
        FakeHeap heap = new FakeHeap();
        heap.committed = 64 * MIB;
        IdleHeapTrim trim = new IdleHeapTrim(heap);
        heap.collections = 3;
        trim.check(0);
        assertFalse(trim.check(60 * SECOND));
        assertEquals(0, heap.fullCollections);
    }

    @Test
    void leavesALargeLiveHeapAloneBecauseAFullCollectionOfItWouldPauseTooLong() {
        FakeHeap heap = new FakeHeap();
        heap.used = 512 * MIB;
        heap.committed = 600 * MIB;
        IdleHeapTrim trim = new IdleHeapTrim(heap);
        heap.collections = 3;
        trim.check(0);
        assertFalse(trim.check(60 * SECOND));
        assertFalse(trim.check(120 * SECOND));
        assertEquals(0, heap.fullCollections);
    }

    @Test
    void collectsAgainAfterTheNextBurst() {
        FakeHeap heap = new FakeHeap();
        IdleHeapTrim trim = new IdleHeapTrim(heap);
        heap.collections = 2;
        trim.check(0);
        assertTrue(trim.check(25 * SECOND));
        heap.collections += 4; // another burst
        heap.committed = 76 * MIB;
        assertFalse(trim.check(30 * SECOND));
        assertTrue(trim.check(50 * SECOND));
        assertEquals(2, heap.fullCollections);
    }
}
