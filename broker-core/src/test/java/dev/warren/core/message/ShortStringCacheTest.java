package dev.warren.core.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ShortStringCacheTest {
    private final ShortStringCache cache = new ShortStringCache();

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    @Test
    void aRepeatedStringIsTheSameInstanceAndTheReaderMovesPastIt() {
        ByteBuf first = bytes("amq.topic|");
        ByteBuf second = bytes("amq.topic");
        String a = cache.read(first, 9);
        String b = cache.read(second, 9);
        assertEquals("amq.topic", a);
        assertSame(a, b);
        assertEquals(9, first.readerIndex());
        assertEquals('|', first.readByte());
    }

    @Test
    void stringsSharingASlotAreStillReadCorrectly() {
        // many distinct keys: some share a slot and replace each other
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 5000; i++) {
                String key = "orders." + i;
                assertEquals(key, cache.read(bytes(key), key.length()));
            }
        }
    }

    @Test
    void stringsOfTheSameHashButDifferentBytesAreNotConfused() {
        // "Aa" and "BB" have the same 31-based hash
        assertEquals("Aa", cache.read(bytes("Aa"), 2));
        assertEquals("BB", cache.read(bytes("BB"), 2));
        assertEquals("Aa", cache.read(bytes("Aa"), 2));
    }

    @Test
    void nonAsciiAndLongStringsAreLeftToTheCallerUnread() {
        ByteBuf accented = bytes("café");
        assertNull(cache.read(accented, accented.readableBytes()));
        assertEquals(0, accented.readerIndex());
        String longKey = "k".repeat(ShortStringCache.MAX_LENGTH + 1);
        assertNull(cache.read(bytes(longKey), longKey.length()));
    }

    @Test
    void theEmptyStringReadsAsEmpty() {
        assertEquals("", cache.read(bytes(""), 0));
    }

    @Test
    void fieldTablesReadNonAsciiShortStringsAsUtf8() {
        ByteBuf in = Unpooled.buffer();
        FieldTables.writeShortString(in, "clé.über");
        FieldTables.writeShortString(in, "plain.key");
        assertEquals("clé.über", FieldTables.readShortString(in));
        assertEquals("plain.key", FieldTables.readShortString(in));
    }
}
