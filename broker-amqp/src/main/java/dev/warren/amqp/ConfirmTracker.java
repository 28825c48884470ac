package dev.warren.amqp;

import dev.warren.core.stats.LatencyRecorder;

/**
 * Publisher confirms of one channel. Each publish gets the next sequence number and waits until every
 * queue it was routed to (and the store, for a persistent message) has accepted it, or until one of them
 * failed to, which makes it a nack. Confirms go out for each contiguous run of completed numbers with the
 * same outcome as one basic.ack (or basic.nack) with {@code multiple} set when it covers several, so a burst
 * costs one frame and no tag is ever confirmed twice. A publish confirmed while it is handled (unroutable)
 * is acked alone at once instead, as RabbitMQ does; clients that count ack callbacks rely on it. Runs stop
 * at such a tag and skip it, so a later multiple ack covers only tags still outstanding.
 *
 * <p>The outstanding numbers are contiguous, so their remaining acceptance counts (negative once failed)
 * and the time each publish arrived, for the confirm latency histogram, live in rings indexed by sequence
 * number: nothing is allocated per publish. Channel thread only.
 */
final class ConfirmTracker {
    /** A confirm to send: the delivery tag, whether it covers all earlier tags too, and ack or nack. */
    record Confirm(long tag, boolean multiple, int count, boolean ack) {
    }

    private static final int FAILED = -1;
    /** Acked on its own when registered; {@link #due} skips it. */
    private static final int ACKED_ALONE = -2;

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

    /** Numbers a publish that is complete as it is handled and acked alone, now; the caller sends the ack. */
    long registerAckedAlone(LatencyRecorder latency) {
        long sequence = register(ACKED_ALONE);
        latency.record(0);
        return sequence;
    }

    /** One queue (or the store) accepted the publish with this number. */
    void accepted(long sequence) {
        if (outstanding(sequence) && remaining[slot(sequence)] > 0) {
            remaining[slot(sequence)]--;
        }
    }

    /** A queue or the store could not take the publish with this number: it will be nacked. */
    void failed(long sequence) {
        if (outstanding(sequence)) {
            remaining[slot(sequence)] = FAILED;
        }
    }

    private boolean outstanding(long sequence) {
        return sequence > confirmedThrough && sequence < nextSequence;
    }

    /**
     * The next confirm that is due, or null when nothing new is complete; call again until null, since a
     * run of acks may be followed by nacks. Each publish it covers is timed.
     */
    Confirm due(LatencyRecorder latency) {
        while (confirmedThrough + 1 < nextSequence && remaining[slot(confirmedThrough + 1)] == ACKED_ALONE) {
            confirmedThrough++;
        }
        long first = confirmedThrough + 1;
        if (first >= nextSequence || remaining[slot(first)] > 0) {
            return null;
        }
        boolean ack = remaining[slot(first)] == 0;
        int outcome = remaining[slot(first)];
        long through = confirmedThrough;
        long now = System.nanoTime();
        while (through + 1 < nextSequence && remaining[slot(through + 1)] == outcome) {
            through++;
            latency.record(now - registeredAt[slot(through)]);
        }
        Confirm confirm = new Confirm(through, through - confirmedThrough > 1, (int) (through - confirmedThrough), ack);
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
