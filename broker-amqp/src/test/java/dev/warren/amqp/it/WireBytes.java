package dev.warren.amqp.it;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A growable byte array with AMQP's big-endian writers, for the fuzzer: unlike the broker's codec it writes
 * whatever it is told, including short strings whose length octet lies about the bytes after it.
 */
final class WireBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    WireBytes octet(int value) {
        out.write(value);
        return this;
    }

    WireBytes shortInt(int value) {
        out.write(value >>> 8);
        out.write(value);
        return this;
    }

    WireBytes longInt(long value) {
        for (int shift = 24; shift >= 0; shift -= 8) {
            out.write((int) (value >>> shift));
        }
        return this;
    }

    WireBytes longlong(long value) {
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.write((int) (value >>> shift));
        }
        return this;
    }

    WireBytes bytes(byte[] value) {
        out.write(value, 0, value.length);
        return this;
    }

    /** A short string of these bytes; the length octet is their length modulo 256, which lies for longer ones. */
    WireBytes shortstr(byte[] value) {
        return octet(value.length).bytes(value);
    }

    WireBytes shortstr(String value) {
        return shortstr(value.getBytes(StandardCharsets.UTF_8));
    }

    /** A long string, or a field table's body behind its 4-octet length. */
    WireBytes longstr(byte[] value) {
        return longInt(value.length).bytes(value);
    }

    int size() {
        return out.size();
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
