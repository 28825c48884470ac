package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node leaves the cluster for good and comes back as a new one (rabbitmqctl forget_cluster_node, then a reset node
 * joining): three Warren processes ({@link ClusterHarness}); logs in target/cluster-membership-process-it/.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ClusterMembershipProcessIT {
    private static final long WAIT_MS = 30_000;
    private static final int A = 0;
    private static final int B = 1;
    private static final int C = 2;
    @RegisterExtension
    static final ClusterHarness cluster = ClusterHarness.forTests("cluster-membership-process-it");

    @Test
    void aForgottenNodeLeavesTheClusterAndItsQueuesAndComesBackOnlyAsANewNode() throws Exception {
        try (Connection a = cluster.factory(A).newConnection()) {
            Channel ch = a.createChannel();
            ch.queueDeclare("orders", true, false, false, Map.of("x-queue-type", "quorum"));
            ch.confirmSelect();
            ch.basicPublish("", "orders", null, "kept".getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(WAIT_MS);
        }
        assertEquals(3, cluster.api(A, "/api/queues/%2F/orders").path("members").size());

        cluster.kill(C);
        ClusterHarness.await(cluster.name(A) + " sees " + cluster.name(C) + " stopped", WAIT_MS,
                () -> runningNodes(A).size() == 2);
        AssertionError running = assertThrows(AssertionError.class,
                () -> cluster.warrenctl(A, "forget_cluster_node", cluster.name(B)));
        assertTrue(running.getMessage().contains("is running: stop it before forgetting it"), running.getMessage());
        cluster.warrenctl(A, "forget_cluster_node", cluster.name(C));

        Set<String> two = new TreeSet<>(List.of(cluster.name(A), cluster.name(B)));
        assertEquals(two, strings(cluster.warrenctlJson(A, "cluster_status").path("disk_nodes")));
        assertEquals(two, strings(cluster.api(A, "/api/queues/%2F/orders").path("members")));
        try (Connection b = cluster.factory(B).newConnection()) {
            b.createChannel().exchangeDeclare("after-forgetting", "direct", true); // two of two commit it
        }

        // started again as it was, the forgotten node refuses: it would be a member nobody counts
        assertThrows(Throwable.class, () -> cluster.restart(C)); // the harness fails a start that ends without a banner
        assertTrue(Files.readString(cluster.log(C)).contains("was removed from the cluster"), "C says why it stopped");

        // reset (an empty data directory), it joins as a new node; grow gives it a replica of the queue
        TestFiles.deleteRecursively(cluster.dataDir(C));
        cluster.restart(C);
        Set<String> three = new TreeSet<>(List.of(cluster.name(A), cluster.name(B), cluster.name(C)));
        ClusterHarness.await("three disk nodes again", WAIT_MS, () -> {
            try {
                return three.equals(strings(cluster.warrenctlJson(A, "cluster_status").path("disk_nodes")));
            } catch (Exception e) {
                return false;
            }
        });
        cluster.warrenctl(A, "grow", cluster.name(C), "all");
        assertEquals(three, strings(cluster.api(A, "/api/queues/%2F/orders").path("members")));
        try (Connection c = cluster.factory(C).newConnection()) {
            Channel ch = c.createChannel();
            ch.exchangeDeclarePassive("after-forgetting"); // the definitions it missed
            List<String> got = new CopyOnWriteArrayList<>();
            ch.basicConsume("orders", true, new DefaultConsumer(ch) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                    got.add(new String(body, StandardCharsets.UTF_8));
                }
            });
            ClusterHarness.await("the message through the new member " + cluster.name(C), WAIT_MS, () -> got.contains("kept"));
        }
    }

    private static Set<String> runningNodes(int node) {
        try {
            return strings(cluster.warrenctlJson(node, "cluster_status").path("running_nodes"));
        } catch (Exception e) {
            return Set.of();
        }
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> out = new TreeSet<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
