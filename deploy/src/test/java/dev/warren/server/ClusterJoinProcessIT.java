package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * warrenctl join_cluster: a node running alone joins a two-node cluster, as with rabbitmqctl join_cluster (reset,
 * then a member), and stays a member across restarts without any cluster configuration of its own; three Warren
 * processes ({@link ClusterHarness}), logs in target/cluster-join-process-it/.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ClusterJoinProcessIT {
    private static final long WAIT_MS = 60_000;
    private static final int A = 0;
    private static final int B = 1;
    private static final int C = 2;
    @RegisterExtension
    static final ClusterHarness cluster = ClusterHarness.forTests("cluster-join-process-it", List.of(), 2); // A and B a cluster, C alone

    @Test
    void aNodeRunningAloneJoinsTheClusterIsResetAndStaysAMemberAfterARestart() throws Exception {
        try (Connection c = cluster.factory(C).newConnection()) {
            Channel ch = c.createChannel();
            ch.queueDeclare("before-joining", true, false, false, null);
            ch.basicPublish("", "before-joining", null, "goes with the reset".getBytes(StandardCharsets.UTF_8));
        }
        assertEquals(Set.of(cluster.name(C)), strings(cluster.warrenctlJson(C, "cluster_status").path("disk_nodes")));
        try (Connection a = cluster.factory(A).newConnection()) {
            Channel ch = a.createChannel();
            ch.queueDeclare("orders", true, false, false, Map.of("x-queue-type", "quorum"));
            ch.queueDeclare("greetings", true, false, false, null);
            ch.confirmSelect();
            ch.basicPublish("", "orders", null, "ordered".getBytes(StandardCharsets.UTF_8));
            ch.basicPublish("", "greetings", null, "hello".getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(WAIT_MS);
        }

        AssertionError malformed = assertThrows(AssertionError.class, () -> cluster.warrenctl(C, "join_cluster", "nonsense"));
        assertTrue(malformed.getMessage().contains("expected NAME@HOST:PORT"), malformed.getMessage());
        AssertionError nobody = assertThrows(AssertionError.class,
                () -> cluster.warrenctl(C, "join_cluster", "warren9@127.0.0.1:" + LocalWarrenctl.freePort()));
        assertTrue(nobody.getMessage().contains("nothing answers on 127.0.0.1:"), nobody.getMessage());
        AssertionError member = assertThrows(AssertionError.class,
                () -> cluster.warrenctl(A, "join_cluster", cluster.name(C) + ":" + cluster.clusterPort(C)));
        assertTrue(member.getMessage().contains("already a member of a cluster"), member.getMessage());

        String before = cluster.banner(C);
        cluster.warrenctl(C, "join_cluster", cluster.name(A) + ":" + cluster.clusterPort(A));
        ClusterHarness.await(cluster.name(C) + " restarted in the cluster", WAIT_MS, () -> !before.equals(cluster.banner(C)));
        Set<String> three = new TreeSet<>(List.of(cluster.name(A), cluster.name(B), cluster.name(C)));
        for (int node : new int[] {A, B, C}) {
            ClusterHarness.await(cluster.name(node) + " lists three running nodes", WAIT_MS,
                    () -> three.equals(running(node)));
        }
        assertTrue(Files.readString(cluster.dataDir(C).resolve("cluster_nodes.config")).contains(cluster.name(A)));

        // reset: what C had alone is gone; the cluster's definitions and queues are there, through C
        try (Connection c = cluster.factory(C).newConnection()) {
            Channel ch = c.createChannel();
            IOException gone = assertThrows(IOException.class, () -> ch.queueDeclarePassive("before-joining"));
            ShutdownSignalException closed = (ShutdownSignalException) gone.getCause();
            assertEquals(404, ((AMQP.Channel.Close) closed.getReason()).getReplyCode(), closed.getMessage());
            Channel get = c.createChannel();
            GetResponse ordered = get.basicGet("orders", true);
            assertEquals("ordered", new String(ordered.getBody(), StandardCharsets.UTF_8));
            GetResponse hello = get.basicGet("greetings", true);
            assertEquals("hello", new String(hello.getBody(), StandardCharsets.UTF_8));
            get.exchangeDeclare("declared-on-c", "fanout", true);
        }
        try (Connection a = cluster.factory(A).newConnection()) {
            a.createChannel().exchangeDeclarePassive("declared-on-c");
        }
        cluster.warrenctl(A, "grow", cluster.name(C), "all");
        assertEquals(three, strings(cluster.api(A, "/api/queues/%2F/orders").path("members")));

        // C's configuration still lists no cluster: cluster_nodes.config keeps it a member across restarts
        cluster.kill(C);
        cluster.restart(C);
        ClusterHarness.await(cluster.name(C) + " lists three running nodes after its restart", WAIT_MS,
                () -> three.equals(running(C)));
        try (Connection c = cluster.factory(C).newConnection()) {
            c.createChannel().exchangeDeclarePassive("declared-on-c");
        }
    }

    private static Set<String> running(int node) {
        try {
            return strings(cluster.warrenctlJson(node, "cluster_status").path("running_nodes"));
        } catch (Exception | AssertionError e) {
            return Set.of(); // not answering yet (restarting)
        }
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> names = new TreeSet<>();
        array.forEach(n -> names.add(n.asText()));
        return names;
    }
}
