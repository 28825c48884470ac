package dev.warren.mgmt.rates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SampleRingTest {
    @Test
    void readsRowsBackFromTheNewest() {
        SampleRing ring = new SampleRing(2, 4);
        ring.append(0, new long[] {1, 10});
        ring.append(1, new long[] {2, 20});

        assertEquals(2, ring.size());
        assertEquals(2, ring.value(0, 0));
        assertEquals(20, ring.value(0, 1));
        assertEquals(1, ring.value(1, 0));
        assertEquals(1, ring.lastTick());
    }

    @Test
    void keepsOnlyTheNewestRowsOnceFull() {
        SampleRing ring = new SampleRing(1, 3);
        for (long i = 1; i <= 7; i++) {
            ring.append(i, new long[] {i * 100});
        }

        assertEquals(3, ring.size());
        assertEquals(700, ring.value(0, 0));
        assertEquals(600, ring.value(1, 0));
        assertEquals(500, ring.value(2, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> ring.value(3, 0));
    }

    @Test
    void anIdleObjectKeepsOneRowUntilAValueChangesAndThenItsWholeHistory() {
        SampleRing ring = new SampleRing(2, 4);
        for (long tick = 0; tick < 6; tick++) {
            ring.append(tick, new long[] {7, 0});
        }
        assertEquals(4, ring.size());
        assertEquals(7, ring.value(3, 0));
        assertEquals(5, ring.lastTick());

        ring.append(6, new long[] {9, 1});
        assertEquals(4, ring.size());
        assertEquals(9, ring.value(0, 0));
        assertEquals(1, ring.value(0, 1));
        assertEquals(7, ring.value(1, 0), "the unchanged rows before the change are still there");
        assertEquals(7, ring.value(3, 0));
        assertEquals(0, ring.value(3, 1));

        ring.append(7, new long[] {7, 0}); // back to the first values: a row like any other now
        assertEquals(7, ring.value(0, 0));
        assertEquals(9, ring.value(1, 0));
    }

    @Test
    void costsEightBytesPerValuePlusTheArrayHeader() {
        assertEquals(16 + 8 * 10 * 121, SampleRing.bytes(10, 121));
    }
}
