package dev.warren.mgmt.rates;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The memory per object that SampledSeries and the README promise. */
class SampledSeriesTest {
    @Test
    void eachKindHoldsTheBytesOfSamplesTheDocsSay() {
        assertEquals(9_696, SampledSeries.QUEUE.bytesPerObject());
        assertEquals(1_952, SampledSeries.EXCHANGE.bytesPerObject());
        assertEquals(1_952, SampledSeries.VHOST.bytesPerObject());
        assertEquals(1_160, SampledSeries.CHANNEL.bytesPerObject());
        assertEquals(1_160, SampledSeries.CONNECTION.bytesPerObject());
        assertEquals(11_632, SampledSeries.BROKER.bytesPerObject());
    }

    @Test
    void longHistoriesCoverTenMinutesAtTheDefaultInterval() {
        assertEquals(600_000, (SampledSeries.LONG_HISTORY - 1) * 5_000L);
        assertEquals(SampledSeries.LONG_HISTORY, SampledSeries.QUEUE.samplesKept());
    }
}
