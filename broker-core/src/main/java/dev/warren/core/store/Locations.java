package dev.warren.core.store;

/**
 * A message's location in the store packed into a long: segment number in the high 30 bits, byte offset
 * in the low 32. Queues keep two flag bits above it, so a paged-out entry costs one long.
 */
public final class Locations {
    /** The entry was delivered before; it goes out with redelivered=true. */
    public static final long REDELIVERED = 1L << 63;
    /** The entry is a spilled copy (released, not acked, when the queue is done with it). */
    public static final long SPILLED = 1L << 62;
    private static final long FLAGS = REDELIVERED | SPILLED;

    private Locations() {
    }

    public static long of(long segment, long offset) {
        return (segment << 32) | (offset & 0xFFFF_FFFFL);
    }

    public static long segment(long location) {
        return (location & ~FLAGS) >>> 32;
    }

    public static long offset(long location) {
        return location & 0xFFFF_FFFFL;
    }

    /** The location without the flag bits. */
    public static long plain(long location) {
        return location & ~FLAGS;
    }

    public static boolean redelivered(long entry) {
        return (entry & REDELIVERED) != 0;
    }

    public static boolean spilled(long entry) {
        return (entry & SPILLED) != 0;
    }
}
