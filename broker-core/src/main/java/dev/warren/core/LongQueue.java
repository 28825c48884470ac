package dev.warren.core;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * A first-in first-out queue of longs kept in fixed-size chunks: eight bytes per element and no copying
 * as it grows, so millions of paged-out queue entries stay cheap. Not thread-safe.
 */
final class LongQueue {
    private static final int CHUNK = 8192;

    private final ArrayDeque<long[]> chunks = new ArrayDeque<>();
    private int head; // next index to take in the first chunk
    private int tail = CHUNK; // next index to fill in the last chunk
    private long size;

    long size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void addLast(long value) {
        if (tail == CHUNK) {
            chunks.addLast(new long[CHUNK]);
            tail = 0;
        }
        chunks.peekLast()[tail++] = value;
        size++;
    }

    long peekFirst() {
        if (size == 0) {
            throw new IllegalStateException("empty");
        }
        return chunks.peekFirst()[head];
    }

    long pollFirst() {
        long value = peekFirst();
        size--;
        if (++head == CHUNK || size == 0) {
            chunks.pollFirst();
            head = 0;
            if (size == 0) {
                chunks.clear();
                tail = CHUNK;
            }
        }
        return value;
    }

    /** Sets every element to {@code value}. */
    void fill(long value) {
        for (long[] chunk : chunks) {
            Arrays.fill(chunk, value);
        }
    }

    void clear() {
        chunks.clear();
        head = 0;
        tail = CHUNK;
        size = 0;
    }
}
