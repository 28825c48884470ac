package dev.warren.store;

import java.util.Arrays;

/** A growable array of longs: queue entries during recovery, without boxing millions of them. */
final class LongArray {
    private long[] values = new long[16];
    private int size;

    void add(long value) {
        if (size == values.length) {
            values = Arrays.copyOf(values, values.length * 2);
        }
        values[size++] = value;
    }

    int size() {
        return size;
    }

    long get(int index) {
        return values[index];
    }

    void set(int index, long value) {
        values[index] = value;
    }

    /** Keeps the first {@code newSize} values. */
    void truncate(int newSize) {
        size = newSize;
    }

    long[] toArray() {
        return Arrays.copyOf(values, size);
    }

    void sort() {
        Arrays.sort(values, 0, size);
    }

    /** Whether a sorted array holds the value. */
    boolean sortedContains(long value) {
        return Arrays.binarySearch(values, 0, size, value) >= 0;
    }
}
