package dev.warren.core.message;

import dev.warren.core.AmqpException;
import dev.warren.core.ReplyCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class FieldTablesTest {
    private final List<ByteBuf> allocated = new ArrayList<>();

    @AfterEach
    void releaseBuffers() {
        for (ByteBuf buf : allocated) {
            assertTrue(buf.release(), "buffer still referenced elsewhere");
        }
    }

    private ByteBuf buffer() {
        ByteBuf buf = Unpooled.buffer();
        allocated.add(buf);
        return buf;
    }

    private ByteBuf bytes(int... values) {
        ByteBuf buf = buffer();
        for (int value : values) {
            buf.writeByte(value);
        }
        return buf;
    }

    /** A table whose entries are the given bytes, with a correct length prefix. */
    private ByteBuf table(ByteBuf entries) {
        ByteBuf buf = buffer();
        buf.writeInt(entries.readableBytes()).writeBytes(entries, entries.readerIndex(), entries.readableBytes());
        return buf;
    }

    private Map<String, Object> roundTrip(Map<String, ?> table) {
        ByteBuf buf = buffer();
        FieldTables.write(buf, table);
        Map<String, Object> read = FieldTables.read(buf);
        assertEquals(0, buf.readableBytes(), "read must consume the whole table");
        return read;
    }

    private static void assertSyntaxError(String expectedText, Runnable action) {
        AmqpException e = assertThrows(AmqpException.class, action::run);
        assertEquals(ReplyCode.SYNTAX_ERROR, e.replyCode());
        assertTrue(e.getMessage().contains(expectedText), () -> "message was: " + e.getMessage());
    }

    /** 255 bytes: 'é' (2 bytes) over and over, the last one cut after its first byte. */
    private ByteBuf shortStringCutInsideACodePoint() {
        ByteBuf buf = buffer().writeByte(255);
        for (int i = 0; i < 127; i++) {
            buf.writeByte(0xC3).writeByte(0xA9);
        }
        return buf.writeByte(0xC3);
    }

    @Test
    void aShortStringThatIsNotUtf8IsReadAsOneThatFitsInAShortStringAgain() {
        String read = FieldTables.readShortString(shortStringCutInsideACodePoint());
        assertEquals("é".repeat(127) + "?", read);
        ByteBuf out = buffer();
        FieldTables.writeShortString(out, read);
        assertEquals(255, out.getUnsignedByte(0));
    }

    @Test
    void aTableKeyThatIsNotUtf8IsReadAsOneThatFitsInAShortStringAgain() {
        ByteBuf entries = buffer().writeBytes(shortStringCutInsideACodePoint()).writeByte('V');
        Map<String, Object> read = FieldTables.read(table(entries));
        assertEquals(List.of("é".repeat(127) + "?"), List.copyOf(read.keySet()));
        FieldTables.write(buffer(), read);
    }

    @Test
    void aShortStringWithAReplacementCharacterItSentIsReadAsItWas() {
        ByteBuf buf = buffer().writeByte(4).writeByte('a').writeBytes("\uFFFD".getBytes(StandardCharsets.UTF_8));
        assertEquals("a\uFFFD", FieldTables.readShortString(buf));
    }

    @Test
    void everyTypeWriteEmitsRoundTrips() {
        Map<String, Object> table = new LinkedHashMap<>();
        table.put("bool", true);
        table.put("false", false);
        table.put("byte", (byte) -5);
        table.put("short", (short) -300);
        table.put("int", Integer.MIN_VALUE);
        table.put("long", Long.MAX_VALUE);
        table.put("float", 1.5f);
        table.put("double", -2.25d);
        table.put("decimal", new BigDecimal("-123.45"));
        table.put("string", "héllo wörld");
        table.put("timestamp", new Date(1_700_000_000_000L));
        table.put("void", null);
        table.put("table", Map.of("inner", 1));
        table.put("array", List.of(1, "two", 3L));

        Map<String, Object> read = roundTrip(table);

        assertEquals(table, read);
        assertEquals(List.copyOf(table.keySet()), List.copyOf(read.keySet()), "wire order is kept");
        assertInstanceOf(Byte.class, read.get("byte"));
        assertInstanceOf(Short.class, read.get("short"));
        assertInstanceOf(Long.class, read.get("long"));
    }

    @Test
    void byteArraysRoundTrip() {
        byte[] data = {0, 1, -1, 127, -128};
        Map<String, Object> read = roundTrip(Map.of("bin", data));
        assertArrayEquals(data, (byte[]) read.get("bin"));
    }

    @Test
    void objectArraysAreWrittenAsFieldArrays() {
        Map<String, Object> read = roundTrip(Map.of("array", new Object[] {1, "x", null}));
        assertEquals(java.util.Arrays.asList(1, "x", null), read.get("array"));
    }

    @Test
    void unsignedTypesThatWriteNeverEmitAreRead() {
        ByteBuf entries = bytes(
                1, 'a', 'B', 0xFF,
                1, 'b', 'u', 0xFF, 0xFE,
                1, 'c', 'i', 0xFF, 0xFF, 0xFF, 0xFE,
                1, 'd', 'L', 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF);

        Map<String, Object> read = FieldTables.read(table(entries));

        assertEquals((short) 255, read.get("a"));
        assertEquals(65534, read.get("b"));
        assertEquals(4294967294L, read.get("c"));
        assertEquals(-1L, read.get("d"));
    }

    @Test
    void valuesAreEncodedAsTheWireFormatSays() {
        Map<String, Object> table = new LinkedHashMap<>();
        table.put("i", 1);
        table.put("s", "ab");
        table.put("d", new BigDecimal("1.5"));
        table.put("t", new Date(2000));
        ByteBuf buf = buffer();

        FieldTables.write(buf, table);

        ByteBuf expected = bytes(
                0, 0, 0, 35,
                1, 'i', 'I', 0, 0, 0, 1,
                1, 's', 'S', 0, 0, 0, 2, 'a', 'b',
                1, 'd', 'D', 1, 0, 0, 0, 15,
                1, 't', 'T', 0, 0, 0, 0, 0, 0, 0, 2);
        assertEquals(ByteBufUtil.hexDump(expected), ByteBufUtil.hexDump(buf));
    }

    @Test
    void nestedTablesAndArraysRoundTrip() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("list", List.of(List.of(1, 2), Map.of("k", "v"), List.of()));
        inner.put("empty", Map.of());
        Map<String, Object> table = Map.of("outer", inner, "arrays", List.of(List.of(List.of("deep"))));

        assertEquals(table, roundTrip(table));
    }

    @Test
    void emptyAndNullTablesAreFourZeroBytes() {
        ByteBuf empty = buffer();
        ByteBuf absent = buffer();

        FieldTables.write(empty, Map.of());
        FieldTables.write(absent, null);

        assertEquals("00000000", ByteBufUtil.hexDump(empty));
        assertEquals("00000000", ByteBufUtil.hexDump(absent));
        assertEquals(Map.of(), FieldTables.read(empty));
    }

    @Test
    void readConsumesExactlyTheTable() {
        ByteBuf buf = buffer();
        FieldTables.write(buf, Map.of("a", 1));
        buf.writeByte(0x7F);

        FieldTables.read(buf);

        assertEquals(1, buf.readableBytes());
        assertEquals(0x7F, buf.readByte());
    }

    @Test
    void theFirstOfRepeatedKeysWins() {
        ByteBuf entries = bytes(1, 'k', 'b', 1, 1, 'k', 'b', 2);
        assertEquals(Map.of("k", (byte) 1), FieldTables.read(table(entries)));
    }

    @Test
    void unknownTypeTagIsASyntaxError() {
        ByteBuf entries = bytes(3, 'f', 'o', 'o', 'Z', 0, 0, 0, 0);
        assertSyntaxError("field table: unknown field type 'Z' for key 'foo'", () -> FieldTables.read(table(entries)));
    }

    @Test
    void unknownTypeTagInsideAnArrayIsASyntaxError() {
        ByteBuf entries = bytes(1, 'a', 'A', 0, 0, 0, 3, 'b', 1, 0x01);
        assertSyntaxError("field table: unknown field type 0x01 for array item 1",
                () -> FieldTables.read(table(entries)));
    }

    @Test
    void aTableLengthPastTheEndOfTheBufferIsASyntaxError() {
        ByteBuf buf = bytes(0, 0, 0, 10, 1, 'a', 'V');
        assertSyntaxError("field table: length 10 runs past the end (3 bytes left)", () -> FieldTables.read(buf));
    }

    @Test
    void aHugeLengthIsASyntaxError() {
        ByteBuf buf = bytes(0xFF, 0xFF, 0xFF, 0xFF, 1, 'a', 'V');
        assertSyntaxError("length 4294967295 runs past the end", () -> FieldTables.read(buf));
    }

    @Test
    void aTruncatedLengthIsASyntaxError() {
        assertSyntaxError("field table: truncated length (2 bytes left)", () -> FieldTables.read(bytes(0, 0)));
    }

    @Test
    void aValueRunningPastTheEndOfItsTableIsASyntaxError() {
        // The table says 7 bytes but its long value needs 11; the buffer has plenty more after it.
        ByteBuf buf = bytes(0, 0, 0, 7, 1, 'n', 'l', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        assertSyntaxError("field table: value of key 'n' runs past the end of the table",
                () -> FieldTables.read(buf));
    }

    @Test
    void aStringLengthPastTheEndOfItsTableIsASyntaxError() {
        ByteBuf entries = bytes(1, 's', 'S', 0, 0, 1, 0, 'x');
        assertSyntaxError("field table: length 256 of key 's' runs past the end (1 bytes left)",
                () -> FieldTables.read(table(entries)));
    }

    @Test
    void aKeyRunningPastTheEndOfItsTableIsASyntaxError() {
        ByteBuf entries = bytes(9, 'a', 'b');
        assertSyntaxError("key of length 9 runs past the end of the table", () -> FieldTables.read(table(entries)));
    }

    @Test
    void aKeyWithoutATypeIsASyntaxError() {
        ByteBuf entries = bytes(1, 'a');
        assertSyntaxError("missing type for key 'a'", () -> FieldTables.read(table(entries)));
    }

    @Test
    void everyCutThroughATableIsEitherValidOrASyntaxError() {
        Map<String, Object> table = new LinkedHashMap<>();
        table.put("s", "text");
        table.put("n", Map.of("a", List.of(1, 2L, new byte[] {9}), "d", new BigDecimal("0.5")));
        table.put("t", new Date(0));
        table.put("f", 1.0f);
        ByteBuf full = buffer();
        FieldTables.write(full, table);
        ByteBuf entries = full.slice(4, full.readableBytes() - 4);

        for (int cut = 0; cut < entries.readableBytes(); cut++) {
            ByteBuf truncated = table(entries.slice(0, cut));
            try {
                FieldTables.read(truncated);
            } catch (AmqpException e) {
                assertEquals(ReplyCode.SYNTAX_ERROR, e.replyCode());
            }
        }
    }

    @Test
    void randomBytesNeverThrowAnythingButASyntaxError() {
        Random random = new Random(42);
        ByteBuf buf = buffer();
        for (int run = 0; run < 20_000; run++) {
            buf.clear();
            int length = random.nextInt(40);
            buf.writeInt(length);
            for (int i = 0; i < length; i++) {
                // Mostly small values and type tags, so parsing gets past the first entry now and then.
                buf.writeByte(random.nextBoolean() ? random.nextInt(6) : "SIFAtbBsuilfdDTxV".charAt(random.nextInt(17)));
            }
            try {
                FieldTables.read(buf);
            } catch (AmqpException e) {
                assertEquals(ReplyCode.SYNTAX_ERROR, e.replyCode());
            } catch (RuntimeException e) {
                fail("run " + run + " threw " + e);
            }
        }
    }

    @Test
    void tablesNestedTooDeeplyAreASyntaxError() {
        Map<String, Object> deepest = Map.of();
        for (int i = 0; i < FieldTables.MAX_DEPTH; i++) {
            deepest = Map.of("n", deepest);
        }
        assertEquals(deepest, roundTrip(deepest), "the maximum depth itself is fine");
        // Writing refuses to go one level deeper, so wrap it by hand.
        ByteBuf deep = buffer();
        FieldTables.write(deep, deepest);
        ByteBuf wrapped = buffer().writeInt(deep.readableBytes() + 3).writeByte(1).writeByte('n').writeByte('F')
                .writeBytes(deep);

        assertSyntaxError("nested more than", () -> FieldTables.read(wrapped));
    }

    @Test
    void aTableContainingItselfCannotBeWritten() {
        Map<String, Object> table = new LinkedHashMap<>();
        table.put("self", table);
        assertThrows(IllegalArgumentException.class, () -> FieldTables.write(buffer(), table));
    }

    @Test
    void unsupportedValueTypesCannotBeWritten() {
        assertThrows(IllegalArgumentException.class, () -> FieldTables.write(buffer(), Map.of("c", 'c')));
        assertThrows(IllegalArgumentException.class, () -> FieldTables.write(buffer(), Map.of("o", new Object())));
    }

    @Test
    void decimalsOutsideTheWireRangeCannotBeWritten() {
        assertThrows(IllegalArgumentException.class,
                () -> FieldTables.write(buffer(), Map.of("d", new BigDecimal("1E+3"))));
        assertThrows(IllegalArgumentException.class,
                () -> FieldTables.write(buffer(), Map.of("d", new BigDecimal("4294967296"))));
    }

    @Test
    void shortStringsRoundTripIncludingNonAscii() {
        ByteBuf buf = buffer();
        FieldTables.writeShortString(buf, "amq.gen-abc");
        FieldTables.writeShortString(buf, "ćwierć 🐇");
        FieldTables.writeShortString(buf, "");

        assertEquals("amq.gen-abc", FieldTables.readShortString(buf));
        assertEquals("ćwierć 🐇", FieldTables.readShortString(buf));
        assertEquals("", FieldTables.readShortString(buf));
        assertEquals(0, buf.readableBytes());
    }

    @Test
    void shortStringsAreReadFromDirectBuffersToo() {
        ByteBuf direct = Unpooled.directBuffer();
        allocated.add(direct);
        FieldTables.writeShortString(direct, "zażółć");
        assertEquals("zażółć", FieldTables.readShortString(direct));
    }

    @Test
    void anUnpairedSurrogateIsWrittenAsAQuestionMarkWithAMatchingLength() {
        ByteBuf buf = buffer();
        FieldTables.writeShortString(buf, "a\uD800b");
        assertEquals(3, buf.getUnsignedByte(0));
        assertEquals("a?b", FieldTables.readShortString(buf));
    }

    @Test
    void shortStringsAreLimitedTo255BytesOfUtf8() {
        FieldTables.writeShortString(buffer(), "a".repeat(255));
        assertThrows(IllegalArgumentException.class, () -> FieldTables.writeShortString(buffer(), "a".repeat(256)));
        // 128 characters, but 256 bytes of UTF-8.
        assertThrows(IllegalArgumentException.class, () -> FieldTables.writeShortString(buffer(), "é".repeat(128)));
    }

    @Test
    void aShortStringLengthPastTheEndIsASyntaxError() {
        assertSyntaxError("short string: length 5 runs past the end of the buffer (2 bytes left)",
                () -> FieldTables.readShortString(bytes(5, 'a', 'b')));
        assertSyntaxError("short string: missing length", () -> FieldTables.readShortString(bytes()));
    }

    @Test
    void longStringsRoundTripAndCheckTheirLength() {
        ByteBuf buf = buffer();
        FieldTables.writeLongString(buf, "x".repeat(1000) + "ü");
        assertEquals(4 + 1002, buf.readableBytes());
        assertEquals("x".repeat(1000) + "ü", FieldTables.readLongString(buf));

        assertSyntaxError("long string: length 3 runs past the end (1 bytes left)",
                () -> FieldTables.readLongString(bytes(0, 0, 0, 3, 'a')));
    }

    @Test
    void invalidUtf8IsDecodedLeniently() {
        ByteBuf buf = bytes(2, 0xC3, 0x28);
        assertEquals("\uFFFD(", FieldTables.readShortString(buf));
    }

    @Test
    void booleansAreTrueForAnyNonZeroByte() {
        ByteBuf entries = bytes(1, 't', 't', 2, 1, 'v', 'V');
        Map<String, Object> read = FieldTables.read(table(entries));
        assertEquals(true, read.get("t"));
        assertTrue(read.containsKey("v"));
        assertNull(read.get("v"));
    }
}
