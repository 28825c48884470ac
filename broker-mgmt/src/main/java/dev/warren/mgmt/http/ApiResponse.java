package dev.warren.mgmt.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** What a handler answers: status, body and its content type, and any extra headers. */
public record ApiResponse(HttpResponseStatus status, byte[] body, String contentType, Map<String, String> headers) {
    public static final String JSON = "application/json";

    public static ApiResponse json(Object value) {
        return json(HttpResponseStatus.OK, value);
    }

    public static ApiResponse json(HttpResponseStatus status, Object value) {
        try {
            return new ApiResponse(status, Json.MAPPER.writeValueAsBytes(value), JSON, Map.of());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a response as JSON", e);
        }
    }

    public static ApiResponse text(HttpResponseStatus status, String text, String contentType) {
        return new ApiResponse(status, text.getBytes(StandardCharsets.UTF_8), contentType, Map.of());
    }

    /** 204: an update or a delete that worked. */
    public static ApiResponse noContent() {
        return new ApiResponse(HttpResponseStatus.NO_CONTENT, new byte[0], null, Map.of());
    }

    /** 201: a PUT or POST that created something. */
    public static ApiResponse created() {
        return new ApiResponse(HttpResponseStatus.CREATED, new byte[0], null, Map.of());
    }

    /** 201 if {@code created}, else 204, as RabbitMQ answers a PUT. */
    public static ApiResponse createdOrUpdated(boolean created) {
        return created ? created() : noContent();
    }

    public static ApiResponse error(ApiException e) {
        return json(e.status(), Json.error(e.error(), e.reason()));
    }

    public ApiResponse withHeader(String name, String value) {
        Map<String, String> all = new java.util.LinkedHashMap<>(headers);
        all.put(name, value);
        return new ApiResponse(status, body, contentType, Map.copyOf(all));
    }
}
