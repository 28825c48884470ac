package dev.warren.mgmt.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warren.core.BindingDestination;
import dev.warren.core.Exchange;
import dev.warren.core.MessageQueue;
import dev.warren.core.VirtualHost;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.List;
import java.util.Map;

/**
 * /api/bindings: list (all visible, one vhost, or between a source exchange and a queue ("q") or exchange
 * ("e")), create (POST with routing_key and arguments; 201 with the new binding's Location), show and delete
 * one by its properties_key. As over AMQP, binding needs read permission on the source exchange and write
 * permission on the destination.
 */
final class BindingHandlers {
    private final Scope scope;

    BindingHandlers(Scope scope) {
        this.scope = scope;
    }

    void register(Router router) {
        router.get("/api/bindings", Requirement.MANAGEMENT, this::list);
        router.get("/api/bindings/{vhost}", Requirement.MANAGEMENT, this::list);
        for (String type : List.of("q", "e")) {
            String between = "/api/bindings/{vhost}/e/{source}/" + type + "/{destination}";
            router.get(between, Requirement.MANAGEMENT, this::between);
            router.post(between, Requirement.MANAGEMENT, this::create);
            router.get(between + "/{props}", Requirement.MANAGEMENT, this::show);
            router.delete(between + "/{props}", Requirement.MANAGEMENT, this::delete);
        }
    }

    private ApiResponse list(ApiRequest request) {
        ArrayNode out = Json.array();
        for (VirtualHost v : scope.vhostsOf(request)) {
            BindingViews.list(v, b -> true).forEach(b -> out.add(b.json()));
        }
        return ApiResponse.json(out);
    }

    /** The request's source and destination; 404 when either does not exist. */
    private record Ends(VirtualHost vhost, Exchange source, BindingDestination destination) {
        boolean matches(BindingViews.Listed b) {
            return b.source().equals(source.name()) && b.destination().equals(destination.name())
                    && b.destinationType().equals(destination.kind());
        }
    }

    private Ends ends(ApiRequest request) {
        VirtualHost vhost = scope.vhost(request.principal(), request.param("vhost"));
        Exchange source = vhost.exchange(Views.exchangeName(request.param("source")));
        boolean toQueue = request.segments().get(5).equals("q");
        String destinationName = request.param("destination");
        BindingDestination destination = toQueue ? vhost.queue(destinationName)
                : vhost.exchange(Views.exchangeName(destinationName));
        if (source == null || destination == null || (destination instanceof MessageQueue q && q.isDeleted())) {
            throw ApiException.notFound();
        }
        return new Ends(vhost, source, destination);
    }

    private ApiResponse between(ApiRequest request) {
        Ends ends = ends(request);
        ArrayNode out = Json.array();
        BindingViews.list(ends.vhost(), ends::matches).forEach(b -> out.add(b.json()));
        return ApiResponse.json(out);
    }

    private ApiResponse create(ApiRequest request) {
        Ends ends = ends(request);
        ObjectNode body = request.jsonObject();
        String routingKey = Json.text(body, "routing_key", "");
        Map<String, Object> arguments = Json.arguments(body);
        checkPermissions(request, ends);
        ends.vhost().bind(ends.source(), ends.destination(), routingKey, arguments);
        String props = BindingViews.propertiesKey(routingKey, arguments);
        String location = "/api/bindings/" + BindingViews.encodeSegment(ends.vhost().name()) + "/e/"
                + BindingViews.encodeSegment(request.param("source")) + "/" + request.segments().get(5) + "/"
                + BindingViews.encodeSegment(request.param("destination")) + "/" + BindingViews.encodeSegment(props);
        return ApiResponse.created().withHeader(HttpHeaderNames.LOCATION.toString(), location);
    }

    private BindingViews.Listed find(ApiRequest request, Ends ends) {
        String props = request.param("props");
        return BindingViews.list(ends.vhost(), ends::matches).stream()
                .filter(b -> b.propertiesKey().equals(props))
                .findFirst()
                .orElseThrow(ApiException::notFound);
    }

    private ApiResponse show(ApiRequest request) {
        Ends ends = ends(request);
        return ApiResponse.json(find(request, ends).json());
    }

    private ApiResponse delete(ApiRequest request) {
        Ends ends = ends(request);
        BindingViews.Listed binding = find(request, ends);
        if (binding.binding() == null) {
            throw ApiException.badRequest("the default exchange's bindings cannot be removed");
        }
        checkPermissions(request, ends);
        ends.vhost().unbind(ends.source(), ends.destination(), binding.routingKey(), binding.arguments());
        return ApiResponse.noContent();
    }

    private void checkPermissions(ApiRequest request, Ends ends) {
        Scope.Permissions permissions = scope.permissions(request.principal(), ends.vhost().name());
        if (ends.destination() instanceof MessageQueue q) {
            permissions.writeQueue(q.name());
        } else {
            permissions.writeExchange(ends.destination().name());
        }
        permissions.readExchange(ends.source().name());
    }
}
