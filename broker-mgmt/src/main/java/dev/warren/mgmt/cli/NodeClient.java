package dev.warren.mgmt.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;

/**
 * Calls the node's management API (RabbitMQ's HTTP API) with warrenctl's credentials, over https with the
 * trust {@link NodeTrust} sets up. Transport failures become rabbitmqctl's errors: the node cannot be reached,
 * its TLS certificate fails the checks, or it refuses the credentials (401) → 69, no answer
 * within the timeout → 75; an operation the logged-in user may not do (403) → 70. Other statuses are
 * returned for the command to interpret; {@link #require} turns any error status into exit 70 with the
 * API's reason.
 */
final class NodeClient {
    static final ObjectMapper JSON = new ObjectMapper();

    private final NodeTarget target;
    private final Duration timeout;
    private final String operation;
    private final HttpClient http;

    NodeClient(NodeTarget target, Duration timeout, String operation) {
        this.target = target;
        this.timeout = timeout;
        this.operation = operation;
        HttpClient.Builder builder = HttpClient.newBuilder()
                .connectTimeout(timeout.compareTo(Duration.ofSeconds(10)) < 0 ? timeout : Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER);
        if (target.https() && target.caFile() != null) {
            // hostname verification stays on, except for the local node's own loopback address
            builder.sslContext(target.local() ? NodeTrust.loopbackContext(target.caFile())
                    : NodeTrust.sslContext(target.caFile()));
        }
        this.http = builder.build();
    }

    String node() {
        return target.label();
    }

    /** One path segment, percent-encoded as RabbitMQ's API wants it ("/" is %2F, a space %20). */
    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    ApiResponse get(String path) {
        return send("GET", path, null, Map.of(), true);
    }

    ApiResponse put(String path, JsonNode body) {
        return send("PUT", path, body, Map.of(), true);
    }

    ApiResponse post(String path, JsonNode body) {
        return send("POST", path, body, Map.of(), true);
    }

    /**
     * A POST whose 401 answer belongs to the command (authenticate_user: the credentials checked are in the
     * body) rather than meaning that warrenctl's own were refused.
     */
    ApiResponse postCheckingCredentials(String path, JsonNode body) {
        return send("POST", path, body, Map.of(), false);
    }

    ApiResponse delete(String path, Map<String, String> headers) {
        return send("DELETE", path, null, headers, true);
    }

    /** The response when it is a success; otherwise exit 70 with the API's reason. */
    static ApiResponse require(ApiResponse response) {
        if (!response.ok()) {
            throw CliException.error(ExitCodes.SOFTWARE, response.reason());
        }
        return response;
    }

    /** Like {@link #require(ApiResponse)}, but a 404 is the command's own error: what it names does not exist. */
    static ApiResponse require(ApiResponse response, Supplier<CliException> notFound) {
        if (response.status() == 404) {
            throw notFound.get();
        }
        return require(response);
    }

    private ApiResponse send(String method, String path, JsonNode body, Map<String, String> headers,
                             boolean authFailureIsOurs) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target.baseUri() + path))
                .timeout(timeout)
                .header("Authorization", target.authorization())
                .header("Accept", "application/json");
        headers.forEach(request::header);
        if (body != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(write(body), StandardCharsets.UTF_8));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpConnectTimeoutException e) {
            throw NodeTarget.unavailable(node(), "Could not connect: timed out.");
        } catch (ConnectException e) {
            throw NodeTarget.unavailable(node(), "Could not connect: connection refused.");
        } catch (HttpTimeoutException e) {
            throw new CliException(ExitCodes.TEMPFAIL, "Error: operation " + operation + " on node " + node()
                    + " timed out. Timeout value used: " + timeout.toMillis());
        } catch (SSLException e) {
            throw NodeTrust.handshakeFailed(target, e);
        } catch (IOException e) {
            throw NodeTarget.unavailable(node(), "The connection failed: " + describe(e) + ".");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.SOFTWARE, "Error: interrupted");
        }
        int status = response.statusCode();
        JsonNode json = parse(response.body());
        if (authFailureIsOurs && status == 401) {
            throw NodeTarget.unavailable(node(), "The node refused warrenctl's credentials (HTTP 401: "
                    + new ApiResponse(status, json).reason() + ").");
        }
        if (status == 403) {
            // logged in, but this user may not do this (not an administrator, no permission in the vhost)
            throw CliException.error(ExitCodes.SOFTWARE, new ApiResponse(status, json).reason()
                    + " (the node refused this operation to the user warrenctl logged in as)");
        }
        return new ApiResponse(status, json);
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return MissingNode.getInstance();
        }
    }

    private static String write(JsonNode body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        if (message == null || message.isEmpty()) {
            return e.getClass().getSimpleName();
        }
        return message;
    }
}
