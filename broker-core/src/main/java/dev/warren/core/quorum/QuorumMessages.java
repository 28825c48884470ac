package dev.warren.core.quorum;

import dev.warren.core.message.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A published message as a quorum queue's log holds it (the opaque bytes of an {@link QuorumCommand.Enqueue}):
 * exchange, routing key, arrival time, the property bytes as the publisher sent them, and the body.
 */
public final class QuorumMessages {
    private QuorumMessages() {
    }

    public static byte[] encode(Message message) {
        byte[] exchange = message.exchange().getBytes(StandardCharsets.UTF_8);
        byte[] routingKey = message.routingKey().getBytes(StandardCharsets.UTF_8);
        ByteBuf properties = message.properties();
        ByteBuf body = message.body();
        int propertiesSize = properties.readableBytes();
        int bodySize = body.readableBytes();
        ByteBuffer out = ByteBuffer.allocate(1 + exchange.length + 1 + routingKey.length + Long.BYTES + Integer.BYTES
                + propertiesSize + bodySize);
        out.put((byte) exchange.length).put(exchange).put((byte) routingKey.length).put(routingKey);
        out.putLong(message.arrivedAt()).putInt(propertiesSize);
        properties.getBytes(properties.readerIndex(), out.array(), out.position(), propertiesSize);
        out.position(out.position() + propertiesSize);
        body.getBytes(body.readerIndex(), out.array(), out.position(), bodySize);
        return out.array();
    }

    /** The message the bytes hold; its buffers wrap {@code bytes} (no copy). */
    public static Message decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        String exchange = string(in);
        String routingKey = string(in);
        long arrivedAt = in.getLong();
        int propertiesSize = in.getInt();
        ByteBuf properties = Unpooled.wrappedBuffer(bytes, in.position(), propertiesSize);
        int bodyAt = in.position() + propertiesSize;
        ByteBuf body = Unpooled.wrappedBuffer(bytes, bodyAt, bytes.length - bodyAt);
        return new Message(exchange, routingKey, properties, body, arrivedAt);
    }

    /** The size of the body the bytes hold (what length limits in bytes count), without decoding the rest. */
    public static int bodySize(byte[] bytes) {
        int routingKeyAt = 1 + (bytes[0] & 0xFF);
        int propertiesSizeAt = routingKeyAt + 1 + (bytes[routingKeyAt] & 0xFF) + Long.BYTES;
        int propertiesSize = ByteBuffer.wrap(bytes, propertiesSizeAt, Integer.BYTES).getInt();
        return bytes.length - (propertiesSizeAt + Integer.BYTES + propertiesSize);
    }

    private static String string(ByteBuffer in) {
        int length = in.get() & 0xFF; // exchange names and routing keys are AMQP short strings (at most 255 bytes)
        String value = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        return value;
    }
}
