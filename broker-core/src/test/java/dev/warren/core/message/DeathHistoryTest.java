package dev.warren.core.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeathHistoryTest {
    private static final Date T1 = new Date(1_000_000L);
    private static final Date T2 = new Date(2_000_000L);

    private static DeathHistory.Death death(String queue, String reason, Date time) {
        return new DeathHistory.Death(queue, reason, "ex", List.of("rk", "cc"), null, time);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> deaths(Map<String, Object> headers) {
        return (List<Map<String, Object>>) headers.get("x-death");
    }

    @Test
    void firstDeathAddsOneEntryAndTheFirstAndLastSummaries() {
        Map<String, Object> headers = DeathHistory.record(Map.of("app", "kept"),
                new DeathHistory.Death("work", "expired", "ex", List.of("rk"), "5000", T1));
        assertEquals("kept", headers.get("app"));
        Map<String, Object> entry = deaths(headers).get(0);
        assertEquals(1L, entry.get("count"));
        assertEquals("expired", entry.get("reason"));
        assertEquals("work", entry.get("queue"));
        assertEquals(T1, entry.get("time"));
        assertEquals("ex", entry.get("exchange"));
        assertEquals(List.of("rk"), entry.get("routing-keys"));
        assertEquals("5000", entry.get("original-expiration"));
        assertEquals("work", headers.get("x-first-death-queue"));
        assertEquals("expired", headers.get("x-first-death-reason"));
        assertEquals("ex", headers.get("x-first-death-exchange"));
        assertEquals("work", headers.get("x-last-death-queue"));
    }

    @Test
    void aSecondDeathInTheSameQueueForTheSameReasonCountsUpAndMovesToTheFront() {
        Map<String, Object> once = DeathHistory.record(null, death("a", "rejected", T1));
        Map<String, Object> twice = DeathHistory.record(once, death("b", "expired", T2));
        Map<String, Object> thrice = DeathHistory.record(twice, death("a", "rejected", T2));
        List<Map<String, Object>> deaths = deaths(thrice);
        assertEquals(2, deaths.size());
        assertEquals("a", deaths.get(0).get("queue"));
        assertEquals(2L, deaths.get(0).get("count"));
        assertEquals("b", deaths.get(1).get("queue"));
        assertEquals(1L, deaths.get(1).get("count"));
        assertEquals("a", thrice.get("x-first-death-queue"), "the first death stays the first");
        assertEquals("rejected", thrice.get("x-last-death-reason"));
        assertNull(deaths.get(0).get("original-expiration"));
    }

    @Test
    void deadLetteringBackIntoAQueueTheMessageDiedInIsACycleUnlessARejectionCameBetween() {
        Map<String, Object> expiredInA = DeathHistory.record(null, death("a", "expired", T1));
        assertTrue(DeathHistory.isCycle(expiredInA, "a"));
        assertFalse(DeathHistory.isCycle(expiredInA, "b"));

        Map<String, Object> rejectedInB = DeathHistory.record(expiredInA, death("b", "rejected", T2));
        assertFalse(DeathHistory.isCycle(rejectedInB, "a"), "a rejection on the way means a client keeps it moving");

        Map<String, Object> expiredInB = DeathHistory.record(expiredInA, death("b", "expired", T2));
        assertTrue(DeathHistory.isCycle(expiredInB, "a"));
    }
}
