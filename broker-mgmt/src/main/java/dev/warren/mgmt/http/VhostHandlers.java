package dev.warren.mgmt.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.warren.core.VirtualHost;
import dev.warren.core.auth.UserPermission;
import dev.warren.mgmt.rates.SampledSeries;

/** /api/vhosts: list, show, create (PUT), delete (closes the vhost's connections), and its permissions. */
final class VhostHandlers {
    private final Scope scope;

    VhostHandlers(Scope scope) {
        this.scope = scope;
    }

    void register(Router router) {
        router.get("/api/vhosts", Requirement.MANAGEMENT, this::list);
        router.get("/api/vhosts/{vhost}", Requirement.MANAGEMENT, this::show);
        router.put("/api/vhosts/{vhost}", Requirement.ADMINISTRATOR, this::create);
        router.delete("/api/vhosts/{vhost}", Requirement.ADMINISTRATOR, this::delete);
        router.get("/api/vhosts/{vhost}/permissions", Requirement.ADMINISTRATOR, this::permissions);
    }

    private ApiResponse list(ApiRequest request) {
        RateFields rates = scope.rateFields(request);
        ArrayNode out = Json.array();
        for (VirtualHost v : scope.visibleVhosts(request.principal())) {
            out.add(withRates(v, rates));
        }
        return ApiResponse.json(out);
    }

    private ApiResponse show(ApiRequest request) {
        return ApiResponse.json(withRates(scope.vhost(request.principal(), request.param("vhost")), scope.rateFields(request)));
    }

    /** The virtual host with the details of its queued messages. */
    private static ObjectNode withRates(VirtualHost v, RateFields rates) {
        ObjectNode n = Views.vhost(v);
        rates.lengthDetails(n, v, SampledSeries.VHOST);
        return n;
    }

    /** Creates the virtual host; "tracing" turns the firehose on or off, as RabbitMQ's API does. */
    private ApiResponse create(ApiRequest request) {
        ObjectNode body = request.jsonObject(); // description, tags and default queue type are accepted and not kept
        String name = request.param("vhost");
        if (name.isEmpty()) {
            throw ApiException.badRequest("a virtual host name must not be empty");
        }
        boolean created = scope.broker().createVirtualHost(name);
        if (body.has("tracing")) {
            scope.broker().vhost(name).tracing(Json.bool(body, "tracing", false));
        }
        return ApiResponse.createdOrUpdated(created);
    }

    private ApiResponse delete(ApiRequest request) {
        if (!scope.broker().deleteVirtualHost(request.param("vhost"))) {
            throw ApiException.notFound();
        }
        return ApiResponse.noContent();
    }

    private ApiResponse permissions(ApiRequest request) {
        String vhost = request.param("vhost");
        if (scope.broker().vhost(vhost) == null) {
            throw ApiException.notFound();
        }
        ArrayNode out = Json.array();
        for (UserPermission p : scope.broker().users().permissions()) {
            if (p.vhost().equals(vhost)) {
                out.add(Views.permission(p));
            }
        }
        return ApiResponse.json(out);
    }
}
