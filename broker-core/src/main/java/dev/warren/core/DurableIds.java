package dev.warren.core;

import java.util.Arrays;
import java.util.List;

/** The store ids of the durable queues among a message's targets, collected into a reused array. Owner thread only. */
final class DurableIds {
    private int[] ids = new int[4];

    /** Collects the ids of the durable queues among {@code targets} into {@link #ids()}; returns how many. */
    int collect(List<MessageQueue> targets) {
        int count = 0;
        for (MessageQueue target : targets) {
            if (target.storeId() >= 0) {
                if (count == ids.length) {
                    ids = Arrays.copyOf(ids, count * 2);
                }
                ids[count++] = target.storeId();
            }
        }
        return count;
    }

    int[] ids() {
        return ids;
    }
}
