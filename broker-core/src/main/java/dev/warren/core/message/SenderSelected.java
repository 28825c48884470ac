package dev.warren.core.message;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RabbitMQ's sender-selected distribution: the {@code CC} and {@code BCC} headers, arrays of strings, add
 * routing keys on the same exchange. {@code BCC} is taken out of the message before any queue sees it.
 * A header of another type, or an item that is not a string, is ignored, as RabbitMQ ignores it.
 */
public final class SenderSelected {
    public static final String CC = "CC";
    public static final String BCC = "BCC";

    private SenderSelected() {
    }

    /** Adds the CC keys, then the BCC keys, to {@code into}. */
    public static void addKeys(Map<String, Object> headers, List<String> into) {
        if (headers == null) {
            return;
        }
        addStrings(headers.get(CC), into);
        addStrings(headers.get(BCC), into);
    }

    private static void addStrings(Object header, List<String> into) {
        if (header instanceof List<?> keys) {
            for (Object key : keys) {
                if (key instanceof String s) {
                    into.add(s);
                }
            }
        }
    }

    /** Whether the message carries a BCC header to take out. */
    public static boolean hasBcc(Message message) {
        return message.hasHeaders() && message.headers() != null && message.headers().containsKey(BCC);
    }

    /** The message without its BCC header (same body); the caller keeps its reference to the original. */
    public static Message withoutBcc(Message message) {
        BasicProperties properties = BasicProperties.decode(message.properties().duplicate());
        Map<String, Object> headers = new LinkedHashMap<>(properties.headers());
        headers.remove(BCC);
        ByteBuf encoded = ByteBufAllocator.DEFAULT.heapBuffer();
        try {
            properties.withHeadersAndExpiration(headers, properties.expiration()).encode(encoded);
        } catch (RuntimeException e) {
            encoded.release();
            throw e;
        }
        return message.withProperties(message.exchange(), message.routingKey(), encoded, message.arrivedAt());
    }
}
