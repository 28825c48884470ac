package dev.warren.mgmt.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warren.core.Exchange;
import dev.warren.core.VirtualHost;
import dev.warren.mgmt.rates.SampledSeries;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * /api/exchanges: list, show, declare (PUT), delete (optionally if-unused), and the bindings an exchange is
 * the source or destination of. The default exchange is "amq.default" in paths. Declaring and deleting
 * need configure permission on the exchange, as over AMQP.
 */
final class ExchangeHandlers {
    private final Scope scope;

    ExchangeHandlers(Scope scope) {
        this.scope = scope;
    }

    void register(Router router) {
        router.get("/api/exchanges", Requirement.MANAGEMENT, this::list);
        router.get("/api/exchanges/{vhost}", Requirement.MANAGEMENT, this::list);
        router.get("/api/exchanges/{vhost}/{name}", Requirement.MANAGEMENT, this::show);
        router.put("/api/exchanges/{vhost}/{name}", Requirement.MANAGEMENT, this::declare);
        router.delete("/api/exchanges/{vhost}/{name}", Requirement.MANAGEMENT, this::delete);
        router.get("/api/exchanges/{vhost}/{name}/bindings/source", Requirement.MANAGEMENT, this::bindingsFrom);
        router.get("/api/exchanges/{vhost}/{name}/bindings/destination", Requirement.MANAGEMENT, this::bindingsTo);
    }

    private ApiResponse list(ApiRequest request) {
        RateFields rates = scope.rateFields(request);
        ArrayNode out = Json.array();
        for (VirtualHost v : scope.vhostsOf(request)) {
            List<Exchange> exchanges = new ArrayList<>(v.exchanges());
            exchanges.sort(Comparator.comparing(Exchange::name));
            exchanges.forEach(e -> out.add(withRates(e, v, rates)));
        }
        return ApiResponse.json(out);
    }

    /** The exchange with its message_stats (publish_in, publish_out). */
    private static ObjectNode withRates(Exchange e, VirtualHost v, RateFields rates) {
        ObjectNode n = Views.exchange(e, v.name());
        rates.messageStats(n, e, SampledSeries.EXCHANGE);
        return n;
    }

    private Exchange existing(ApiRequest request, VirtualHost vhost) {
        Exchange exchange = vhost.exchange(Views.exchangeName(request.param("name")));
        if (exchange == null) {
            throw ApiException.notFound();
        }
        return exchange;
    }

    private ApiResponse show(ApiRequest request) {
        VirtualHost vhost = scope.vhost(request.principal(), request.param("vhost"));
        return ApiResponse.json(withRates(existing(request, vhost), vhost, scope.rateFields(request)));
    }

    private ApiResponse declare(ApiRequest request) {
        VirtualHost vhost = scope.vhost(request.principal(), request.param("vhost"));
        String name = Views.exchangeName(request.param("name"));
        ObjectNode body = request.jsonObject();
        String type = Json.text(body, "type", "direct");
        boolean durable = Json.bool(body, "durable", false);
        boolean autoDelete = Json.bool(body, "auto_delete", false);
        boolean internal = Json.bool(body, "internal", false);
        Map<String, Object> arguments = Json.arguments(body);
        scope.permissions(request.principal(), vhost.name()).configureExchange(name);
        boolean created = vhost.exchange(name) == null;
        vhost.declareExchange(name, type, durable, autoDelete, internal, arguments);
        return ApiResponse.createdOrUpdated(created);
    }

    private ApiResponse delete(ApiRequest request) {
        VirtualHost vhost = scope.vhost(request.principal(), request.param("vhost"));
        Exchange exchange = existing(request, vhost);
        scope.permissions(request.principal(), vhost.name()).configureExchange(exchange.name());
        vhost.deleteExchange(exchange.name(), "true".equals(request.queryParam("if-unused")));
        return ApiResponse.noContent();
    }

    private ApiResponse bindingsFrom(ApiRequest request) {
        VirtualHost vhost = scope.vhost(request.principal(), request.param("vhost"));
        String name = existing(request, vhost).name();
        ArrayNode out = Json.array();
        BindingViews.list(vhost, b -> b.source().equals(name)).forEach(b -> out.add(b.json()));
        return ApiResponse.json(out);
    }

    private ApiResponse bindingsTo(ApiRequest request) {
        VirtualHost vhost = scope.vhost(request.principal(), request.param("vhost"));
        String name = existing(request, vhost).name();
        ArrayNode out = Json.array();
        BindingViews.list(vhost, b -> b.destinationType().equals("exchange") && b.destination().equals(name))
                .forEach(b -> out.add(b.json()));
        return ApiResponse.json(out);
    }
}
