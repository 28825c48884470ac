package dev.warren.mgmt.rates;

/**
 * What RabbitMQ's API shows of one series in a {@code <field>_details} object: the rate per second over the
 * last sampling interval, and, when a {@link Range} was asked for, the samples in it (newest first) with the
 * average rate across them and the average of their values.
 *
 * <p>The samples are picked from the kept ones by ticks, not by clock: {@code incr} is rounded to whole
 * sampling intervals (at least one), and {@code age} is cut to what is kept, so the answer never invents a
 * sample.
 *
 * @param sampleTimes  epoch milliseconds of the samples, newest first; null when no range was asked for
 * @param sampleValues the samples' values, in the same order; null when no range was asked for
 * @param avgRate      per second between the oldest and newest sample; NaN with fewer than two samples
 * @param avg          the mean of the samples' values; NaN with fewer than two samples (as RabbitMQ, which
 *                     leaves both out then)
 */
public record Details(double rate, long[] sampleTimes, long[] sampleValues, double avgRate, double avg) {
    /** No samples yet: a rate of 0. */
    public static final Details NONE = new Details(0.0, null, null, Double.NaN, Double.NaN);

    public boolean hasSamples() {
        return sampleTimes != null;
    }

    public boolean hasAverages() {
        return !Double.isNaN(avgRate);
    }

    /**
     * The details of a series from its kept samples.
     *
     * @param times          when each sample was taken, newest first
     * @param values         the samples, newest first
     * @param n              how many of {@code times} and {@code values} hold samples
     * @param range          the samples asked for, or null for the rate alone
     * @param intervalMillis the sampling interval
     */
    public static Details of(long[] times, long[] values, int n, Range range, long intervalMillis) {
        double rate = n >= 2 ? perSecond(values[0] - values[1], times[0] - times[1]) : 0.0;
        if (range == null) {
            return new Details(rate, null, null, Double.NaN, Double.NaN);
        }
        int step = (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.round((double) range.incrMillis() / intervalMillis)));
        long lastBack = Math.min(n - 1L, range.ageMillis() / intervalMillis);
        int count = lastBack < 0 ? 0 : (int) (lastBack / step) + 1;
        long[] sampleTimes = new long[count];
        long[] sampleValues = new long[count];
        long sum = 0;
        for (int i = 0; i < count; i++) {
            sampleTimes[i] = times[i * step];
            sampleValues[i] = values[i * step];
            sum += sampleValues[i];
        }
        if (count < 2) {
            return new Details(rate, sampleTimes, sampleValues, Double.NaN, Double.NaN);
        }
        double avgRate = perSecond(sampleValues[0] - sampleValues[count - 1], sampleTimes[0] - sampleTimes[count - 1]);
        return new Details(rate, sampleTimes, sampleValues, avgRate, (double) sum / count);
    }

    private static double perSecond(long change, long millis) {
        return millis <= 0 ? 0.0 : change * 1000.0 / millis;
    }
}
