package dev.warren.mgmt.http;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warren.core.VirtualHost;
import dev.warren.core.policy.ApplyTo;
import dev.warren.core.policy.Policy;
import dev.warren.core.policy.PolicyLayer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * /api/policies (policymakers and administrators) and /api/operator-policies (administrators), as
 * RabbitMQ's API: list all, a virtual host's, or one (GET); set one (PUT {"pattern", "definition",
 * "priority", "apply-to"}: 201 created, 204 replaced, 400 with RabbitMQ's validation text); clear one
 * (DELETE). A change applies at once to the queues and exchanges it matches.
 */
final class PolicyHandlers {
    private static final TypeReference<Map<String, Object>> DEFINITION = new TypeReference<>() { };
    private final Scope scope;

    PolicyHandlers(Scope scope) {
        this.scope = scope;
    }

    void register(Router router) {
        register(router, "/api/policies", PolicyLayer.POLICY, Requirement.POLICYMAKER);
        register(router, "/api/operator-policies", PolicyLayer.OPERATOR, Requirement.ADMINISTRATOR);
    }

    private void register(Router router, String base, PolicyLayer layer, Requirement requirement) {
        router.get(base, requirement, request -> list(request, layer));
        router.get(base + "/{vhost}", requirement, request -> list(request, layer));
        router.get(base + "/{vhost}/{name}", requirement, request -> show(request, layer));
        router.put(base + "/{vhost}/{name}", requirement, request -> put(request, layer));
        router.delete(base + "/{vhost}/{name}", requirement, request -> delete(request, layer));
    }

    private ApiResponse list(ApiRequest request, PolicyLayer layer) {
        ArrayNode out = Json.array();
        for (VirtualHost vhost : scope.vhostsOf(request)) {
            vhost.policies().list(layer).forEach(p -> out.add(view(vhost.name(), p)));
        }
        return ApiResponse.json(out);
    }

    private ApiResponse show(ApiRequest request, PolicyLayer layer) {
        VirtualHost vhost = scope.vhost(request.principal(), request.param("vhost"));
        Policy policy = vhost.policies().get(layer, request.param("name"));
        if (policy == null) {
            throw ApiException.notFound();
        }
        return ApiResponse.json(view(vhost.name(), policy));
    }

    private ApiResponse put(ApiRequest request, PolicyLayer layer) throws InterruptedException {
        VirtualHost vhost = scope.vhost(request.principal(), request.param("vhost"));
        ObjectNode body = request.jsonObject();
        for (String required : new String[] {"pattern", "definition"}) {
            if (!body.has(required)) {
                throw ApiException.badRequest("[{key_missing," + required + "}]");
            }
        }
        JsonNode priority = body.path("priority");
        if (!priority.isMissingNode() && !priority.isNull() && !priority.canConvertToInt()) {
            throw invalid("priority should be a number, actually was "
                    + (priority.isTextual() ? "<<\"" + priority.asText() + "\">>" : priority.toString()));
        }
        Policy policy;
        try {
            JsonNode definition = body.get("definition");
            policy = Policy.of(layer, request.param("name"), body.path("pattern").asText(),
                    ApplyTo.named(body.path("apply-to").asText("all")), priority.asInt(0),
                    definition.isObject() ? Json.MAPPER.convertValue(definition, DEFINITION) : Map.of());
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
        boolean created = vhost.policies().get(layer, policy.name()) == null;
        awaitApplied(vhost.setPolicy(layer, policy));
        return ApiResponse.createdOrUpdated(created);
    }

    private ApiResponse delete(ApiRequest request, PolicyLayer layer) throws InterruptedException {
        VirtualHost vhost = scope.vhost(request.principal(), request.param("vhost"));
        CompletableFuture<Void> applied = vhost.clearPolicy(layer, request.param("name"));
        if (applied == null) {
            throw ApiException.notFound();
        }
        awaitApplied(applied);
        return ApiResponse.noContent();
    }

    /** Answers once the queues the change reached apply it, so what a client publishes next meets it. */
    private static void awaitApplied(CompletableFuture<Void> applied) throws InterruptedException {
        try {
            applied.get(ManagementServer.WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a queue could not apply the policy change", e.getCause());
        } catch (TimeoutException e) {
            throw ApiException.unavailable("the queues did not apply the policy within " + ManagementServer.WAIT_MILLIS + " ms");
        }
    }

    /** RabbitMQ's 400 for a policy it refuses. */
    private static ApiException invalid(String why) {
        return ApiException.badRequest("Validation failed\n\n" + why + "\n");
    }

    static ObjectNode view(String vhost, Policy p) {
        ObjectNode n = Json.object().put("vhost", vhost).put("name", p.name()).put("pattern", p.pattern())
                .put("apply-to", p.applyTo().value());
        n.set("definition", Json.MAPPER.valueToTree(p.definition()));
        return n.put("priority", p.priority());
    }
}
