package dev.warren.core.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The consistent-hash exchange's hash is MurmurHash3 x86_32: the published values, however the input comes. */
class Murmur3Test {
    @Test
    void givesMurmurHash3sPublishedValues() {
        // the reference implementation's (and Guava's, mmh3's) results with seed 0
        assertEquals(0, Murmur3.hash(""));
        assertEquals(0x248bfa47, Murmur3.hash("hello"));
        assertEquals(0x2e4ff723, Murmur3.hash("The quick brown fox jumps over the lazy dog"));
    }

    @Test
    void aStringItsUtf8BytesAndABufferHoldingThemHashAlike() {
        for (String text : new String[] {"", "a", "ab", "abc", "abcd", "abcde", "é", "routing.key-€", "😀 emoji", "\ud800 lone"}) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            ByteBuf buf = Unpooled.buffer().writeZero(3).writeBytes(bytes).writeZero(2);
            try {
                assertEquals(Murmur3.hash(bytes), Murmur3.hash(text), text);
                assertEquals(Murmur3.hash(bytes), Murmur3.hash(buf, 3, bytes.length), text);
            } finally {
                buf.release();
            }
        }
    }
}
