package dev.warren.core.message;

import dev.warren.core.AmqpException;
import dev.warren.core.ReplyCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BasicPropertiesTest {
    private static final Map<String, Object> HEADERS = headers();
    private static final BasicProperties FULL = new BasicProperties(
            "application/json", "gzip", HEADERS, 2, 9, "corr-1", "amq.rabbitmq.reply-to", "60000", "msg-1",
            new Date(1_700_000_000_000L), "order.created", "guest", "shop", "cluster-a");

    private final List<ByteBuf> allocated = new ArrayList<>();

    private static Map<String, Object> headers() {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("x-match", "all");
        headers.put("count", 3);
        headers.put("nested", Map.of("k", List.of(1L, "v")));
        return headers;
    }

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

    private ByteBuf encode(BasicProperties properties) {
        ByteBuf buf = buffer();
        properties.encode(buf);
        return buf;
    }

    private ByteBuf bytes(int... values) {
        ByteBuf buf = buffer();
        for (int value : values) {
            buf.writeByte(value);
        }
        return buf;
    }

    private static void assertSyntaxError(Runnable action) {
        AmqpException e = assertThrows(AmqpException.class, action::run);
        assertEquals(ReplyCode.SYNTAX_ERROR, e.replyCode());
    }

    /** FULL with only property {@code keep} (0-based, spec order) present. */
    private static BasicProperties onlyProperty(int keep) {
        Object[] v = {
            FULL.contentType(), FULL.contentEncoding(), FULL.headers(), FULL.deliveryMode(), FULL.priority(),
            FULL.correlationId(), FULL.replyTo(), FULL.expiration(), FULL.messageId(), FULL.timestamp(),
            FULL.type(), FULL.userId(), FULL.appId(), FULL.clusterId()
        };
        for (int i = 0; i < v.length; i++) {
            if (i != keep) {
                v[i] = null;
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> headers = (Map<String, Object>) v[2];
        return new BasicProperties((String) v[0], (String) v[1], headers, (Integer) v[3], (Integer) v[4],
                (String) v[5], (String) v[6], (String) v[7], (String) v[8], (Date) v[9], (String) v[10],
                (String) v[11], (String) v[12], (String) v[13]);
    }

    @Test
    void allFourteenPropertiesRoundTrip() {
        ByteBuf buf = encode(FULL);

        assertEquals(0xFFFC, buf.getUnsignedShort(0), "flag bits 15 down to 2");
        assertEquals(FULL, BasicProperties.decode(buf));
        assertEquals(0, buf.readableBytes());
    }

    @Test
    void eachPropertyAloneRoundTripsWithItsOwnFlagBit() {
        for (int i = 0; i < 14; i++) {
            BasicProperties properties = onlyProperty(i);
            ByteBuf buf = encode(properties);

            assertEquals(1 << (15 - i), buf.getUnsignedShort(0), "flag of property " + i);
            assertEquals(properties, BasicProperties.decode(buf), "property " + i);
            assertEquals(0, buf.readableBytes());
        }
    }

    @Test
    void everyOtherPropertyPresentRoundTrips() {
        BasicProperties odd = new BasicProperties(null, "gzip", null, 1, null, "c", null, "5", null,
                new Date(0), null, "u", null, "cl");
        BasicProperties even = new BasicProperties("text/plain", null, Map.of(), null, 0, null, "r", null,
                "m", null, "t", null, "a", null);

        assertEquals(odd, BasicProperties.decode(encode(odd)));
        assertEquals(even, BasicProperties.decode(encode(even)));
    }

    @Test
    void emptyPropertiesAreAZeroFlagsWord() {
        ByteBuf buf = encode(BasicProperties.EMPTY);

        assertEquals("0000", ByteBufUtil.hexDump(buf));
        assertEquals(BasicProperties.EMPTY, BasicProperties.decode(buf));
    }

    @Test
    void handBuiltBytesDecodeAsTheSpecSays() {
        // content-type "text/plain", delivery-mode 2, timestamp 1 second.
        ByteBuf buf = bytes(0x90, 0x40, 10, 't', 'e', 'x', 't', '/', 'p', 'l', 'a', 'i', 'n', 2,
                0, 0, 0, 0, 0, 0, 0, 1);

        BasicProperties properties = BasicProperties.decode(buf);

        assertEquals("text/plain", properties.contentType());
        assertEquals(2, properties.deliveryMode());
        assertEquals(new Date(1000), properties.timestamp());
        assertNull(properties.headers());
        assertNull(properties.priority());
    }

    @Test
    void continuationFlagWordsAreSkipped() {
        // delivery-mode with the continuation bit set, then an extra flags word that announces nothing.
        ByteBuf buf = bytes(0x10, 0x01, 0x00, 0x00, 2);

        assertEquals(2, BasicProperties.decode(buf).deliveryMode());
        assertEquals(0, buf.readableBytes());
        buf.readerIndex(0);
        assertEquals(2, BasicProperties.deliveryMode(buf));
    }

    @Test
    void decodeLeavesBytesAfterThePropertiesUnread() {
        ByteBuf buf = encode(FULL).writeByte(0x55);

        BasicProperties.decode(buf);

        assertEquals(1, buf.readableBytes());
    }

    @Test
    void everyTruncationOfEncodedPropertiesIsASyntaxError() {
        ByteBuf full = encode(FULL);
        for (int length = 0; length < full.readableBytes(); length++) {
            ByteBuf truncated = full.slice(0, length);
            assertSyntaxError(() -> BasicProperties.decode(truncated));
        }
    }

    @Test
    void aMissingOctetPropertyNamesTheProperty() {
        AmqpException e = assertThrows(AmqpException.class, () -> BasicProperties.decode(bytes(0x08, 0x00)));
        assertEquals(ReplyCode.SYNTAX_ERROR, e.replyCode());
        assertTrue(e.getMessage().contains("basic properties: priority runs past the end"), e.getMessage());
    }

    @Test
    void deliveryModePeekSkipsEarlierPropertiesAndLeavesTheReaderIndex() {
        ByteBuf buf = buffer().writeBytes(new byte[] {1, 2, 3});
        FULL.encode(buf);
        buf.readerIndex(3);

        assertEquals(2, BasicProperties.deliveryMode(buf));
        assertEquals(3, buf.readerIndex());
    }

    @Test
    void deliveryModePeekIsZeroWhenAbsent() {
        BasicProperties noMode = new BasicProperties("text/plain", null, HEADERS, null, 5, null, null, null,
                null, null, null, null, null, null);
        ByteBuf buf = encode(noMode);

        assertEquals(0, BasicProperties.deliveryMode(buf));
        assertEquals(0, BasicProperties.deliveryMode(encode(BasicProperties.EMPTY)));
        assertEquals(0, buf.readerIndex());
    }

    @Test
    void deliveryModePeekOfTruncatedPropertiesIsASyntaxError() {
        ByteBuf full = encode(FULL);
        // Cut inside the headers table, before the delivery mode.
        ByteBuf truncated = full.slice(0, 2 + 1 + "application/json".length() + 1 + "gzip".length() + 6);

        assertSyntaxError(() -> BasicProperties.deliveryMode(truncated));
        assertSyntaxError(() -> BasicProperties.deliveryMode(bytes(0x10)));
        assertSyntaxError(() -> BasicProperties.deliveryMode(bytes(0x10, 0x00)));
    }

    @Test
    void expirationPeekOfAnExpirationRunningPastTheEndIsASyntaxError() {
        assertSyntaxError(() -> BasicProperties.expiration(bytes(0x01, 0x00, 5, '1')));
        assertSyntaxError(() -> BasicProperties.expiration(bytes(0x01, 0x00)));
        assertEquals("1", BasicProperties.expiration(bytes(0x01, 0x00, 1, '1')));
    }

    @Test
    void headersPeekReturnsTheHeadersAndLeavesTheReaderIndex() {
        ByteBuf buf = encode(FULL);

        assertEquals(HEADERS, BasicProperties.headers(buf));
        assertEquals(0, buf.readerIndex());
    }

    @Test
    void headersPeekIsNullWhenAbsent() {
        ByteBuf buf = encode(onlyProperty(3));

        assertNull(BasicProperties.headers(buf));
        assertEquals(0, buf.readerIndex());
    }

    @Test
    void headersPeekOfATableRunningPastTheEndIsASyntaxError() {
        ByteBuf buf = bytes(0x20, 0x00, 0, 0, 0, 9, 1, 'a', 'V');
        assertSyntaxError(() -> BasicProperties.headers(buf));
    }

    @Test
    void octetPropertiesOutOfRangeAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new BasicProperties(null, null, null, 256, null,
                null, null, null, null, null, null, null, null, null));
        assertThrows(IllegalArgumentException.class, () -> new BasicProperties(null, null, null, null, -1,
                null, null, null, null, null, null, null, null, null));
    }
}
