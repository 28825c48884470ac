package dev.warren.store;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * How many live references each segment file has: one per (durable queue, message) entry and one per
 * spilled copy. A segment nobody references is deleted once writing has moved past it. Writer thread only.
 */
final class SegmentRefs {
    private final TreeMap<Long, int[]> total = new TreeMap<>();
    /** Per durable queue, its entries per segment, so deleting a queue drops them all at once. */
    private final Map<Integer, Map<Long, int[]>> byQueue = new HashMap<>();

    void segmentCreated(long segment) {
        total.putIfAbsent(segment, new int[1]);
    }

    void addEntry(int queueId, long segment) {
        count(total, segment)[0]++;
        count(byQueue.computeIfAbsent(queueId, q -> new HashMap<>()), segment)[0]++;
    }

    void removeEntry(int queueId, long segment) {
        Map<Long, int[]> queue = byQueue.get(queueId);
        int[] perQueue = queue == null ? null : queue.get(segment);
        if (perQueue == null || perQueue[0] == 0) {
            return; // the queue was deleted, or this entry was never counted
        }
        perQueue[0]--;
        int[] all = total.get(segment);
        if (all != null) {
            all[0]--;
        }
    }

    void addSpill(long segment) {
        count(total, segment)[0]++;
    }

    void removeSpill(long segment) {
        int[] all = total.get(segment);
        if (all != null && all[0] > 0) {
            all[0]--;
        }
    }

    void dropQueue(int queueId) {
        Map<Long, int[]> queue = byQueue.remove(queueId);
        if (queue == null) {
            return;
        }
        queue.forEach((segment, n) -> {
            int[] all = total.get(segment);
            if (all != null) {
                all[0] -= n[0];
            }
        });
    }

    /** Live entries of all durable queues together. */
    long liveEntries() {
        long sum = 0;
        for (Map<Long, int[]> queue : byQueue.values()) {
            for (int[] n : queue.values()) {
                sum += n[0];
            }
        }
        return sum;
    }

    /** Removes and returns one segment older than {@code current} that nothing references, or -1. */
    long takeUnreferencedBefore(long current) {
        Iterator<Map.Entry<Long, int[]>> it = total.headMap(current, false).entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, int[]> e = it.next();
            if (e.getValue()[0] <= 0) {
                long segment = e.getKey(); // read before remove(): a TreeMap may reuse the entry for its successor
                it.remove();
                return segment;
            }
        }
        return -1;
    }

    private static int[] count(Map<Long, int[]> counts, long segment) {
        return counts.computeIfAbsent(segment, s -> new int[1]);
    }
}
