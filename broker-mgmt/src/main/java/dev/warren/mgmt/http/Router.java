package dev.warren.mgmt.http;

import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Method and path pattern to handler. A pattern is a path whose segments are literals or variables such as
 * {@code /api/queues/{vhost}/{name}}; a variable matches one (decoded) segment. Literal segments win over
 * variables when two patterns could match, so {@code /api/queues/{vhost}/{name}/bindings} and
 * {@code /api/queues/{vhost}/{name}} do not clash.
 */
public final class Router {
    /** Handles one matched request; may block (it runs on the management executor). */
    @FunctionalInterface
    public interface Handler {
        ApiResponse handle(ApiRequest request) throws Exception;
    }

    public record Route(HttpMethod method, List<String> pattern, Requirement requirement, Handler handler) {
    }

    /** The outcome of matching: a route (with variables), a path with other methods only, or nothing. */
    public sealed interface Match permits Found, WrongMethod, NoRoute {
    }

    public record Found(Route route, Map<String, String> params) implements Match {
    }

    public record WrongMethod(Set<HttpMethod> allowed) implements Match {
    }

    public record NoRoute() implements Match {
    }

    private final List<Route> routes = new ArrayList<>();

    public Router get(String pattern, Requirement requirement, Handler handler) {
        return add(HttpMethod.GET, pattern, requirement, handler);
    }

    public Router put(String pattern, Requirement requirement, Handler handler) {
        return add(HttpMethod.PUT, pattern, requirement, handler);
    }

    public Router post(String pattern, Requirement requirement, Handler handler) {
        return add(HttpMethod.POST, pattern, requirement, handler);
    }

    public Router delete(String pattern, Requirement requirement, Handler handler) {
        return add(HttpMethod.DELETE, pattern, requirement, handler);
    }

    public Router add(HttpMethod method, String pattern, Requirement requirement, Handler handler) {
        List<String> segments = List.of(pattern.substring(1).split("/", -1));
        for (Route r : routes) {
            if (r.method().equals(method) && r.pattern().equals(segments)) {
                throw new IllegalArgumentException("duplicate route " + method + " " + pattern);
            }
        }
        routes.add(new Route(method, segments, requirement, handler));
        return this;
    }

    public Match match(HttpMethod method, List<String> segments) {
        Found best = null;
        int bestLiterals = -1;
        Set<HttpMethod> otherMethods = new LinkedHashSet<>();
        for (Route route : routes) {
            Map<String, String> params = bind(route.pattern(), segments);
            if (params == null) {
                continue;
            }
            if (!route.method().equals(method)) {
                otherMethods.add(route.method());
                continue;
            }
            int literals = literals(route.pattern());
            if (literals > bestLiterals) {
                best = new Found(route, params);
                bestLiterals = literals;
            }
        }
        if (best != null) {
            return best;
        }
        return otherMethods.isEmpty() ? new NoRoute() : new WrongMethod(otherMethods);
    }

    private static Map<String, String> bind(List<String> pattern, List<String> segments) {
        if (pattern.size() != segments.size()) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < pattern.size(); i++) {
            String p = pattern.get(i);
            if (isVariable(p)) {
                params.put(p.substring(1, p.length() - 1), segments.get(i));
            } else if (!p.equals(segments.get(i))) {
                return null;
            }
        }
        return params;
    }

    private static int literals(List<String> pattern) {
        int n = 0;
        for (String p : pattern) {
            if (!isVariable(p)) {
                n++;
            }
        }
        return n;
    }

    private static boolean isVariable(String segment) {
        return segment.startsWith("{") && segment.endsWith("}");
    }
}
