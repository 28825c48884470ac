package dev.warren.amqp;

import java.util.TreeMap;

/**
 * Publisher confirms of one channel. Each publish gets the next sequence number and waits until every
 * queue it was routed to has accepted it. Confirms go out for the contiguous run of completed numbers
 * as one basic.ack with {@code multiple} set when it covers several, so a burst costs one frame and no
 * tag is ever confirmed twice. Channel thread only.
 */
final class ConfirmTracker {
    /** A confirm to send: the delivery tag and whether it covers all earlier tags too. */
    record Confirm(long tag, boolean multiple) {
    }

    private final TreeMap<Long, Integer> waiting = new TreeMap<>();
    private long nextSequence = 1;
    private long confirmedThrough;

    /** Numbers the next publish, which needs {@code acceptances} queues (0 when unroutable) to accept it. */
    long register(int acceptances) {
        long sequence = nextSequence++;
        if (acceptances > 0) {
            waiting.put(sequence, acceptances);
        }
        return sequence;
    }

    /** One queue accepted the publish with this number. */
    void accepted(long sequence) {
        waiting.computeIfPresent(sequence, (s, left) -> left > 1 ? left - 1 : null);
    }

    /** The confirm that is due now, or null when nothing new is complete. */
    Confirm due() {
        long through = (waiting.isEmpty() ? nextSequence : waiting.firstKey()) - 1;
        if (through <= confirmedThrough) {
            return null;
        }
        Confirm confirm = new Confirm(through, through - confirmedThrough > 1);
        confirmedThrough = through;
        return confirm;
    }
}
