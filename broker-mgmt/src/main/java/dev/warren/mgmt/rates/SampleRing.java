package dev.warren.mgmt.rates;

import java.util.Arrays;

/**
 * The samples of one object: one row per sampler tick, each row {@code width} longs (one per series), kept in
 * a single primitive array used as a ring, so an object's samples cost a fixed
 * {@code 8 * width * capacity} bytes whatever its age: the newest row overwrites the oldest. Until a row differs
 * from the first, only that row is kept: an idle object (a queue nobody uses, its counters and lengths unchanged)
 * costs one row, not a ring — 100,000 idle queues would otherwise hold 1 GB of identical samples.
 *
 * <p>Not thread-safe: {@link RateHistory} guards every ring with its lock.
 */
final class SampleRing {
    /** A {@code long[]}'s header on a 64-bit JVM with compressed references. */
    static final int ARRAY_HEADER_BYTES = 16;

    private final int width;
    private final int capacity;
    /** The ring, made when a row first differs from {@link #first}; null while every row is the same. */
    private long[] values;
    /** The first row appended, which every row so far repeats while {@link #values} is null. */
    private long[] first;
    /** Rows written so far; the newest is at {@code (rows - 1) % capacity}. */
    private long rows;
    /** The tick of the newest row, so that rings of objects that are gone can be told apart. */
    private long lastTick = -1;

    SampleRing(int width, int capacity) {
        if (width < 1 || capacity < 2) {
            throw new IllegalArgumentException("a ring needs a series and two rows, got " + width + " x " + capacity);
        }
        this.width = width;
        this.capacity = capacity;
    }

    /** The bytes a ring of this shape holds in samples (its array). */
    static long bytes(int width, int capacity) {
        return ARRAY_HEADER_BYTES + 8L * width * capacity;
    }

    int width() {
        return width;
    }

    int capacity() {
        return capacity;
    }

    /** Appends one row (the first {@code width} values of {@code row}) for {@code tick}. */
    void append(long tick, long[] row) {
        if (values == null) {
            if (first == null) {
                first = Arrays.copyOf(row, width);
            }
            if (Arrays.equals(first, 0, width, row, 0, width)) {
                rows++;
                lastTick = tick;
                return;
            }
            values = new long[width * capacity];
            for (int slot = 0; slot < size(); slot++) { // the rows so far, all the first one
                System.arraycopy(first, 0, values, slot * width, width);
            }
        }
        int slot = (int) (rows % capacity);
        System.arraycopy(row, 0, values, slot * width, width);
        rows++;
        lastTick = tick;
    }

    long lastTick() {
        return lastTick;
    }

    /** Rows held: those written, up to the capacity. */
    int size() {
        return (int) Math.min(rows, capacity);
    }

    /** The value of a series {@code back} rows before the newest (0: the newest); {@code back < size()}. */
    long value(int back, int column) {
        if (back < 0 || back >= size()) {
            throw new IndexOutOfBoundsException("row " + back + " of " + size());
        }
        if (values == null) {
            return first[column];
        }
        int slot = (int) ((rows - 1 - back) % capacity);
        return values[slot * width + column];
    }
}
