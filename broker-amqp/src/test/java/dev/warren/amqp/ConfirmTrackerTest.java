package dev.warren.amqp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.core.stats.LatencyRecorder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfirmTrackerTest {

    @Test
    void confirmsTheContiguousRunOfCompletedPublishesInOneAck() {
        ConfirmTracker tracker = new ConfirmTracker();
        long first = tracker.register(1);
        long second = tracker.register(2);
        long unroutable = tracker.register(0);
        assertNull(tracker.due(LatencyRecorder.NONE));
        tracker.accepted(second);
        tracker.accepted(second);
        assertNull(tracker.due(LatencyRecorder.NONE), "the first publish still waits, so nothing after it is confirmed");
        tracker.accepted(first);
        assertEquals(new ConfirmTracker.Confirm(unroutable, true, 3, true), tracker.due(LatencyRecorder.NONE));
        assertNull(tracker.due(LatencyRecorder.NONE));
    }

    @Test
    void aSinglePublishIsConfirmedWithoutMultiple() {
        ConfirmTracker tracker = new ConfirmTracker();
        long only = tracker.register(1);
        tracker.accepted(only);
        assertEquals(new ConfirmTracker.Confirm(only, false, 1, true), tracker.due(LatencyRecorder.NONE));
    }

    @Test
    void aPublishAckedAloneIsNeverCoveredAgainByALaterMultipleAck() {
        ConfirmTracker tracker = new ConfirmTracker();
        long first = tracker.register(1);
        long second = tracker.register(1);
        long unroutable = tracker.registerAckedAlone(LatencyRecorder.NONE);
        long fourth = tracker.register(1);
        long fifth = tracker.register(1);
        assertNull(tracker.due(LatencyRecorder.NONE), "an ack sent alone is not due again");
        for (long s : new long[] {first, second, fourth, fifth}) {
            tracker.accepted(s);
        }
        assertEquals(new ConfirmTracker.Confirm(second, true, 2, true), tracker.due(LatencyRecorder.NONE));
        assertEquals(new ConfirmTracker.Confirm(fifth, true, 2, true), tracker.due(LatencyRecorder.NONE),
                "the run after the tag acked alone starts after it");
        assertNull(tracker.due(LatencyRecorder.NONE));
        assertEquals(3, unroutable);
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
        assertNull(tracker.due(LatencyRecorder.NONE));
        tracker.accepted(1);
        assertEquals(new ConfirmTracker.Confirm(count, true, count, true), tracker.due(LatencyRecorder.NONE));
    }

    @Test
    void ignoresAcceptanceOfNumbersAlreadyConfirmedOrNeverIssued() {
        ConfirmTracker tracker = new ConfirmTracker();
        long first = tracker.register(1);
        tracker.accepted(first);
        tracker.due(LatencyRecorder.NONE);
        tracker.accepted(first);
        tracker.accepted(99);
        long next = tracker.register(1);
        assertNull(tracker.due(LatencyRecorder.NONE));
        tracker.accepted(next);
        assertEquals(new ConfirmTracker.Confirm(next, false, 1, true), tracker.due(LatencyRecorder.NONE));
    }

    @Test
    void timesEveryConfirmedPublishFromItsArrival() {
        ConfirmTracker tracker = new ConfirmTracker();
        List<Long> samples = new ArrayList<>();
        long first = tracker.register(1);
        long second = tracker.register(1);
        tracker.accepted(second);
        tracker.accepted(first);
        tracker.due(samples::add);
        assertEquals(2, samples.size());
        samples.forEach(nanos -> assertTrue(nanos >= 0, "a latency is never negative"));
    }

    @Test
    void aFailedPublishIsNackedInItsOwnRunBetweenAcks() {
        ConfirmTracker tracker = new ConfirmTracker();
        long first = tracker.register(1);
        long second = tracker.register(2);
        long third = tracker.register(2);
        long fourth = tracker.register(1);
        tracker.accepted(first);
        tracker.failed(second); // one queue failed: no need to wait for the other
        tracker.failed(third);
        tracker.accepted(third); // the other queue's acceptance comes later and changes nothing
        tracker.accepted(fourth);
        assertEquals(new ConfirmTracker.Confirm(first, false, 1, true), tracker.due(LatencyRecorder.NONE));
        assertEquals(new ConfirmTracker.Confirm(third, true, 2, false), tracker.due(LatencyRecorder.NONE));
        assertEquals(new ConfirmTracker.Confirm(fourth, false, 1, true), tracker.due(LatencyRecorder.NONE));
        assertNull(tracker.due(LatencyRecorder.NONE));
    }

    @Test
    void aFailureReportedAfterTheConfirmWentOutChangesNothing() {
        ConfirmTracker tracker = new ConfirmTracker();
        long only = tracker.register(1);
        tracker.accepted(only);
        assertEquals(new ConfirmTracker.Confirm(only, false, 1, true), tracker.due(LatencyRecorder.NONE));
        tracker.failed(only);
        assertNull(tracker.due(LatencyRecorder.NONE), "no tag is confirmed twice");
    }
}
