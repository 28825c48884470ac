package dev.warren.mgmt.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warren.core.message.BasicProperties;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.Set;

/**
 * Message properties and payloads as RabbitMQ's HTTP API writes them for publish and get: properties by
 * their underscore names ({@code content_type}, {@code delivery_mode}, {@code headers}, ...), a timestamp in
 * seconds, and the payload as a string or base64 with its {@code payload_encoding}.
 */
final class MessageJson {
    /** The properties a publish may set, by their API names. */
    private static final Set<String> KNOWN = Set.of("content_type", "content_encoding", "headers", "delivery_mode",
            "priority", "correlation_id", "reply_to", "expiration", "message_id", "timestamp", "type", "user_id",
            "app_id", "cluster_id");

    private MessageJson() {
    }

    /** The "properties" member of a publish request; unknown members are refused as RabbitMQ does. */
    static BasicProperties properties(JsonNode body) {
        JsonNode p = body.path("properties");
        if (p.isMissingNode() || p.isNull()) {
            return BasicProperties.EMPTY;
        }
        if (!p.isObject()) {
            throw ApiException.badRequest("properties must be a JSON object");
        }
        p.fieldNames().forEachRemaining(name -> {
            if (!KNOWN.contains(name)) {
                throw ApiException.badRequest("invalid property '" + name + "'");
            }
        });
        Map<String, Object> headers = p.has("headers") ? Json.table(p, "headers") : null;
        return new BasicProperties(text(p, "content_type"), text(p, "content_encoding"),
                headers == null || headers.isEmpty() ? null : headers,
                octet(p, "delivery_mode"), octet(p, "priority"), text(p, "correlation_id"), text(p, "reply_to"),
                text(p, "expiration"), text(p, "message_id"),
                p.hasNonNull("timestamp") ? new Date(p.get("timestamp").asLong() * 1000) : null,
                text(p, "type"), text(p, "user_id"), text(p, "app_id"), text(p, "cluster_id"));
    }

    /** The properties of a message got from a queue; absent ones are left out, as RabbitMQ does. */
    static ObjectNode properties(BasicProperties p) {
        ObjectNode n = Json.object();
        putText(n, "content_type", p.contentType());
        putText(n, "content_encoding", p.contentEncoding());
        if (p.headers() != null) {
            n.set("headers", Json.table(p.headers()));
        }
        if (p.deliveryMode() != null) {
            n.put("delivery_mode", p.deliveryMode());
        }
        if (p.priority() != null) {
            n.put("priority", p.priority());
        }
        putText(n, "correlation_id", p.correlationId());
        putText(n, "reply_to", p.replyTo());
        putText(n, "expiration", p.expiration());
        putText(n, "message_id", p.messageId());
        if (p.timestamp() != null) {
            n.put("timestamp", p.timestamp().getTime() / 1000);
        }
        putText(n, "type", p.type());
        putText(n, "user_id", p.userId());
        putText(n, "app_id", p.appId());
        putText(n, "cluster_id", p.clusterId());
        return n;
    }

    /** The payload of a publish request: "string" (UTF-8) or "base64". */
    static byte[] payload(JsonNode body) {
        String payload = Json.text(body, "payload", "");
        String encoding = Json.text(body, "payload_encoding", "string");
        return switch (encoding) {
            case "string" -> payload.getBytes(StandardCharsets.UTF_8);
            case "base64" -> {
                try {
                    yield Base64.getDecoder().decode(payload.trim());
                } catch (IllegalArgumentException e) {
                    throw ApiException.badRequest("payload is not valid base64");
                }
            }
            default -> throw ApiException.badRequest("payload_encoding must be \"string\" or \"base64\", not \"" + encoding + "\"");
        };
    }

    /**
     * Writes {@code payload} (cut to {@code truncate} bytes when that is not negative) into {@code out}:
     * as a string when {@code encoding} is "auto" and the bytes are UTF-8, else as base64.
     */
    static void payload(ObjectNode out, byte[] payload, String encoding, int truncate) {
        byte[] shown = truncate >= 0 && payload.length > truncate ? Arrays.copyOf(payload, truncate) : payload;
        out.put("payload_bytes", payload.length);
        String text = "auto".equals(encoding) ? utf8(shown) : null;
        if (text != null) {
            out.put("payload", text).put("payload_encoding", "string");
        } else {
            out.put("payload", Base64.getEncoder().encodeToString(shown)).put("payload_encoding", "base64");
        }
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static String text(JsonNode p, String field) {
        JsonNode v = p.get(field);
        return v == null || v.isNull() || (v.isTextual() && v.asText().isEmpty()) ? null : v.asText();
    }

    private static Integer octet(JsonNode p, String field) {
        JsonNode v = p.get(field);
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isEmpty())) {
            return null;
        }
        int value;
        try {
            value = v.isNumber() ? v.intValue() : Integer.parseInt(v.asText().trim());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(field + " must be a number from 0 to 255");
        }
        if (value < 0 || value > 255) {
            throw ApiException.badRequest(field + " must be a number from 0 to 255");
        }
        return value;
    }

    private static void putText(ObjectNode n, String field, String value) {
        if (value != null) {
            n.put(field, value);
        }
    }
}
