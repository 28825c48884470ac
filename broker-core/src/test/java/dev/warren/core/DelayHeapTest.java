package dev.warren.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DelayHeapTest {

    @Test
    void entriesComeOutByDueTimeAndInAdditionOrderForEqualTimes() {
        DelayHeap heap = new DelayHeap();
        heap.add(300, 1, null);
        heap.add(100, 2, null);
        heap.add(200, 3, null);
        heap.add(100, 4, null);
        List<Long> locations = new ArrayList<>();
        while (!heap.isEmpty()) {
            locations.add(heap.earliestLocation());
            heap.removeEarliest();
        }
        assertEquals(List.of(2L, 4L, 3L, 1L), locations);
    }

    @Test
    void manyRandomEntriesComeOutSortedAcrossGrowth() {
        DelayHeap heap = new DelayHeap();
        Random random = new Random(42);
        for (int i = 0; i < 100_000; i++) {
            long due = random.nextInt(60_000);
            heap.add(due, due * 1_000_000 + i, null); // the location encodes (due, order) to check both
        }
        assertEquals(100_000, heap.size());
        long previous = -1;
        while (!heap.isEmpty()) {
            long encoded = heap.earliestLocation();
            assertEquals(heap.earliestDue(), encoded / 1_000_000);
            assertTrue(encoded > previous, "out of order: " + encoded + " after " + previous);
            previous = encoded;
            heap.removeEarliest();
        }
    }
}
