package dev.warren.core;

import dev.warren.core.message.BasicProperties;
import dev.warren.core.message.Message;
import io.netty.buffer.ByteBuf;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code x-delivery-count} header of a queue with a delivery limit: how many times the message came
 * back from consumers before this delivery, as RabbitMQ's quorum queues report it (on every redelivery,
 * and on every basic.get, 0 the first time).
 * Stamped on the copy that goes out; the stored message is not changed (after a restart the count starts
 * again).
 */
final class DeliveryCount {
    static final String HEADER = "x-delivery-count";

    private DeliveryCount() {
    }

    /** The message with the header set to {@code count}; takes over (and releases) the caller's reference. */
    static Message stamp(Message message, int count) {
        BasicProperties properties = BasicProperties.decode(message.properties().duplicate());
        Map<String, Object> headers = properties.headers() == null
                ? new LinkedHashMap<>() : new LinkedHashMap<>(properties.headers());
        headers.put(HEADER, (long) count);
        ByteBuf encoded;
        try {
            encoded = properties.withHeadersAndExpiration(headers, properties.expiration()).encoded();
        } catch (RuntimeException e) {
            return message; // headers that cannot be written back: delivered without the count
        }
        Message stamped = message.withProperties(message.exchange(), message.routingKey(), encoded, message.arrivedAt());
        stamped.storedAt(message.location());
        message.release();
        return stamped;
    }
}
