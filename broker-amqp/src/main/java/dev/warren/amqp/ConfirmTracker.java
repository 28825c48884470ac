package dev.warren.amqp;

import dev.warren.core.stats.LatencyRecorder;

/**
 * Publisher confirms of one channel. Each publish gets the next sequence number and waits until every
 * queue it was routed to has accepted it. Confirms go out for the contiguous run of completed numbers
 * as one basic.ack with {@code multiple} set when it covers several, so a burst costs one frame and no
 * tag is ever confirmed twice.
 *
 * <p>The outstanding numbers are contiguous, so their remaining acceptance counts (and the time each
 * publish arrived, for the confirm latency histogram) live in rings indexed by sequence number: nothing
 * is allocated per publish. Channel thread only.
 */
final class ConfirmTracker {
    /** A confirm to send: the delivery tag and whether it covers all earlier tags too. */
    record Confirm(long tag, boolean multiple, int count) {
    }

    private int[] remaining = new int[64];
    private long[] registeredAt = new long[64];
    private long nextSequence = 1;
    private long confirmedThrough;

    /** Numbers the next publish, which needs {@code acceptances} queues (0 when unroutable) to accept it. */
    long register(int acceptances) {
        if (nextSequence - confirmedThrough > remaining.length) {
            grow();
        }
        long sequence = nextSequence++;
        remaining[slot(sequence)] = acceptances;
        registeredAt[slot(sequence)] = System.nanoTime();
        return sequence;
    }

    /** One queue accepted the publish with this number. */
    void accepted(long sequence) {
        if (sequence > confirmedThrough && sequence < nextSequence && remaining[slot(sequence)] > 0) {
            remaining[slot(sequence)]--;
        }
    }

    /** The confirm that is due now, or null when nothing new is complete; each publish it covers is timed. */
    Confirm due(LatencyRecorder latency) {
        long through = confirmedThrough;
        long now = 0;
        while (through + 1 < nextSequence && remaining[slot(through + 1)] == 0) {
            through++;
            if (now == 0) {
                now = System.nanoTime();
            }
            latency.record(now - registeredAt[slot(through)]);
        }
        if (through == confirmedThrough) {
            return null;
        }
        Confirm confirm = new Confirm(through, through - confirmedThrough > 1, (int) (through - confirmedThrough));
        confirmedThrough = through;
        return confirm;
    }

    private int slot(long sequence) {
        return (int) (sequence & (remaining.length - 1));
    }

    private void grow() {
        int[] larger = new int[remaining.length * 2];
        long[] largerTimes = new long[larger.length];
        for (long s = confirmedThrough + 1; s < nextSequence; s++) {
            larger[(int) (s & (larger.length - 1))] = remaining[slot(s)];
            largerTimes[(int) (s & (larger.length - 1))] = registeredAt[slot(s)];
        }
        remaining = larger;
        registeredAt = largerTimes;
    }
}
