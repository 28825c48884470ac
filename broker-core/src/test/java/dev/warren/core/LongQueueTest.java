package dev.warren.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayDeque;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LongQueueTest {
    /** Values in the shapes a queue keeps: runs sharing upper bits, alternating upper bits, anything. */
    private static long value(Random random, int shape, long run) {
        return switch (shape) {
            case 0 -> (run << 32) | (random.nextInt() & 0xFFFFFFFFL); // a run of one segment
            case 1 -> random.nextBoolean() ? Long.MAX_VALUE : 1_733_000_000_000L + random.nextInt(1000); // NEVER or a time
            case 2 -> random.nextBoolean() ? Long.MIN_VALUE | random.nextInt(100) : random.nextInt(100); // a flag that varies
            default -> random.nextLong();
        };
    }

    @Test
    void behavesAsAFifoOfLongsWhateverTheValues() {
        for (long seed = 1; seed <= 40; seed++) {
            Random random = new Random(seed);
            LongQueue queue = new LongQueue();
            ArrayDeque<Long> model = new ArrayDeque<>();
            int shape = random.nextInt(4);
            long run = random.nextInt(3);
            for (int step = 0; step < 60_000; step++) {
                int op = random.nextInt(100);
                if (op < 60) {
                    if (random.nextInt(5000) == 0) {
                        shape = random.nextInt(4);
                        run++;
                    }
                    long v = value(random, shape, run);
                    queue.addLast(v);
                    model.addLast(v);
                } else if (op < 99) {
                    if (!model.isEmpty()) {
                        assertEquals(model.peekFirst(), queue.peekFirst(), "seed " + seed + " step " + step);
                        assertEquals(model.pollFirst(), queue.pollFirst(), "seed " + seed + " step " + step);
                    }
                } else if (random.nextInt(20) == 0) {
                    long v = value(random, random.nextInt(4), run);
                    queue.fill(v);
                    int n = model.size();
                    model.clear();
                    for (int i = 0; i < n; i++) {
                        model.addLast(v);
                    }
                }
                assertEquals(model.size(), queue.size(), "seed " + seed + " step " + step);
            }
            while (!model.isEmpty()) {
                assertEquals(model.pollFirst(), queue.pollFirst(), "seed " + seed + " draining");
            }
            assertEquals(0, queue.size());
            assertThrows(IllegalStateException.class, queue::peekFirst);
        }
    }

    @Test
    void clearEmptiesItAndItIsUsableAgain() {
        LongQueue queue = new LongQueue();
        for (long i = 0; i < 20_000; i++) {
            queue.addLast(i);
        }
        queue.clear();
        assertEquals(0, queue.size());
        queue.addLast(-1);
        assertEquals(-1, queue.pollFirst());
    }
}
