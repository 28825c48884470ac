package dev.warren.mgmt.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What a handler answers: status, body and its content type, and any extra headers; {@code json} is the body
 * as a tree when it is JSON (for the list options applied after the handler), else null.
 */
public record ApiResponse(HttpResponseStatus status, byte[] body, String contentType, Map<String, String> headers,
                          JsonNode json) {
    public static final String JSON = "application/json";

    public static ApiResponse json(Object value) {
        return json(HttpResponseStatus.OK, value);
    }

    public static ApiResponse json(HttpResponseStatus status, Object value) {
        JsonNode node = Json.MAPPER.valueToTree(value);
        try {
            return new ApiResponse(status, Json.MAPPER.writeValueAsBytes(node), JSON, Map.of(), node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a response as JSON", e);
        }
    }

    public static ApiResponse text(HttpResponseStatus status, String text, String contentType) {
        return new ApiResponse(status, text.getBytes(StandardCharsets.UTF_8), contentType, Map.of(), null);
    }

    /** 204: an update or a delete that worked. */
    public static ApiResponse noContent() {
        return new ApiResponse(HttpResponseStatus.NO_CONTENT, new byte[0], null, Map.of(), null);
    }

    /** 201: a PUT or POST that created something. */
    public static ApiResponse created() {
        return new ApiResponse(HttpResponseStatus.CREATED, new byte[0], null, Map.of(), null);
    }

    /** 201 if {@code created}, else 204, as RabbitMQ answers a PUT. */
    public static ApiResponse createdOrUpdated(boolean created) {
        return created ? created() : noContent();
    }

    public static ApiResponse error(ApiException e) {
        return json(e.status(), Json.error(e.error(), e.reason()));
    }

    /** The same response with another JSON body (same status and headers). */
    public ApiResponse withJson(JsonNode node) {
        return json(status, node).withHeaders(headers);
    }

    private ApiResponse withHeaders(Map<String, String> extra) {
        ApiResponse r = this;
        for (Map.Entry<String, String> e : extra.entrySet()) {
            r = r.withHeader(e.getKey(), e.getValue());
        }
        return r;
    }

    public ApiResponse withHeader(String name, String value) {
        Map<String, String> all = new java.util.LinkedHashMap<>(headers);
        all.put(name, value);
        return new ApiResponse(status, body, contentType, Map.copyOf(all), json);
    }
}
