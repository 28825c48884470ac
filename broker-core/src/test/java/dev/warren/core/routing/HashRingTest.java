package dev.warren.core.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The consistent-hash ring: shares follow the weights (a statistical bound over many keys, the placement
 * being deterministic), a key keeps its owner, and adding or removing a member moves only its own keys.
 */
class HashRingTest {
    private static final int KEYS = 100_000;

    private static int key(int i) {
        return Murmur3.hash("key-" + i);
    }

    private static HashRing<String> ring(Map<String, Integer> weights) {
        HashRing<String> ring = HashRing.empty();
        for (Map.Entry<String, Integer> member : weights.entrySet()) {
            ring = ring.with(member.getKey(), "queue\0" + member.getKey(), member.getValue());
        }
        return ring;
    }

    private static Map<String, Integer> counts(HashRing<String> ring) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < KEYS; i++) {
            counts.merge(ring.owner(key(i)), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void anEmptyRingOwnsNothing() {
        assertNull(HashRing.<String>empty().owner(42));
    }

    @Test
    void weightsOneAndTwoShareTheKeysOneToTwo() {
        // each member's share is random around its weight's, with a relative spread near
        // 1/sqrt(weight * POINTS_PER_WEIGHT) (about 5% here): 15% is three spreads, a bound rather than luck
        for (String[] pair : List.of(new String[] {"light", "heavy"}, new String[] {"q1", "q2"}, new String[] {"a", "b"})) {
            Map<String, Integer> counts = counts(ring(Map.of(pair[0], 1, pair[1], 2)));
            double lightShare = counts.get(pair[0]) / (double) KEYS;
            assertEquals(1 / 3.0, lightShare, 0.15 / 3, pair[0] + " got " + counts);
            assertEquals(KEYS, counts.get(pair[0]) + counts.get(pair[1]));
        }
    }

    @Test
    void tenEqualWeightsShareTheKeysEvenly() {
        Map<String, Integer> weights = new HashMap<>();
        for (int q = 0; q < 10; q++) {
            weights.put("q" + q, 10);
        }
        Map<String, Integer> counts = counts(ring(weights));
        assertEquals(10, counts.size());
        for (int count : counts.values()) {
            assertEquals(KEYS / 10.0, count, KEYS / 10.0 * 0.1, "a weight of 10 is within 10%: " + counts);
        }
    }

    @Test
    void theSameKeyAlwaysHasTheSameOwnerWhateverOrderTheMembersCameIn() {
        HashRing<String> forward = HashRing.<String>empty().with("a", "queue\0a", 1).with("b", "queue\0b", 3).with("c", "queue\0c", 2);
        HashRing<String> backward = HashRing.<String>empty().with("c", "queue\0c", 2).with("b", "queue\0b", 3).with("a", "queue\0a", 1);
        for (int i = 0; i < KEYS; i++) {
            assertEquals(forward.owner(key(i)), forward.owner(key(i)));
            assertEquals(forward.owner(key(i)), backward.owner(key(i)), "key-" + i);
        }
    }

    @Test
    void removingAMemberMovesOnlyItsOwnKeysAndAddingItBackRestoresThem() {
        HashRing<String> all = ring(Map.of("a", 1, "b", 2, "c", 3, "d", 1));
        HashRing<String> withoutB = all.without("b");
        int moved = 0;
        for (int i = 0; i < KEYS; i++) {
            String before = all.owner(key(i));
            String after = withoutB.owner(key(i));
            if (before.equals("b")) {
                moved++;
                assertTrue(!after.equals("b"), "b's keys go elsewhere");
            } else {
                assertEquals(before, after, "key-" + i + " did not belong to b and stays");
            }
        }
        assertTrue(moved > KEYS / 7 / 2, "b had its share of keys to move: " + moved);
        HashRing<String> back = withoutB.with("b", "queue\0b", 2);
        for (int i = 0; i < KEYS; i++) {
            assertEquals(all.owner(key(i)), back.owner(key(i)));
        }
    }

    @Test
    void removingAMemberThatIsNotThereChangesNothing() {
        HashRing<String> ring = ring(Map.of("a", 1));
        assertTrue(ring.without("z") == ring);
        assertEquals(HashRing.POINTS_PER_WEIGHT, ring.size());
        assertEquals(0, ring.without("a").size());
    }
}
