package dev.warren.mgmt.rates;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The rate, samples and averages of one series, from samples taken every 5 s (newest first). */
class DetailsTest {
    private static final long INTERVAL = 5_000;
    private static final long NOW = 1_700_000_000_000L;

    /** Samples {@code values} (newest first), one every interval back from NOW. */
    private static Details details(Range range, long... values) {
        long[] times = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            times[i] = NOW - i * INTERVAL;
        }
        return Details.of(times, values, values.length, range, INTERVAL);
    }

    @Test
    void theRateIsTheChangeOverTheLastIntervalPerSecond() {
        Details d = details(null, 150, 100, 0);
        assertEquals(10.0, d.rate());
        assertFalse(d.hasSamples(), "no range asked for: the rate alone");
        assertNull(d.sampleTimes());
    }

    @Test
    void aFallingLengthHasANegativeRate() {
        assertEquals(-2.0, details(null, 40, 50).rate());
    }

    @Test
    void withFewerThanTwoSamplesTheRateIsZero() {
        assertEquals(0.0, details(null, 42).rate());
        assertEquals(0.0, details(null).rate());
    }

    @Test
    void theRateUsesTheTimesTheSamplesWereTaken() {
        Details late = Details.of(new long[] {NOW, NOW - 4_000}, new long[] {40, 0}, 2, null, INTERVAL);
        assertEquals(10.0, late.rate());
    }

    @Test
    void samplesComeNewestFirstOnePerIncrementWithinTheAge() {
        Details d = details(new Range(20_000, 10_000), 60, 50, 40, 30, 20, 10, 0);

        assertArrayEquals(new long[] {60, 40, 20}, d.sampleValues());
        assertArrayEquals(new long[] {NOW, NOW - 10_000, NOW - 20_000}, d.sampleTimes());
    }

    @Test
    void theAgeIsCutToTheSamplesKept() {
        Details d = details(new Range(600_000, 5_000), 30, 20, 10);
        assertEquals(3, d.sampleValues().length);
    }

    @Test
    void anIncrementBelowTheIntervalGivesEverySample() {
        Details d = details(new Range(10_000, 1_000), 3, 2, 1, 0);
        assertArrayEquals(new long[] {3, 2, 1}, d.sampleValues());
    }

    @Test
    void averagesAreTheRateAcrossTheSamplesAndTheMeanOfTheirValues() {
        Details d = details(new Range(10_000, 5_000), 30, 20, 10);

        assertTrue(d.hasAverages());
        assertEquals(2.0, d.avgRate()); // (30 - 10) over 10 s
        assertEquals(20.0, d.avg());
    }

    @Test
    void oneSampleHasNoAverages() {
        Details d = details(new Range(60_000, 5_000), 7);
        assertArrayEquals(new long[] {7}, d.sampleValues());
        assertFalse(d.hasAverages());
    }

    @Test
    void noSamplesYetGivesAnEmptyListForARange() {
        Details d = details(new Range(60_000, 5_000));
        assertEquals(0, d.sampleValues().length);
        assertEquals(0.0, d.rate());
    }
}
