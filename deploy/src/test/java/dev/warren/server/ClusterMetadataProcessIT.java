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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

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

    @RegisterExtension
    static final ClusterHarness cluster = ClusterHarness.forTests("cluster-metadata-process-it", List.of("warren.metadata_timeout = " + METADATA_TIMEOUT_MS), ClusterHarness.SIZE);

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

    @Test
    @Order(2)
    void exchangesBindingsUsersPermissionsAndPoliciesMadeThroughOneNodeAreUsableThroughAnother() throws Exception {
        try (Connection a = cluster.factory(A).newConnection()) {
            Channel ch = a.createChannel();
            ch.exchangeDeclare("orders", "topic", true);
            ch.exchangeDeclare("orders.eu", "fanout", true);
            ch.exchangeDeclare("unrouted", "fanout", true);
            ch.exchangeBind("orders.eu", "orders", "eu.#");
            ch.queueDeclare("orders.audit", true, false, false, null);
        }
        cluster.warrenctl(A, "add_user", "alex", "s3cret");
        cluster.warrenctl(A, "set_permissions", "-p", "/", "alex", ".*", ".*", ".*");
        cluster.warrenctl(A, "set_policy", "--apply-to", "exchanges", "ae", "^orders$", "{\"alternate-exchange\": \"unrouted\"}");

        ConnectionFactory asAlex = cluster.factory(C);
        asAlex.setUsername("alex");
        asAlex.setPassword("s3cret");
        Connection c = awaitResult("alex logs in through " + cluster.name(C), asAlex::newConnection);
        try (c) {
            awaitResult("the policy reaches " + cluster.name(C), () -> {
                JsonNode policies = cluster.warrenctlJson(C, "list_policies");
                return policies.size() == 1 && policies.get(0).path("name").asText().equals("ae") ? policies : null;
            });
            Channel ch = c.createChannel();
            ch.exchangeDeclarePassive("orders");
            ch.exchangeDeclarePassive("orders.eu");
            String europe = ch.queueDeclare("", false, true, true, null).getQueue();
            ch.queueBind(europe, "orders.eu", "");
            String elsewhere = ch.queueDeclare("", false, true, true, null).getQueue();
            ch.queueBind(elsewhere, "unrouted", "");
            ch.basicPublish("orders", "eu.paris", null, "to paris".getBytes(StandardCharsets.UTF_8));
            ch.basicPublish("orders", "us.boston", null, "to boston".getBytes(StandardCharsets.UTF_8));
            assertEquals("to paris", body(awaitResult("the message routed through A's binding", () -> ch.basicGet(europe, true))));
            assertEquals("to boston", body(awaitResult("the message routed to the policy's alternate exchange",
                    () -> ch.basicGet(elsewhere, true))));

            // a queue of node A: its name is taken on C, and C forwards to A what is done with it
            AMQP.Queue.DeclareOk ok = ch.queueDeclarePassive("orders.audit");
            assertEquals("orders.audit", ok.getQueue());
            ch.basicPublish("", "orders.audit", null, "audited".getBytes(StandardCharsets.UTF_8));
            assertEquals("audited", body(awaitResult("the message through A's queue", () -> ch.basicGet("orders.audit", true))));
        }
    }

    @Test
    @Order(3)
    void twoNodesDeclaringDifferentExchangesAtTheSameTimeBothSurvive() throws Exception {
        int each = 25;
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Void>> declaring = new ArrayList<>();
        for (int node : new int[] {A, B}) {
            declaring.add(CompletableFuture.runAsync(() -> {
                try (Connection connection = cluster.factory(node).newConnection()) {
                    Channel ch = connection.createChannel();
                    go.await();
                    for (int i = 0; i < each; i++) {
                        ch.exchangeDeclare("concurrent." + node + "." + i, "direct", true);
                    }
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }, task -> new Thread(task, "declare-on-" + node).start()));
        }
        go.countDown();
        CompletableFuture.allOf(declaring.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        for (int node = 0; node < ClusterHarness.SIZE; node++) {
            int n = node;
            ClusterHarness.await(cluster.name(n) + " has every exchange both nodes declared", REPLICATION_WAIT_MS,
                    () -> exchanges(n).stream().filter(name -> name.startsWith("concurrent.")).count() == 2L * each);
        }
    }

    @Test
    @Order(4)
    void aNodeKilledAndRestartedCatchesUpWithWhatChangedWhileItWasDown() throws Exception {
        cluster.kill(C);
        try (Connection a = cluster.factory(A).newConnection()) {
            Channel ch = a.createChannel();
            ch.exchangeDeclare("while-c-was-down", "topic", true);
            ch.exchangeDelete("concurrent.0.0");
        }
        cluster.warrenctl(A, "add_user", "late", "arrival");
        cluster.warrenctl(A, "set_permissions", "-p", "/", "late", ".*", ".*", ".*");
        cluster.restart(C);

        // no waiting: a node listens only once it has applied what the cluster committed before
        Set<String> onC = exchanges(C);
        assertTrue(onC.contains("while-c-was-down"), onC.toString());
        assertTrue(!onC.contains("concurrent.0.0"), onC.toString());
        ConnectionFactory asLate = cluster.factory(C);
        asLate.setUsername("late");
        asLate.setPassword("arrival");
        try (Connection c = asLate.newConnection()) {
            c.createChannel().exchangeDeclarePassive("while-c-was-down");
        }
    }

    @Test
    @Order(5)
    void aDurableDeclareNeedsAMajorityAndWithoutOneFailsWithResourceError() throws Exception {
        cluster.kill(C);
        try (Connection a = cluster.factory(A).newConnection()) {
            a.createChannel().exchangeDeclare("with-one-node-down", "direct", true); // two of three commit it
        }
        try (Connection b = cluster.factory(B).newConnection()) {
            b.createChannel().exchangeDeclarePassive("with-one-node-down");
        }
        cluster.kill(B);
        Connection refusedConnection = cluster.factory(A).newConnection();
        try {
            Connection a = refusedConnection;
            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class,
                    () -> a.createChannel().exchangeDeclare("with-two-nodes-down", "direct", true));
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            ShutdownSignalException closed = (ShutdownSignalException) e.getCause();
            assertTrue(closed.isHardError(), "a connection error, as RabbitMQ's for a metadata store timeout");
            assertEquals(506, ((AMQP.Connection.Close) closed.getReason()).getReplyCode(), closed.getMessage());
            assertTrue(closed.getMessage().contains("did not commit the change within " + METADATA_TIMEOUT_MS + " ms"),
                    closed.getMessage());
            assertTrue(tookMillis >= METADATA_TIMEOUT_MS - 100 && tookMillis < METADATA_TIMEOUT_MS + 10_000,
                    "refused after the metadata timeout, not at once nor much later: " + tookMillis + " ms");
        } finally {
            refusedConnection.abort(); // closed by the broker's 506 already, unless an assertion failed first
        }
        try (Connection a = cluster.factory(A).newConnection()) {
            IOException e = assertThrows(IOException.class,
                    () -> a.createChannel().exchangeDeclarePassive("with-two-nodes-down"));
            assertEquals(404, ((AMQP.Channel.Close) ((ShutdownSignalException) e.getCause()).getReason()).getReplyCode(),
                    "the declare that was not committed is undone on the node that took it");
        }

        cluster.restart(B, C);
        try (Connection b = cluster.factory(B).newConnection()) {
            b.createChannel().exchangeDeclare("after-the-majority-is-back", "direct", true);
        }
        ClusterHarness.await("the three nodes agree on the exchanges", REPLICATION_WAIT_MS,
                () -> exchanges(A).equals(exchanges(B)) && exchanges(B).equals(exchanges(C))
                        && exchanges(A).contains("after-the-majority-is-back") && exchanges(A).contains("with-one-node-down"));
    }

    /** Durable exchange names the node lists. */
    private static Set<String> exchanges(int node) {
        try {
            Set<String> names = new TreeSet<>();
            cluster.warrenctlJson(node, "list_exchanges", "name").forEach(e -> names.add(e.path("name").asText()));
            return names;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Retries until the attempt returns something (not null, no exception), up to the wait. */
    private static <T> T awaitResult(String what, ClusterHarness.Attempt<T> attempt) throws InterruptedException {
        return ClusterHarness.awaitResult(what, REPLICATION_WAIT_MS, attempt);
    }

    private static String body(GetResponse response) {
        return new String(response.getBody(), StandardCharsets.UTF_8);
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
