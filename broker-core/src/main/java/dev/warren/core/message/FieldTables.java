package dev.warren.core.message;

import dev.warren.core.AmqpException;
import dev.warren.core.ReplyCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes AMQP 0-9-1 field tables, and the short and long strings they are built from, with the
 * type tags RabbitMQ and its clients use (the 0-9-1 errata set, not the original spec's).
 *
 * <p>A table is a 4-byte unsigned length followed by that many bytes of entries; an entry is a short-string
 * key, a 1-byte type tag and the value. Reading first takes the whole table as a slice of {@code in}, so a
 * value can never run past its table unnoticed, and every read is preceded by a bounds check: malformed
 * input is a {@link ReplyCode#SYNTAX_ERROR}, never an {@link IndexOutOfBoundsException}. Writing reserves
 * the length word and fills it in once the entries are written.
 *
 * <p>Java types: {@code t} Boolean, {@code b} Byte, {@code B} Short, {@code s} Short, {@code u} Integer,
 * {@code I} Integer, {@code i} Long, {@code l}/{@code L} Long, {@code f} Float, {@code d} Double, {@code D}
 * BigDecimal, {@code S} String, {@code x} byte[], {@code T} Date, {@code F} Map, {@code A} List, {@code V}
 * null. Writing never emits {@code B}, {@code u}, {@code i} or {@code L}.
 */
public final class FieldTables {
    private static final ShortStringCache SHORT_STRINGS = new ShortStringCache();
    /** Tables and arrays nested deeper than this are rejected rather than risking a stack overflow. */
    static final int MAX_DEPTH = 100;

    private FieldTables() {
    }

    /** Reads a field table into a map that keeps the wire order. Of repeated keys, the first wins. */
    public static Map<String, Object> read(ByteBuf in) {
        return readTable(in, null, -1, 0);
    }

    /** Writes a field table; a null table is written as an empty one. */
    public static void write(ByteBuf out, Map<String, ?> table) {
        writeTable(out, table, 0);
    }

    /** Reads a short string: a 1-byte length, then that many bytes of UTF-8 (decoded leniently). */
    public static String readShortString(ByteBuf in) {
        if (!in.isReadable()) {
            throw syntaxError("short string: missing length (end of buffer)");
        }
        int length = in.readUnsignedByte();
        if (length > in.readableBytes()) {
            throw syntaxError("short string: length " + length + " runs past the end of the buffer ("
                    + in.readableBytes() + " bytes left)");
        }
        String cached = SHORT_STRINGS.read(in, length);
        return cached != null ? cached : readShortUtf8(in, length);
    }

    /**
     * Writes a short string.
     *
     * @throws IllegalArgumentException if its UTF-8 form is longer than 255 bytes
     */
    public static void writeShortString(ByteBuf out, String s) {
        // A char never encodes to fewer than one byte, so this cheap check rejects most long strings early.
        int length = s.length() > 255 ? 256 : ByteBufUtil.utf8Bytes(s);
        if (length > 255) {
            throw new IllegalArgumentException("short string too long: more than 255 bytes of UTF-8: "
                    + s.substring(0, Math.min(s.length(), 40)) + "...");
        }
        out.writeByte(length);
        ByteBufUtil.writeUtf8(out, s);
    }

    /** Reads a long string: a 4-byte unsigned length, then that many bytes of UTF-8 (decoded leniently). */
    public static String readLongString(ByteBuf in) {
        return readUtf8(in, readLength(in, "long string", null, -1));
    }

    /** Writes a long string: a 4-byte length, then the UTF-8 bytes. */
    public static void writeLongString(ByteBuf out, String s) {
        int lengthIndex = out.writerIndex();
        out.writeInt(0);
        int length = ByteBufUtil.writeUtf8(out, s);
        out.setInt(lengthIndex, length);
    }

    /** Reads a table; {@code key} and {@code index} say where it is nested, for error messages only. */
    private static Map<String, Object> readTable(ByteBuf in, String key, int index, int depth) {
        ByteBuf table = in.readSlice(readLength(in, "field table", key, index));
        checkDepth(depth);
        Map<String, Object> result = new LinkedHashMap<>();
        while (table.isReadable()) {
            int keyLength = table.readUnsignedByte();
            if (keyLength > table.readableBytes()) {
                throw syntaxError("field table: key of length " + keyLength + " runs past the end of the table");
            }
            String entryKey = readShortUtf8(table, keyLength);
            if (!table.isReadable()) {
                throw syntaxError("field table: missing type for key '" + entryKey + "'");
            }
            Object value = readValue(table, table.readUnsignedByte(), entryKey, -1, depth);
            result.putIfAbsent(entryKey, value);
        }
        return result;
    }

    private static List<Object> readArray(ByteBuf in, String key, int index, int depth) {
        ByteBuf array = in.readSlice(readLength(in, "field table", key, index));
        checkDepth(depth);
        List<Object> result = new ArrayList<>();
        while (array.isReadable()) {
            result.add(readValue(array, array.readUnsignedByte(), null, result.size(), depth));
        }
        return result;
    }

    /** Reads one value of the given type, found under {@code key} or at {@code index} of an array. */
    private static Object readValue(ByteBuf in, int type, String key, int index, int depth) {
        switch (type) {
            case 'S':
                return readUtf8(in, readLength(in, "field table", key, index));
            case 'I':
                return need(in, 4, key, index).readInt();
            case 'F':
                return readTable(in, key, index, depth + 1);
            case 'A':
                return readArray(in, key, index, depth + 1);
            case 't':
                return need(in, 1, key, index).readByte() != 0;
            case 'b':
                return need(in, 1, key, index).readByte();
            case 'B':
                return need(in, 1, key, index).readUnsignedByte();
            case 's':
                return need(in, 2, key, index).readShort();
            case 'u':
                return need(in, 2, key, index).readUnsignedShort();
            case 'i':
                return need(in, 4, key, index).readUnsignedInt();
            case 'l':
            case 'L': // RabbitMQ reads 'L' as a signed 64-bit integer too, so some clients send it
                return need(in, 8, key, index).readLong();
            case 'f':
                return need(in, 4, key, index).readFloat();
            case 'd':
                return need(in, 8, key, index).readDouble();
            case 'D': {
                int scale = need(in, 5, key, index).readUnsignedByte();
                return BigDecimal.valueOf(in.readInt(), scale);
            }
            case 'T':
                return new Date(need(in, 8, key, index).readLong() * 1000);
            case 'x': {
                byte[] bytes = new byte[readLength(in, "field table", key, index)];
                in.readBytes(bytes);
                return bytes;
            }
            case 'V':
                return null;
            default:
                throw syntaxError("field table: unknown field type " + describeType(type) + " for "
                        + (key != null ? "key '" + key + "'" : "array item " + index));
        }
    }

    private static void writeTable(ByteBuf out, Map<?, ?> table, int depth) {
        checkWriteDepth(depth);
        int lengthIndex = out.writerIndex();
        out.writeInt(0);
        if (table != null) {
            for (Map.Entry<?, ?> entry : table.entrySet()) {
                if (!(entry.getKey() instanceof String key)) {
                    throw new IllegalArgumentException("field table keys must be strings, got: " + entry.getKey());
                }
                writeShortString(out, key);
                writeValue(out, entry.getValue(), depth);
            }
        }
        out.setInt(lengthIndex, out.writerIndex() - lengthIndex - 4);
    }

    private static void writeArray(ByteBuf out, Iterable<?> items, int depth) {
        checkWriteDepth(depth);
        int lengthIndex = out.writerIndex();
        out.writeInt(0);
        for (Object item : items) {
            writeValue(out, item, depth);
        }
        out.setInt(lengthIndex, out.writerIndex() - lengthIndex - 4);
    }

    private static void writeValue(ByteBuf out, Object value, int depth) {
        if (value instanceof String s) {
            out.writeByte('S');
            writeLongString(out, s);
        } else if (value instanceof Integer i) {
            out.writeByte('I').writeInt(i);
        } else if (value instanceof Long l) {
            out.writeByte('l').writeLong(l);
        } else if (value instanceof Boolean b) {
            out.writeByte('t').writeByte(b ? 1 : 0);
        } else if (value instanceof Map<?, ?> map) {
            out.writeByte('F');
            writeTable(out, map, depth + 1);
        } else if (value instanceof List<?> list) {
            out.writeByte('A');
            writeArray(out, list, depth + 1);
        } else if (value instanceof Object[] array) {
            out.writeByte('A');
            writeArray(out, Arrays.asList(array), depth + 1);
        } else if (value instanceof byte[] bytes) {
            out.writeByte('x').writeInt(bytes.length).writeBytes(bytes);
        } else if (value instanceof Date date) {
            out.writeByte('T').writeLong(Math.floorDiv(date.getTime(), 1000L));
        } else if (value instanceof BigDecimal decimal) {
            writeDecimal(out, decimal);
        } else if (value instanceof Byte b) {
            out.writeByte('b').writeByte(b);
        } else if (value instanceof Short s) {
            out.writeByte('s').writeShort(s);
        } else if (value instanceof Float f) {
            out.writeByte('f').writeFloat(f);
        } else if (value instanceof Double d) {
            out.writeByte('d').writeDouble(d);
        } else if (value == null) {
            out.writeByte('V');
        } else {
            throw new IllegalArgumentException("field table: unsupported value type " + value.getClass().getName());
        }
    }

    private static void writeDecimal(ByteBuf out, BigDecimal decimal) {
        if (decimal.scale() < 0 || decimal.scale() > 255) {
            throw new IllegalArgumentException("decimal scale must be 0..255, was " + decimal.scale() + ": " + decimal);
        }
        BigInteger unscaled = decimal.unscaledValue();
        if (unscaled.bitLength() > 31) {
            throw new IllegalArgumentException("decimal unscaled value does not fit in 32 bits: " + decimal);
        }
        out.writeByte('D').writeByte(decimal.scale()).writeInt(unscaled.intValue());
    }

    /** Reads a 4-byte unsigned length and checks that that many bytes follow. */
    private static int readLength(ByteBuf in, String what, String key, int index) {
        if (in.readableBytes() < 4) {
            throw syntaxError(what + ": truncated length" + describe(key, index)
                    + " (" + in.readableBytes() + " bytes left)");
        }
        long length = in.readUnsignedInt();
        if (length > in.readableBytes()) {
            throw syntaxError(what + ": length " + length + describe(key, index) + " runs past the end ("
                    + in.readableBytes() + " bytes left)");
        }
        return (int) length;
    }

    private static ByteBuf need(ByteBuf in, int bytes, String key, int index) {
        if (in.readableBytes() < bytes) {
            throw syntaxError("field table: value" + describe(key, index) + " runs past the end of the table");
        }
        return in;
    }

    /**
     * Decodes {@code length} bytes as UTF-8 without an intermediate copy when the buffer is heap-backed.
     * The JDK's UTF-8 decoder already takes a fast path for pure-ASCII input.
     */
    private static String readUtf8(ByteBuf in, int length) {
        if (length == 0) {
            return "";
        }
        String s;
        if (in.hasArray()) {
            s = new String(in.array(), in.arrayOffset() + in.readerIndex(), length, StandardCharsets.UTF_8);
        } else {
            s = in.toString(in.readerIndex(), length, StandardCharsets.UTF_8);
        }
        in.skipBytes(length);
        return s;
    }

    /**
     * Decodes a short string so that it always fits in a short string again. Bytes that are not UTF-8 become
     * U+FFFD, three bytes for what may have been one, so a long name with a few of them (a client that does
     * not send UTF-8, a name cut inside a code point) could grow past 255 bytes and fail when the broker
     * writes it back in a basic.return, a deliver or a declare-ok. Such a string alone is decoded again with
     * each malformed sequence as '?': never longer than the bytes it came from.
     */
    private static String readShortUtf8(ByteBuf in, int length) {
        int start = in.readerIndex();
        String s = readUtf8(in, length);
        if (s.length() <= 255 / 3 || s.indexOf('\uFFFD') < 0 || ByteBufUtil.utf8Bytes(s) <= 255) {
            return s;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .replaceWith("?")
                    .decode(in.nioBuffer(start, length))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("a replacing decoder does not throw", e);
        }
    }

    private static void checkDepth(int depth) {
        if (depth > MAX_DEPTH) {
            throw syntaxError("field table: tables and arrays nested more than " + MAX_DEPTH + " deep");
        }
    }

    private static void checkWriteDepth(int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("field table: nested more than " + MAX_DEPTH
                    + " deep (or contains itself)");
        }
    }

    /** Where a value sits, for error messages: " of key 'foo'", " of array item 2", or nothing. */
    private static String describe(String key, int index) {
        if (key != null) {
            return " of key '" + key + "'";
        }
        return index >= 0 ? " of array item " + index : "";
    }

    private static String describeType(int type) {
        return type >= 0x21 && type <= 0x7e ? "'" + (char) type + "'" : String.format("0x%02x", type);
    }

    private static AmqpException syntaxError(String detail) {
        return new AmqpException(ReplyCode.SYNTAX_ERROR, detail);
    }
}
