package dev.warren.amqp.it;

import dev.warren.core.VirtualHost;
import dev.warren.core.policy.ApplyTo;
import dev.warren.core.policy.Policy;
import dev.warren.core.policy.PolicyLayer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Sets and clears policies in the default virtual host of the broker under test: Warren's through its
 * virtual host, RabbitMQ's (a run with -Dwarren.it.port) through its management API on port 15672, so the
 * policy ITs can check RabbitMQ does what they expect.
 */
final class PolicySetter {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final BrokerFixture broker;

    PolicySetter(BrokerFixture broker) {
        this.broker = broker;
    }

    void set(PolicyLayer layer, String name, String pattern, int priority, String applyTo, Map<String, Object> definition)
            throws Exception {
        if (BrokerFixture.againstWarren()) {
            vhost().setPolicy(layer, Policy.of(layer, name, pattern, ApplyTo.named(applyTo), priority, definition))
                    .get(10, TimeUnit.SECONDS);
            return;
        }
        String body = "{\"pattern\":" + json(pattern) + ",\"priority\":" + priority + ",\"apply-to\":" + json(applyTo)
                + ",\"definition\":{" + definition.entrySet().stream().map(e -> json(e.getKey()) + ":" + json(e.getValue()))
                .collect(Collectors.joining(",")) + "}}";
        send("PUT", path(layer, name), body);
    }

    void set(String name, String pattern, Map<String, Object> definition) throws Exception {
        set(PolicyLayer.POLICY, name, pattern, 0, "all", definition);
    }

    void clear(PolicyLayer layer, String name) throws Exception {
        if (BrokerFixture.againstWarren()) {
            var applied = vhost().clearPolicy(layer, name);
            if (applied != null) {
                applied.get(10, TimeUnit.SECONDS);
            }
        } else {
            send("DELETE", path(layer, name), null);
        }
    }

    void clear(String name) throws Exception {
        clear(PolicyLayer.POLICY, name);
    }

    /**
     * Whether the queue exists, asked without using it (a passive declare counts as a use for x-expires):
     * Warren's virtual host, or RabbitMQ's management API.
     */
    boolean queueExists(String queue) throws Exception {
        if (BrokerFixture.againstWarren()) {
            var q = vhost().queue(queue);
            return q != null && !q.isDeleted();
        }
        return send("GET", "/api/queues/%2F/" + URLEncoder.encode(queue, StandardCharsets.UTF_8), null) == 200;
    }

    private VirtualHost vhost() {
        return broker.broker().vhost("/");
    }

    private static String path(PolicyLayer layer, String name) {
        return (layer == PolicyLayer.POLICY ? "/api/policies/%2F/" : "/api/operator-policies/%2F/")
                + URLEncoder.encode(name, StandardCharsets.UTF_8);
    }

    private static int send(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:15672" + path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("guest:guest".getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300 && response.statusCode() != 404) {
            throw new IllegalStateException(method + " " + path + ": " + response.statusCode() + " " + response.body());
        }
        return response.statusCode();
    }

    private static String json(Object value) {
        return value instanceof String s ? "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"" : String.valueOf(value);
    }
}
