package dev.warren.mgmt.http;

import dev.warren.core.AmqpException;
import dev.warren.core.Broker;
import dev.warren.core.VirtualHost;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one request: finds its route (404, 405), logs the caller in (401), checks the route's tag (403),
 * calls the handler and turns every failure into RabbitMQ's JSON error. Unexpected failures are logged and
 * answered 500 without internals.
 */
final class ApiDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(ApiDispatcher.class);
    static final String REALM_HEADER = "Basic realm=\"Warren Management\"";
    static final String WEB_UI_HEADER = "X-Requested-With";

    private final Router router;
    private final Authenticator authenticator;
    private final Broker broker;

    ApiDispatcher(Router router, Authenticator authenticator, Broker broker) {
        this.router = router;
        this.authenticator = authenticator;
        this.broker = broker;
    }

    ApiResponse dispatch(ApiRequest request) {
        try {
            return route(request);
        } catch (ApiException e) {
            ApiResponse response = ApiResponse.error(e);
            return e.status().equals(HttpResponseStatus.UNAUTHORIZED) && !fromWebUi(request)
                    ? response.withHeader(HttpHeaderNames.WWW_AUTHENTICATE.toString(), REALM_HEADER) : response;
        } catch (AmqpException e) {
            return ApiResponse.error(AmqpErrors.toApi(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ApiResponse.error(ApiException.unavailable("the broker is stopping"));
        } catch (Exception | StackOverflowError e) {
            LOG.error("Management API: {} {} failed", request.method(), request.rawPath(), e);
            return ApiResponse.error(new ApiException(HttpResponseStatus.INTERNAL_SERVER_ERROR,
                    "internal_server_error", "the request failed; the broker log has the details"));
        }
    }

    /**
     * The web UI marks its requests with {@code X-Requested-With}; its 401s carry no basic-auth challenge, which
     * would make the browser open its own login dialog over the UI's login form.
     */
    private static boolean fromWebUi(ApiRequest request) {
        return request.header(WEB_UI_HEADER) != null;
    }

    private ApiResponse route(ApiRequest request) throws Exception {
        Router.Match match = router.match(request.method(), request.segments());
        if (match instanceof Router.NoRoute) {
            throw ApiException.notFound();
        }
        if (match instanceof Router.WrongMethod wrong) {
            String allowed = wrong.allowed().stream().map(HttpMethod::name).collect(Collectors.joining(", "));
            return ApiResponse.error(new ApiException(HttpResponseStatus.METHOD_NOT_ALLOWED, "method_not_allowed",
                    request.method() + " is not allowed here")).withHeader(HttpHeaderNames.ALLOW.toString(), allowed);
        }
        Router.Found found = (Router.Found) match;
        Requirement requirement = found.route().requirement();
        ApiRequest matched = request.withPathParams(found.params());
        if (requirement != Requirement.NONE) {
            Principal principal = authenticator.authenticate(matched);
            if (!principal.meets(requirement)) {
                throw ApiException.forbidden(requirement.refusal());
            }
            matched = matched.withPrincipal(principal);
        }
        ApiResponse response = found.route().handler().handle(matched);
        if (request.method().equals(HttpMethod.GET)) {
            return ListOptions.apply(matched, response);
        }
        awaitDurableDefinitions();
        return response;
    }

    /**
     * A change answered by the API is on disk, as with AMQP's declare-ok: waits (on this blocking handler
     * thread, never an event loop) until every virtual host's definitions written so far are durable.
     */
    private void awaitDurableDefinitions() throws InterruptedException {
        for (VirtualHost vhost : broker.vhosts()) {
            try {
                vhost.definitionsDurable().get(ManagementServer.WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw new IllegalStateException("could not save the definitions of vhost '" + vhost.name() + "'", e.getCause());
            } catch (TimeoutException e) {
                throw ApiException.unavailable("the definitions were not saved within " + ManagementServer.WAIT_MILLIS + " ms");
            }
        }
    }
}
