package dev.warren.core;

import dev.warren.core.message.Message;
import java.util.Arrays;

/**
 * Pending delayed messages ordered by due time (then arrival, so equal times keep publish order): a binary
 * min-heap over parallel primitive arrays, so a million pending messages cost three longs each and no
 * object, with the message itself in the store. A message kept in memory instead (no store) rides along
 * in a parallel array allocated only then. Owner thread only.
 */
final class DelayHeap {
    private long[] due = new long[16];
    private long[] order = new long[16];
    private long[] location = new long[16];
    private Message[] messages;
    private int size;
    private long nextOrder;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The earliest due time (epoch ms); only when not empty. */
    long earliestDue() {
        return due[0];
    }

    /** The earliest entry's store location (-1 for one held in memory); only when not empty. */
    long earliestLocation() {
        return location[0];
    }

    /** The earliest entry's message when held in memory, else null; only when not empty. */
    Message earliestMessage() {
        return messages == null ? null : messages[0];
    }

    /** Adds a message stored at {@code storeLocation}, or held in memory ({@code storeLocation} -1, message given). */
    void add(long dueAt, long storeLocation, Message inMemory) {
        if (size == due.length) {
            int capacity = size * 2;
            due = Arrays.copyOf(due, capacity);
            order = Arrays.copyOf(order, capacity);
            location = Arrays.copyOf(location, capacity);
            if (messages != null) {
                messages = Arrays.copyOf(messages, capacity);
            }
        }
        if (inMemory != null && messages == null) {
            messages = new Message[due.length];
        }
        int i = size++;
        set(i, dueAt, nextOrder++, storeLocation, inMemory);
        siftUp(i);
    }

    /** Removes the earliest entry. */
    void removeEarliest() {
        int last = --size;
        set(0, due[last], order[last], location[last], messages == null ? null : messages[last]);
        if (messages != null) {
            messages[last] = null;
        }
        if (size > 0) {
            siftDown(0);
        }
    }

    private void set(int i, long dueAt, long ord, long storeLocation, Message message) {
        due[i] = dueAt;
        order[i] = ord;
        location[i] = storeLocation;
        if (messages != null) {
            messages[i] = message;
        }
    }

    private boolean before(int a, int b) {
        return due[a] < due[b] || (due[a] == due[b] && order[a] < order[b]);
    }

    private void siftUp(int i) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!before(i, parent)) {
                return;
            }
            swap(i, parent);
            i = parent;
        }
    }

    private void siftDown(int i) {
        while (true) {
            int left = 2 * i + 1;
            if (left >= size) {
                return;
            }
            int smallest = left + 1 < size && before(left + 1, left) ? left + 1 : left;
            if (!before(smallest, i)) {
                return;
            }
            swap(i, smallest);
            i = smallest;
        }
    }

    private void swap(int a, int b) {
        long d = due[a];
        due[a] = due[b];
        due[b] = d;
        long o = order[a];
        order[a] = order[b];
        order[b] = o;
        long l = location[a];
        location[a] = location[b];
        location[b] = l;
        if (messages != null) {
            Message m = messages[a];
            messages[a] = messages[b];
            messages[b] = m;
        }
    }
}
