package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * A cluster of three Warren processes on loopback ({@link ClusterHarness}), one for the whole class: it forms, a
 * definition made through one node is usable through another with the RabbitMQ Java client, two nodes' concurrent
 * declares both survive, a node killed and restarted catches up with what changed while it was down, and a
 * durable declare is confirmed only once a majority committed it (506 RESOURCE_ERROR without one). The nodes'
 * logs are in target/cluster-metadata-process-it/node{1,2,3}.log.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterMetadataProcessIT {
    /** A change waits this long for a quorum before the client hears 506 (warren.metadata_timeout). */
    private static final long METADATA_TIMEOUT_MS = 3_000;
    private static final long REPLICATION_WAIT_MS = 20_000;
    private static final int A = 0;
    private static final int B = 1;
    private static final int C = 2;

    private static ClusterHarness cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        Path dir = Path.of(System.getProperty("warren.test.output", "target"), "cluster-metadata-process-it");
        TestFiles.deleteRecursively(dir);
        cluster = ClusterHarness.start(dir, List.of("warren.metadata_timeout = " + METADATA_TIMEOUT_MS));
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void everyNodeListsTheThreeNodesAsRunning() throws Exception {
        List<String> names = List.of(cluster.name(A), cluster.name(B), cluster.name(C));
        for (int node = 0; node < ClusterHarness.SIZE; node++) {
            int n = node;
            ClusterHarness.await(cluster.name(n) + " sees 3 running nodes", REPLICATION_WAIT_MS,
                    () -> runningNodes(n).size() == 3);
            JsonNode status = cluster.warrenctlJson(n, "cluster_status");
            assertEquals(new TreeSet<>(names), strings(status.path("disk_nodes")));
            assertEquals(new TreeSet<>(names), strings(status.path("running_nodes")));
            String text = cluster.warrenctl(n, "cluster_status");
            assertTrue(text.contains("Running Nodes\n\n" + String.join("\n", names)), text);
        }
    }

    private static TreeSet<String> runningNodes(int node) {
        try {
            return strings(cluster.warrenctlJson(node, "cluster_status").path("running_nodes"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static TreeSet<String> strings(JsonNode array) {
        TreeSet<String> all = new TreeSet<>();
        array.forEach(n -> all.add(n.asText()));
        return all;
    }
}
