package dev.warren.mgmt.rates;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ticks at a test clock's times; each tick samples the objects the test says exist then. */
class RateHistoryTest {
    private static final long INTERVAL = 5_000;
    private static final long START = 1_700_000_000_000L;
    private static final Range ALL = new Range(3_600_000, 5_000);

    /** Something with two counters. */
    private static final class Thing {
        long in;
        long out;
    }

    private static final SeriesSet<Thing> THINGS = SeriesSet.<Thing>of("thing", 4)
            .counter("in", t -> t.in)
            .counter("out", t -> t.out)
            .build();

    private final RateHistory history = new RateHistory(INTERVAL);
    private final List<Thing> existing = new ArrayList<>();
    private long now = START;

    private void tick() {
        history.tick(now, recorder -> existing.forEach(t -> recorder.record(t, THINGS)));
        now += INTERVAL;
    }

    @Test
    void anObjectsSamplesCarryTheTicksTimesNewestFirst() {
        Thing t = new Thing();
        existing.add(t);
        for (int i = 0; i < 3; i++) {
            t.in = i * 10;
            tick();
        }

        Details d = history.details(t, ALL, 0);
        assertArrayEquals(new long[] {20, 10, 0}, d.sampleValues());
        assertArrayEquals(new long[] {START + 10_000, START + 5_000, START}, d.sampleTimes());
        assertEquals(2.0, d.rate());
    }

    @Test
    void anObjectKeepsOnlyAsManySamplesAsItsKindSays() {
        Thing t = new Thing();
        existing.add(t);
        for (int i = 0; i < 10; i++) {
            t.in = i;
            tick();
        }
        assertArrayEquals(new long[] {9, 8, 7, 6}, history.details(t, ALL, 0).sampleValues());
    }

    @Test
    void beforeItsFirstSampleAnObjectHasARateOfZeroAndNoSamples() {
        Thing unseen = new Thing();
        assertSame(Details.NONE, history.details(unseen, null, 0));
        assertEquals(0, history.details(unseen, ALL, 0).sampleValues().length);
    }

    @Test
    void theSamplesOfAnObjectThatIsGoneAreDropped() {
        Thing staying = new Thing();
        Thing leaving = new Thing();
        existing.add(staying);
        existing.add(leaving);
        tick();
        assertEquals(2, history.objectCount());

        existing.remove(leaving);
        tick();

        assertEquals(1, history.objectCount());
        assertSame(Details.NONE, history.details(leaving, null, 0));
    }

    @Test
    void severalColumnsOfOneObjectAreSummed() {
        Thing t = new Thing();
        existing.add(t);
        t.in = 1;
        t.out = 2;
        tick();
        assertArrayEquals(new long[] {3}, history.details(t, ALL, 0, 1).sampleValues());
    }

    @Test
    void summedOverObjectsAYoungerObjectCountsZeroBeforeItExisted() {
        Thing old = new Thing();
        old.in = 5;
        existing.add(old);
        tick();
        tick();
        Thing young = new Thing();
        young.in = 100;
        existing.add(young);
        tick();

        Details sum = history.summedDetails(List.of(old, young), ALL, 0);
        assertArrayEquals(new long[] {105, 5, 5}, sum.sampleValues());
        assertArrayEquals(new long[] {START + 10_000, START + 5_000, START}, sum.sampleTimes());
    }

    @Test
    void anUnsampledHistoryStaysEmpty() {
        RateHistory off = RateHistory.unsampled();
        assertEquals(false, off.sampled());
        assertSame(Details.NONE, off.details(new Thing(), null, 0));
    }
}
