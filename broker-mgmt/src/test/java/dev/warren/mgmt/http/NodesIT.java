package dev.warren.mgmt.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** /api/nodes: this node's facts with RabbitMQ's field names, for monitoring users and administrators. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NodesIT extends SharedManagementIT {
    @Test
    void theNodeReportsUptimeMemoryAgainstTheWatermarkFileDescriptorsAndAlarms() {
        JsonNode nodes = api.get("/api/nodes").json();
        assertEquals(1, nodes.size());
        JsonNode n = nodes.get(0);
        assertEquals(api.get("/api/overview").json().path("node").asText(), n.path("name").asText());
        assertTrue(n.path("running").asBoolean());
        assertTrue(n.path("uptime").asLong() > 0);
        assertEquals(ManagementFixture.PRETEND_MEMORY_USED, n.path("mem_used").asLong());
        assertEquals((long) (0.6 * ManagementFixture.PRETEND_TOTAL_MEMORY), n.path("mem_limit").asLong());
        assertFalse(n.path("mem_alarm").asBoolean(true));
        assertFalse(n.path("disk_free_alarm").asBoolean(true));
        assertTrue(n.path("fd_used").asLong() > 0 && n.path("fd_used").asLong() <= n.path("fd_total").asLong(), n.toString());
        JsonNode one = api.get("/api/nodes/" + ApiClient.enc(n.path("name").asText())).json();
        assertEquals(n.path("name"), one.path("name"));
        assertEquals(n.path("mem_limit"), one.path("mem_limit"));
    }

    @Test
    void freeDiskSpaceAndItsLimitAppearOnceTheStoreHasMeasuredThem() throws Exception {
        fixture.broker().storage().diskAlarm().measured(5_000_000_000L, 50_000_000L);
        JsonNode n = api.get("/api/nodes").json().get(0);
        assertEquals(5_000_000_000L, n.path("disk_free").asLong());
        assertEquals(50_000_000L, n.path("disk_free_limit").asLong());
    }

    @Test
    void managementUsersAreRefusedAndUnknownNodesAre404() {
        api.put("/api/users/nodes-manager", "{\"password\":\"p\",\"tags\":\"management\"}");
        assertEquals(403, ApiClient.basic(fixture.baseUrl(), "nodes-manager", "p").get("/api/nodes").status());
        assertEquals(404, api.get("/api/nodes/rabbit@elsewhere").status());
    }
}
