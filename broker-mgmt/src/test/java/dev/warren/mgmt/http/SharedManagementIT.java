package dev.warren.mgmt.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of integration test classes that share one whole broker ({@link ManagementFixture}) per class: it is
 * started before the class's first test and closed after its last. Tests keep apart by naming their own
 * queues, users and vhosts. Public for the test classes of the other mgmt packages (metrics).
 */
public abstract class SharedManagementIT {
    protected static ManagementFixture fixture;
    /** Logged in as guest, the default user: an administrator with every permission on "/". */
    protected static ApiClient api;

    @BeforeAll
    static void startBroker() throws Exception {
        fixture = ManagementFixture.start();
        api = fixture.guestApi();
    }

    @AfterAll
    static void stopBroker() {
        if (fixture != null) {
            fixture.close();
        }
    }

    // ---- helpers shared by the test classes ----

    /** The given field of each object of a JSON array, in the array's order. */
    protected static List<String> names(JsonNode list, String field) {
        List<String> names = new ArrayList<>();
        list.forEach(n -> names.add(n.path(field).asText()));
        return names;
    }

    /** Polls GET path as {@link #api} until the JSON satisfies the condition, for at most 10 s. */
    protected static JsonNode await(String path, Predicate<JsonNode> condition) throws InterruptedException {
        return api.await(path, condition, Duration.ofSeconds(10));
    }
}
