package dev.warren.core.message;

import dev.warren.core.AmqpException;
import dev.warren.core.ReplyCode;
import io.netty.buffer.ByteBuf;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RabbitMQ's sender-selected distribution: the {@code CC} and {@code BCC} headers, arrays of strings, add
 * routing keys on the same exchange. {@code BCC} is taken out of the message before any queue sees it.
 * As RabbitMQ 3.10 does, a header that is not an array is refused (406, the channel closes) and an item
 * that is not a string is skipped.
 */
public final class SenderSelected {
    public static final String CC = "CC";
    public static final String BCC = "BCC";

    private SenderSelected() {
    }

    /**
     * Adds the CC keys, then the BCC keys, to {@code into}.
     *
     * @throws AmqpException PRECONDITION_FAILED when either header is there but not an array
     */
    public static void addKeys(Map<String, Object> headers, List<String> into) {
        if (headers == null) {
            return;
        }
        addStrings(headers, CC, into);
        addStrings(headers, BCC, into);
    }

    private static void addStrings(Map<String, Object> headers, String name, List<String> into) {
        if (!headers.containsKey(name)) {
            return;
        }
        Object header = headers.get(name);
        if (!(header instanceof List<?> keys)) {
            throw AmqpException.of(ReplyCode.PRECONDITION_FAILED, "invalid message: {unacceptable_type_in_header,\"%s\",%s}",
                    name, FieldValues.typeName(header));
        }
        for (Object key : keys) {
            if (key instanceof String s) {
                into.add(s);
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
        ByteBuf encoded = properties.withHeadersAndExpiration(headers, properties.expiration()).encoded();
        Message stripped = message.withProperties(message.exchange(), message.routingKey(), encoded, message.arrivedAt());
        java.util.List<String> bcc = new java.util.ArrayList<>();
        addStrings(properties.headers(), BCC, bcc);
        stripped.bccKeys(bcc);
        return stripped;
    }
}
