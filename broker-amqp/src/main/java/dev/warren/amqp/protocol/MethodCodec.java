package dev.warren.amqp.protocol;

import dev.warren.core.AmqpException;
import dev.warren.core.ReplyCode;
import dev.warren.core.message.FieldTables;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Decodes and encodes method-frame payloads (class id, method id, fields) by walking a method's field
 * definitions from {@link Methods}. No method has hand-written parsing.
 */
public final class MethodCodec {

    private MethodCodec() {
    }

    /**
     * Decodes a method-frame payload. An unknown class or method id is NOT_IMPLEMENTED (540); a payload that
     * ends early cannot be decoded, FRAME_ERROR (501) as in RabbitMQ; a malformed field table is SYNTAX_ERROR (502).
     */
    public static Method decode(ByteBuf payload) {
        if (payload.readableBytes() < 4) {
            throw new AmqpException(ReplyCode.FRAME_ERROR, "method frame too short: " + payload.readableBytes() + " bytes");
        }
        int classId = payload.readUnsignedShort();
        int methodId = payload.readUnsignedShort();
        MethodSpec spec = Methods.lookup(classId, methodId);
        if (spec == null) {
            throw new AmqpException(ReplyCode.NOT_IMPLEMENTED,
                    "unknown method: class " + classId + ", method " + methodId, classId, methodId);
        }
        try {
            return spec.with(readFields(payload, spec.fields()));
        } catch (IndexOutOfBoundsException e) {
            throw new AmqpException(ReplyCode.FRAME_ERROR,
                    "method " + spec.name() + " ends before all its fields were read", classId, methodId);
        } catch (AmqpException e) {
            throw e.withMethod(classId, methodId);
        }
    }

    private static Object[] readFields(ByteBuf in, List<FieldSpec> fields) {
        Object[] values = new Object[fields.size()];
        int bits = 0;
        int bitIndex = 8; // 8 means: the next BIT field starts a new octet
        for (int i = 0; i < values.length; i++) {
            FieldType type = fields.get(i).type();
            if (type == FieldType.BIT) {
                if (bitIndex == 8) {
                    bits = in.readUnsignedByte();
                    bitIndex = 0;
                }
                values[i] = (bits & (1 << bitIndex++)) != 0;
                continue;
            }
            bitIndex = 8;
            values[i] = switch (type) {
                case OCTET -> (int) in.readUnsignedByte();
                case SHORT -> in.readUnsignedShort();
                case LONG -> in.readUnsignedInt();
                case LONGLONG, TIMESTAMP -> in.readLong();
                case SHORTSTR -> readShortString(in);
                case LONGSTR -> readLongBytes(in);
                case TABLE -> FieldTables.read(in);
                case BIT -> throw new IllegalStateException();
            };
        }
        return values;
    }

    private static String readShortString(ByteBuf in) {
        int length = in.getUnsignedByte(in.readerIndex());
        if (length >= in.readableBytes()) {
            throw new IndexOutOfBoundsException("short string runs past the frame");
        }
        return FieldTables.readShortString(in);
    }

    private static byte[] readLongBytes(ByteBuf in) {
        long length = in.readUnsignedInt();
        if (length > in.readableBytes()) {
            throw new AmqpException(ReplyCode.FRAME_ERROR, "long string of " + length + " bytes runs past the frame");
        }
        byte[] bytes = new byte[(int) length];
        in.readBytes(bytes);
        return bytes;
    }

    /** Writes a method's class id, method id and fields. */
    public static void encode(ByteBuf out, Method method) {
        MethodSpec spec = method.spec();
        out.writeShort(spec.classId());
        out.writeShort(spec.methodId());
        List<FieldSpec> fields = spec.fields();
        int bits = 0;
        int bitIndex = -1; // -1: no bit octet open
        for (int i = 0; i < fields.size(); i++) {
            FieldType type = fields.get(i).type();
            Object value = method.value(i);
            if (type == FieldType.BIT) {
                if (bitIndex == 8) {
                    out.writeByte(bits);
                    bitIndex = -1;
                }
                if (bitIndex == -1) {
                    bits = 0;
                    bitIndex = 0;
                }
                if (Boolean.TRUE.equals(value)) {
                    bits |= 1 << bitIndex;
                }
                bitIndex++;
                continue;
            }
            if (bitIndex != -1) {
                out.writeByte(bits);
                bitIndex = -1;
            }
            writeField(out, type, value);
        }
        if (bitIndex != -1) {
            out.writeByte(bits);
        }
    }

    @SuppressWarnings("unchecked")
    private static void writeField(ByteBuf out, FieldType type, Object value) {
        switch (type) {
            case OCTET -> out.writeByte(number(value).intValue());
            case SHORT -> out.writeShort(number(value).intValue());
            case LONG -> out.writeInt((int) number(value).longValue());
            case LONGLONG, TIMESTAMP -> out.writeLong(number(value).longValue());
            case SHORTSTR -> FieldTables.writeShortString(out, value == null ? "" : (String) value);
            case LONGSTR -> {
                byte[] bytes = value instanceof String s ? s.getBytes(StandardCharsets.UTF_8)
                        : value == null ? new byte[0] : (byte[]) value;
                out.writeInt(bytes.length);
                out.writeBytes(bytes);
            }
            case TABLE -> FieldTables.write(out, (Map<String, ?>) value);
            case BIT -> throw new IllegalStateException();
        }
    }

    private static Number number(Object value) {
        return value == null ? 0 : (Number) value;
    }
}
