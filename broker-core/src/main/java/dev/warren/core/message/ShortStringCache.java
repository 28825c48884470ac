package dev.warren.core.message;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Short strings decoded before, kept for reuse: exchange names, routing keys and header names repeat from
 * one message to the next, and decoding each afresh was an eighth of the bytes the broker allocated under
 * a publish load. A fixed table indexed by a hash of the bytes, holding ASCII strings of up to 64 bytes;
 * a miss decodes and replaces the entry. Any thread may use it: a String is immutable, so a plain array
 * slot publishes it safely, and a lost race only costs a decode.
 */
final class ShortStringCache {
    private static final int SLOTS = 1024; // a power of two
    static final int MAX_LENGTH = 64;

    private final String[] slots = new String[SLOTS];

    /**
     * Reads {@code length} bytes at the reader index as a string, advancing past them; null (nothing read)
     * when they are too long or not ASCII, for the caller to decode as UTF-8.
     */
    String read(ByteBuf in, int length) {
        if (length > MAX_LENGTH) {
            return null;
        }
        int start = in.readerIndex();
        int hash = 0;
        for (int i = 0; i < length; i++) {
            byte b = in.getByte(start + i);
            if (b < 0) {
                return null;
            }
            hash = 31 * hash + b;
        }
        int slot = (hash ^ (hash >>> 16)) & (SLOTS - 1);
        String s = slots[slot];
        if (s == null || !matches(s, in, start, length)) {
            s = in.toString(start, length, StandardCharsets.US_ASCII);
            slots[slot] = s;
        }
        in.skipBytes(length);
        return s;
    }

    private static boolean matches(String s, ByteBuf in, int start, int length) {
        if (s.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (s.charAt(i) != in.getByte(start + i)) {
                return false;
            }
        }
        return true;
    }
}
