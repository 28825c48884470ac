package dev.warren.mgmt.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/**
 * One HTTP request, copied off the Netty buffers so a handler can run on any thread: method, the path's
 * segments (percent-decoded one by one, so {@code %2F} is a "/" inside a segment), query parameters,
 * headers, body, the caller's address, and once matched and authenticated the path variables and principal.
 */
public record ApiRequest(HttpMethod method, String rawPath, List<String> segments, Map<String, List<String>> query,
                         HttpHeaders headers, byte[] body, InetAddress peer, Map<String, String> pathParams,
                         Principal principal) {

    public ApiRequest withPathParams(Map<String, String> params) {
        return new ApiRequest(method, rawPath, segments, query, headers, body, peer, Map.copyOf(params), principal);
    }

    public ApiRequest withPrincipal(Principal who) {
        return new ApiRequest(method, rawPath, segments, query, headers, body, peer, pathParams, who);
    }

    /** A path variable such as {@code {vhost}}, decoded. */
    public String param(String name) {
        String value = pathParams.get(name);
        if (value == null) {
            throw new IllegalStateException("route has no path variable " + name);
        }
        return value;
    }

    /** A query parameter's first value, or null. */
    public String queryParam(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    public String header(String name) {
        return headers.get(name);
    }

    /**
     * The body as a JSON object. An empty body (or "null") is an empty object, as RabbitMQ reads it; anything
     * that is not a JSON object is a 400.
     */
    public ObjectNode jsonObject() {
        if (body.length == 0) {
            return Json.MAPPER.createObjectNode();
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw ApiException.badRequest("not_json");
        }
        if (node == null || node.isNull() || node.isMissingNode()) {
            return Json.MAPPER.createObjectNode();
        }
        if (node.isTextual()) {
            throw ApiException.badRequest("invalid payload: the request body JSON-decoded to a string. "
                    + "Is the input doubly-JSON-encoded?");
        }
        if (!node.isObject()) {
            throw ApiException.badRequest("not_json");
        }
        return (ObjectNode) node;
    }
}
