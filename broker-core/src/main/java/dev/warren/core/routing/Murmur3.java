package dev.warren.core.routing;

import io.netty.buffer.ByteBuf;

/**
 * MurmurHash3, the x86 32-bit variant (Austin Appleby's public-domain algorithm), over the UTF-8 bytes of
 * a value: what the consistent-hash exchange hashes routing keys, header values and properties with, and
 * places its ring points by. The results are those of every other implementation of it (Guava's
 * {@code murmur3_32_fixed}, Python's {@code mmh3}), so they never change between releases. Strings are
 * encoded as they are hashed and buffers are read in place: hashing allocates nothing.
 */
final class Murmur3 {
    private static final int C1 = 0xcc9e2d51;
    private static final int C2 = 0x1b873593;

    private Murmur3() {
    }

    /**
     * The hash of the text's UTF-8 encoding, seed 0. An unpaired surrogate counts as {@code '?'}, as
     * {@link String#getBytes} encodes it, so a string and its bytes hash alike.
     */
    static int hash(CharSequence text) {
        int h = 0;
        int block = 0;
        int filled = 0;
        int length = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            int encoded; // the UTF-8 bytes of one code point, first byte lowest
            int count;
            if (c < 0x80) {
                encoded = c;
                count = 1;
            } else if (c < 0x800) {
                encoded = (0xc0 | c >> 6) | (0x80 | c & 0x3f) << 8;
                count = 2;
            } else if (!Character.isSurrogate(c)) {
                encoded = (0xe0 | c >> 12) | (0x80 | c >> 6 & 0x3f) << 8 | (0x80 | c & 0x3f) << 16;
                count = 3;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, text.charAt(++i));
                encoded = (0xf0 | cp >> 18) | (0x80 | cp >> 12 & 0x3f) << 8 | (0x80 | cp >> 6 & 0x3f) << 16
                        | (0x80 | cp & 0x3f) << 24;
                count = 4;
            } else {
                encoded = '?';
                count = 1;
            }
            length += count;
            for (int k = 0; k < count; k++, encoded >>>= 8) {
                block |= (encoded & 0xff) << (filled << 3);
                if (++filled == 4) {
                    h = mixBlock(h, block);
                    block = 0;
                    filled = 0;
                }
            }
        }
        return finish(h, block, length);
    }

    /** The hash of {@code bytes}, seed 0. */
    static int hash(byte[] bytes) {
        int h = 0;
        int blocks = bytes.length & ~3;
        for (int i = 0; i < blocks; i += 4) {
            h = mixBlock(h, bytes[i] & 0xff | (bytes[i + 1] & 0xff) << 8 | (bytes[i + 2] & 0xff) << 16 | bytes[i + 3] << 24);
        }
        int tail = 0;
        for (int i = bytes.length - 1; i >= blocks; i--) {
            tail = tail << 8 | bytes[i] & 0xff;
        }
        return finish(h, tail, bytes.length);
    }

    /** The hash of {@code length} bytes of {@code buf} from the absolute {@code index}, seed 0; the indexes do not move. */
    static int hash(ByteBuf buf, int index, int length) {
        int h = 0;
        int end = index + (length & ~3);
        for (int i = index; i < end; i += 4) {
            h = mixBlock(h, buf.getIntLE(i));
        }
        int tail = 0;
        for (int i = index + length - 1; i >= end; i--) {
            tail = tail << 8 | buf.getUnsignedByte(i);
        }
        return finish(h, tail, length);
    }

    /** The hash of a long's eight little-endian bytes, seed 0. */
    static int hash(long value) {
        int h = mixBlock(0, (int) value);
        h = mixBlock(h, (int) (value >>> 32));
        return fmix(h ^ 8);
    }

    /** The hash of an int's four little-endian bytes with {@code seed}: the i-th point of a ring member. */
    static int hash(int value, int seed) {
        return fmix(mixBlock(seed, value) ^ 4);
    }

    private static int mixBlock(int h, int block) {
        h ^= mixK(block);
        h = Integer.rotateLeft(h, 13);
        return h * 5 + 0xe6546b64;
    }

    private static int mixK(int k) {
        k *= C1;
        k = Integer.rotateLeft(k, 15);
        return k * C2;
    }

    /** The tail's bytes (fewer than four, first byte lowest; zero when none), then the length and the final mix. */
    private static int finish(int h, int tail, int length) {
        if ((length & 3) != 0) {
            h ^= mixK(tail);
        }
        return fmix(h ^ length);
    }

    private static int fmix(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        return h ^ h >>> 16;
    }
}
