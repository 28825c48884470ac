package dev.warren.mgmt.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RouterTest {
    private static final Router.Handler NOTHING = r -> ApiResponse.noContent();

    @Test
    void literalSegmentsWinOverVariables() {
        Router router = new Router()
                .get("/api/queues/{vhost}/{name}", Requirement.MANAGEMENT, NOTHING)
                .get("/api/exchanges/{vhost}/{name}/bindings/source", Requirement.MANAGEMENT, NOTHING)
                .get("/api/exchanges/{vhost}/{name}/{other}/{more}", Requirement.MANAGEMENT, NOTHING);
        Router.Found found = assertInstanceOf(Router.Found.class,
                router.match(HttpMethod.GET, List.of("api", "exchanges", "/", "x", "bindings", "source")));
        assertEquals("/api/exchanges/{vhost}/{name}/bindings/source", "/" + String.join("/", found.route().pattern()));
        assertEquals(Map.of("vhost", "/", "name", "x"), found.params());
    }

    @Test
    void anotherMethodOnTheSamePathIsWrongMethod() {
        Router router = new Router().get("/api/users/{user}", Requirement.ADMINISTRATOR, NOTHING)
                .put("/api/users/{user}", Requirement.ADMINISTRATOR, NOTHING);
        Router.WrongMethod wrong = assertInstanceOf(Router.WrongMethod.class,
                router.match(HttpMethod.POST, List.of("api", "users", "x")));
        assertEquals(Set.of(HttpMethod.GET, HttpMethod.PUT), wrong.allowed());
        assertInstanceOf(Router.NoRoute.class, router.match(HttpMethod.GET, List.of("api", "users", "x", "y")));
    }

    @Test
    void segmentsAreDecodedAfterSplitting() {
        assertEquals(List.of("api", "queues", "/", "a b+c"), PathSegments.of("/api/queues/%2F/a%20b+c"));
        assertEquals(List.of("api", "vhosts", "caf\u00e9"), PathSegments.of("/api/vhosts/caf%C3%A9/"));
        assertEquals(400, org.junit.jupiter.api.Assertions.assertThrows(ApiException.class,
                () -> PathSegments.of("/api/queues/%2")).status().code());
    }
}
