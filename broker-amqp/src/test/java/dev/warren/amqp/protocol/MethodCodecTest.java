package dev.warren.amqp.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.core.AmqpException;
import dev.warren.core.ReplyCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class MethodCodecTest {

    static Stream<MethodSpec> everyMethod() {
        return Methods.all().stream();
    }

    @Test
    void theTableHoldsEveryMethodOfTheProtocolAndRabbitMqsExtensions() {
        assertEquals(66, Methods.all().size());
        assertEquals(Methods.BASIC_NACK, Methods.lookup(60, 120));
        assertEquals(Methods.CONFIRM_SELECT, Methods.lookup(85, 10));
        assertEquals(Methods.EXCHANGE_UNBIND_OK, Methods.lookup(40, 51));
        assertEquals(Methods.CONNECTION_UPDATE_SECRET, Methods.lookup(10, 70));
        assertEquals(null, Methods.lookup(60, 121));
        assertEquals(null, Methods.lookup(999, 10));
    }

    @ParameterizedTest
    @MethodSource("everyMethod")
    void everyMethodRoundTripsWithNonDefaultValues(MethodSpec spec) {
        Object[] values = new Object[spec.fields().size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = sample(spec.fields().get(i).type(), i);
        }
        Method decoded = roundTrip(spec.with(values));
        assertEquals(spec, decoded.spec());
        for (int i = 0; i < values.length; i++) {
            FieldSpec field = spec.fields().get(i);
            Object actual = decoded.get(field.name());
            if (values[i] instanceof byte[] bytes) {
                assertArrayEquals(bytes, (byte[]) actual, field.name());
            } else {
                assertEquals(values[i], actual, spec.name() + "." + field.name());
            }
        }
    }

    @Test
    void consecutiveBitsShareOneOctetInWireOrder() {
        Method declare = Methods.QUEUE_DECLARE.with(0, "q", true, false, true, false, true, Map.of());
        ByteBuf out = Unpooled.buffer();
        try {
            MethodCodec.encode(out, declare);
            // class, method, ticket(2), shortstr "q" (2), then one octet of bits: passive, -, exclusive, -, nowait
            assertEquals(4 + 2 + 2 + 1 + 4, out.readableBytes());
            assertEquals(0b10101, out.getUnsignedByte(8));
        } finally {
            out.release();
        }
    }

    @Test
    void unknownMethodIsNotImplemented() {
        ByteBuf payload = Unpooled.buffer().writeShort(60).writeShort(99);
        try {
            AmqpException e = assertThrows(AmqpException.class, () -> MethodCodec.decode(payload));
            assertEquals(ReplyCode.NOT_IMPLEMENTED, e.replyCode());
            assertTrue(e.replyText().contains("class 60, method 99"), e.replyText());
        } finally {
            payload.release();
        }
    }

    @Test
    void truncatedFieldsAreAFrameErrorAsInRabbitMq() {
        ByteBuf payload = Unpooled.buffer().writeShort(50).writeShort(10).writeShort(0).writeByte(5).writeBytes("ab".getBytes());
        try {
            AmqpException e = assertThrows(AmqpException.class, () -> MethodCodec.decode(payload));
            assertEquals(ReplyCode.FRAME_ERROR, e.replyCode());
            assertEquals(50, e.classId());
            assertEquals(10, e.methodId());
            assertFalse(e.replyText().contains("Exception"), e.replyText());
        } finally {
            payload.release();
        }
    }

    private static Method roundTrip(Method method) {
        ByteBuf out = Unpooled.buffer();
        try {
            MethodCodec.encode(out, method);
            return MethodCodec.decode(out);
        } finally {
            out.release();
        }
    }

    private static Object sample(FieldType type, int index) {
        return switch (type) {
            case BIT -> index % 2 == 0;
            case OCTET -> 200;
            case SHORT -> 65000 - index;
            case LONG -> 4_000_000_000L + index;
            case LONGLONG, TIMESTAMP -> Long.MAX_VALUE - index;
            case SHORTSTR -> "field-" + index + "-ünïcode";
            case LONGSTR -> new byte[] {0, 1, 2, (byte) index};
            case TABLE -> {
                Map<String, Object> table = new LinkedHashMap<>();
                table.put("s", "text");
                table.put("i", 42);
                table.put("nested", Map.of("b", true));
                table.put("list", List.of(1L, "two"));
                yield table;
            }
        };
    }
}
