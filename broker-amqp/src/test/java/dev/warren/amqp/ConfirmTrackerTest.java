package dev.warren.amqp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class ConfirmTrackerTest {

    @Test
    void confirmsTheContiguousRunOfCompletedPublishesInOneAck() {
        ConfirmTracker tracker = new ConfirmTracker();
        long first = tracker.register(1);
        long second = tracker.register(2);
        long unroutable = tracker.register(0);
        assertNull(tracker.due());
        tracker.accepted(second);
        tracker.accepted(second);
        assertNull(tracker.due(), "the first publish still waits, so nothing after it is confirmed");
        tracker.accepted(first);
        assertEquals(new ConfirmTracker.Confirm(unroutable, true), tracker.due());
        assertNull(tracker.due());
    }

    @Test
    void aSinglePublishIsConfirmedWithoutMultiple() {
        ConfirmTracker tracker = new ConfirmTracker();
        long only = tracker.register(1);
        tracker.accepted(only);
        assertEquals(new ConfirmTracker.Confirm(only, false), tracker.due());
    }

    @Test
    void keepsCountsAcrossGrowthWhenManyPublishesAreOutstanding() {
        ConfirmTracker tracker = new ConfirmTracker();
        int count = 10_000;
        for (int i = 0; i < count; i++) {
            tracker.register(1);
        }
        for (long s = count; s >= 2; s--) {
            tracker.accepted(s);
        }
        assertNull(tracker.due());
        tracker.accepted(1);
        assertEquals(new ConfirmTracker.Confirm(count, true), tracker.due());
    }

    @Test
    void ignoresAcceptanceOfNumbersAlreadyConfirmedOrNeverIssued() {
        ConfirmTracker tracker = new ConfirmTracker();
        long first = tracker.register(1);
        tracker.accepted(first);
        tracker.due();
        tracker.accepted(first);
        tracker.accepted(99);
        long next = tracker.register(1);
        assertNull(tracker.due());
        tracker.accepted(next);
        assertEquals(new ConfirmTracker.Confirm(next, false), tracker.due());
    }
}
