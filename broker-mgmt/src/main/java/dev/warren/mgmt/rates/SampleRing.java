package dev.warren.mgmt.rates;

/**
 * The samples of one object: one row per sampler tick, each row {@code width} longs (one per series), kept in
 * a single primitive array used as a ring, so an object's samples cost a fixed
 * {@code 8 * width * capacity} bytes whatever its age: the newest row overwrites the oldest.
 *
 * <p>Not thread-safe: {@link RateHistory} guards every ring with its lock.
 */
final class SampleRing {
    /** A {@code long[]}'s header on a 64-bit JVM with compressed references. */
    static final int ARRAY_HEADER_BYTES = 16;

    private final int width;
    private final int capacity;
    private final long[] values;
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
        this.values = new long[width * capacity];
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
        int slot = (int) ((rows - 1 - back) % capacity);
        return values[slot * width + column];
    }
}
