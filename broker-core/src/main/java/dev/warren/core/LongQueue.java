package dev.warren.core;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * A first-in first-out queue of longs kept in chunks, so millions of paged-out queue entries stay cheap and
 * nothing is copied as it grows beyond a chunk.
 *
 * <p>Four bytes per element in the usual case: the values a queue keeps here come in long runs that share
 * their upper 32 bits (store locations of one segment with the same flags, expiry times within 49 days, body
 * sizes), so a chunk keeps those bits once and an int per element. A value whose upper bits differ starts a
 * new chunk; where they keep changing (a run shorter than {@link #MIN_RUN}), the chunk becomes a plain long[]
 * one instead, so no pattern of values costs more than eight bytes per element plus a chunk's slack. Chunks
 * start small and double up to {@link #MAX_CHUNK} elements. Not thread-safe.
 */
final class LongQueue {
    static final int MAX_CHUNK = 8192;
    private static final int FIRST_CHUNK = 16;
    /** A run of shared upper bits shorter than this is not worth a chunk of its own. */
    static final int MIN_RUN = 8;
    private static final long UPPER = 0xFFFFFFFF00000000L;

    private final ArrayDeque<Chunk> chunks = new ArrayDeque<>();
    private long size;

    long size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void addLast(long value) {
        Chunk last = chunks.peekLast();
        if (last == null || !last.tryAdd(value)) {
            if (last instanceof Narrow narrow && narrow.length() < MIN_RUN && !narrow.full()) {
                Wide wide = narrow.widened();
                chunks.pollLast();
                chunks.addLast(wide);
                wide.tryAdd(value);
            } else {
                Narrow fresh = new Narrow(value & UPPER);
                fresh.tryAdd(value);
                chunks.addLast(fresh);
            }
        }
        size++;
    }

    long peekFirst() {
        if (size == 0) {
            throw new IllegalStateException("empty");
        }
        return chunks.peekFirst().first();
    }

    long pollFirst() {
        long value = peekFirst();
        Chunk first = chunks.peekFirst();
        first.start++;
        size--;
        if (first.length() == 0) {
            chunks.pollFirst();
        }
        return value;
    }

    /** Sets every element to {@code value}. */
    void fill(long value) {
        for (Chunk chunk : chunks) {
            chunk.fill(value);
        }
    }

    void clear() {
        chunks.clear();
        size = 0;
    }

    /** Elements [start, end) of one chunk. */
    private abstract static class Chunk {
        int start;
        int end;

        int length() {
            return end - start;
        }

        abstract long first();

        /** Appends unless the value does not fit this chunk or it is full. */
        abstract boolean tryAdd(long value);

        abstract void fill(long value);

        static int grown(int capacity) {
            return Math.min(MAX_CHUNK, capacity * 2);
        }
    }

    /** Values sharing their upper 32 bits: an int each. */
    private static final class Narrow extends Chunk {
        private long upper;
        private int[] lower = new int[FIRST_CHUNK];

        Narrow(long upper) {
            this.upper = upper;
        }

        boolean full() {
            return end == MAX_CHUNK;
        }

        @Override
        long first() {
            return upper | (lower[start] & 0xFFFFFFFFL);
        }

        @Override
        boolean tryAdd(long value) {
            if ((value & UPPER) != upper || full()) {
                return false;
            }
            if (end == lower.length) {
                lower = Arrays.copyOf(lower, grown(lower.length));
            }
            lower[end++] = (int) value;
            return true;
        }

        @Override
        void fill(long value) {
            upper = value & UPPER;
            Arrays.fill(lower, start, end, (int) value);
        }

        /** The same elements in a chunk that takes any value. */
        Wide widened() {
            Wide wide = new Wide(lower.length);
            for (int i = start; i < end; i++) {
                wide.tryAdd(upper | (lower[i] & 0xFFFFFFFFL));
            }
            return wide;
        }
    }

    /** Any values: a long each. */
    private static final class Wide extends Chunk {
        private long[] values;

        Wide(int capacity) {
            values = new long[capacity];
        }

        @Override
        long first() {
            return values[start];
        }

        @Override
        boolean tryAdd(long value) {
            if (end == MAX_CHUNK) {
                return false;
            }
            if (end == values.length) {
                values = Arrays.copyOf(values, grown(values.length));
            }
            values[end++] = value;
            return true;
        }

        @Override
        void fill(long value) {
            Arrays.fill(values, start, end, value);
        }
    }
}
