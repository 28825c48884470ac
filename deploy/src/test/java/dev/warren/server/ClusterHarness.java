package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.warren.mgmt.cli.Warrenctl;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Three Warren nodes as separate JVM processes (the packaged server, {@link BrokerProcess}) forming one cluster on
 * loopback: each with its own data directory and config file, AMQP on a port it picks, management and the inter-node
 * listener on ports free when the harness starts. The nodes start at once (each waits for a majority before it
 * listens); {@link #kill} and {@link #restart} take one down (SIGKILL) and bring it back on the same directory and
 * ports. {@link #close} kills every node, and so does the JVM's exit. A test class registers one with
 * {@code @RegisterExtension static final ClusterHarness cluster = ClusterHarness.forTests("its-name")}: the nodes
 * start before its tests and stop after them.
 */
final class ClusterHarness implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
    static final int SIZE = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final int[] clusterPorts = new int[SIZE];
    private final int[] managementPorts = new int[SIZE];
    private final BrokerProcess[] nodes = new BrokerProcess[SIZE];
    /** The nodes configured as the cluster (the first ones); the rest run alone. */
    private int members = SIZE;
    /** Every process started, so a start that failed half-way leaves none running. */
    private final List<BrokerProcess> launched = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Thread killer = new Thread(this::killAll, "cluster-harness-kill");

    /** For {@link #forTests}: the config lines added to each node's file. */
    private List<String> extraConfig = List.of();

    private ClusterHarness(Path dir) {
        this.dir = dir;
    }

    /** A test class's cluster of three, in target/{@code name}/ (emptied of an earlier run's first). */
    static ClusterHarness forTests(String name) {
        return forTests(name, List.of(), SIZE);
    }

    /** As {@link #forTests(String)}, with config lines for every node and only the first {@code members} clustered. */
    static ClusterHarness forTests(String name, List<String> extraConfig, int members) {
        ClusterHarness cluster = new ClusterHarness(Path.of(System.getProperty("warren.test.output", "target"), name));
        cluster.extraConfig = List.copyOf(extraConfig);
        cluster.members = members;
        return cluster;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        TestFiles.deleteRecursively(dir);
        launchAll(extraConfig);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        close();
    }

    /** A test class's own output directory (its nodes' files and logs), emptied of an earlier run's. */
    static Path freshDir(String name) throws IOException {
        Path dir = Path.of(System.getProperty("warren.test.output", "target"), name);
        TestFiles.deleteRecursively(dir);
        return dir;
    }

    /** Starts the three nodes with these config lines added to each node's file, and waits for all their banners. */
    static ClusterHarness start(Path dir, List<String> extraConfig) throws Exception {
        return start(dir, extraConfig, SIZE);
    }

    /**
     * As {@link #start(Path, List)}, with only the first {@code members} nodes configured as the cluster; the others
     * run alone (a node name and an inter-node port, no classic_config), for join_cluster.
     */
    static ClusterHarness start(Path dir, List<String> extraConfig, int members) throws Exception {
        ClusterHarness cluster = new ClusterHarness(dir);
        cluster.members = members;
        cluster.launchAll(extraConfig);
        return cluster;
    }

    /** Picks the ports, writes each node's config file and starts the three nodes. */
    private void launchAll(List<String> extraConfig) throws Exception {
        Runtime.getRuntime().addShutdownHook(killer);
        try {
            Files.createDirectories(dir);
            // distinct: a port just closed may be handed out again, and two nodes given one port fail to start
            Set<Integer> picked = new HashSet<>();
            for (int i = 0; i < SIZE; i++) {
                clusterPorts[i] = distinctFreePort(picked);
                managementPorts[i] = distinctFreePort(picked);
            }
            for (int i = 0; i < SIZE; i++) {
                writeConfig(i, extraConfig);
            }
            restart(0, 1, 2);
        } catch (Exception | AssertionError e) {
            close();
            throw e;
        }
    }

    private static int distinctFreePort(Set<Integer> picked) throws IOException {
        int port;
        do {
            port = LocalWarrenctl.freePort();
        } while (!picked.add(port));
        return port;
    }

    private void writeConfig(int node, List<String> extra) throws IOException {
        List<String> lines = new ArrayList<>(List.of(
                "nodename = " + name(node),
                "cluster.tcp.port = " + clusterPorts[node]));
        if (node < members) {
            lines.add("cluster_formation.peer_discovery_backend = classic_config");
            for (int i = 0; i < members; i++) {
                lines.add("cluster_formation.classic_config.nodes." + (i + 1) + " = " + name(i) + ":" + clusterPorts[i]);
            }
        }
        lines.addAll(extra);
        Files.write(config(node), lines);
    }

    private BrokerProcess launch(int node) {
        try {
            BrokerProcess process = BrokerProcess.start(dataDir(node), dir.resolve("node" + (node + 1) + ".log"), name(node),
                    List.of("--config", config(node).toString(), "--mgmt-port", Integer.toString(managementPorts[node])));
            launched.add(process);
            return process;
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }

    private static BrokerProcess join(CompletableFuture<BrokerProcess> start) throws Exception {
        try {
            return start.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw (Error) e.getCause();
        }
    }

    /** The node's inter-node (Raft) port. */
    int clusterPort(int node) {
        return clusterPorts[node];
    }

    String name(int node) {
        return "warren" + (node + 1) + "@127.0.0.1";
    }

    Path dataDir(int node) {
        return dir.resolve("data" + (node + 1));
    }

    private Path config(int node) {
        return dir.resolve("node" + (node + 1) + ".conf");
    }

    Path log(int node) {
        return dir.resolve("node" + (node + 1) + ".log");
    }

    /** A client factory for the node's AMQP port, as guest (a loopback client). */
    ConnectionFactory factory(int node) {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(nodes[node].port());
        factory.setConnectionTimeout(10_000);
        factory.setHandshakeTimeout(10_000);
        factory.setChannelRpcTimeout(30_000);
        factory.setAutomaticRecoveryEnabled(false);
        return factory;
    }

    /**
     * Declares a quorum queue through node 0, publishes the text to it there with a confirm, and returns what a
     * basic.get through node 2 finds within waitMillis (null when nothing): a message that crossed the inter-node port.
     */
    String quorumRoundTrip(String queue, String text, long waitMillis) throws Exception {
        try (Connection first = factory(0).newConnection(); Connection last = factory(SIZE - 1).newConnection()) {
            Channel ch = first.createChannel();
            ch.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "quorum"));
            ch.confirmSelect();
            ch.basicPublish("", queue, null, text.getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(waitMillis);
            Channel onLast = last.createChannel();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
            while (System.nanoTime() < deadline) {
                GetResponse got = onLast.basicGet(queue, true);
                if (got != null) {
                    return new String(got.getBody(), StandardCharsets.UTF_8);
                }
                Thread.sleep(50);
            }
            return null;
        }
    }

    /** Runs warrenctl against the node's management API as guest; returns its output, failing on a non-zero exit. */
    String warrenctl(int node, String... args) {
        List<String> all = new ArrayList<>(List.of("--node", "http://127.0.0.1:" + managementPorts[node],
                "--username", "guest", "--password", "guest"));
        all.addAll(List.of(args));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Warrenctl.run(all.toArray(String[]::new), new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), Map.of());
        assertEquals(0, status, () -> "warrenctl " + String.join(" ", args) + " on " + name(node) + " failed:\n"
                + out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    /** GET of a management API path (such as {@code /api/queues/%2F/q}) on the node, as guest; its JSON. */
    JsonNode api(int node, String path) throws IOException, InterruptedException {
        return api(node, "GET", path, null);
    }

    /** The status the node's management API answers {@code method} on {@code path} with (as guest, no body). */
    int apiStatus(int node, String method, String path) throws IOException, InterruptedException {
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + managementPorts[node] + path))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                        "guest:guest".getBytes(StandardCharsets.UTF_8)))
                .method(method, java.net.http.HttpRequest.BodyPublishers.noBody())
                .timeout(java.time.Duration.ofSeconds(10)).build();
        return java.net.http.HttpClient.newHttpClient().send(request, java.net.http.HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    /** The node's management API as guest: {@code method} with a JSON body (or none), which must answer 200. */
    JsonNode api(int node, String method, String path, String body) throws IOException, InterruptedException {
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + managementPorts[node] + path))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                        "guest:guest".getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                        : java.net.http.HttpRequest.BodyPublishers.ofString(body))
                .timeout(java.time.Duration.ofSeconds(10)).build();
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(request,
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), () -> method + " " + path + " on " + name(node) + ": " + response.body());
        return JSON.readTree(response.body());
    }

    /** The index of the node named {@code name}. */
    int index(String nodeName) {
        for (int i = 0; i < SIZE; i++) {
            if (name(i).equals(nodeName)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no node " + nodeName);
    }

    /** warrenctl's JSON answer (--formatter json). */
    JsonNode warrenctlJson(int node, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--formatter", "json", "-q"));
        return JSON.readTree(warrenctl(node, all.toArray(String[]::new)));
    }

    /** Sends the node's process a signal ("STOP", "CONT") with kill(1). */
    void signal(int node, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(nodes[node].process.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + signal + " " + name(node));
    }

    /** The node's last banner (a node that joins a cluster prints another as it restarts in its process). */
    String banner(int node) {
        return nodes[node].banner();
    }

    /** SIGKILL, checked. */
    void kill(int node) throws InterruptedException {
        nodes[node].kill();
    }

    /** Starts a killed node again on its directory and ports; returns once it listens (it has caught up by then). */
    void restart(int node) throws Exception {
        nodes[node] = launch(node);
    }

    /** Restarts the nodes at once (each waits for a majority, which may need the others). */
    void restart(int... which) throws Exception {
        List<CompletableFuture<BrokerProcess>> starting = new ArrayList<>();
        for (int node : which) {
            // a thread each: the common pool may have one thread, and each start waits for the others
            starting.add(CompletableFuture.supplyAsync(() -> launch(node), task -> new Thread(task, "start-" + name(node)).start()));
        }
        for (CompletableFuture<BrokerProcess> start : starting) {
            try {
                start.join();
            } catch (CompletionException ignored) {
                // reported below
            }
        }
        for (int i = 0; i < which.length; i++) {
            nodes[which[i]] = join(starting.get(i));
        }
    }

    /** Waits until the condition holds, polling; fails naming it after the deadline. */
    static void await(String what, long timeoutMillis, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeoutMillis + " ms: " + what);
            }
            Thread.sleep(50);
        }
    }

    /** What {@link #awaitResult} tries again: a result, or null or an exception for "not yet". */
    interface Attempt<T> {
        T run() throws Exception;
    }

    /** Retries until the attempt returns something (not null, no exception); fails naming it after the deadline. */
    static <T> T awaitResult(String what, long timeoutMillis, Attempt<T> attempt) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                T result = attempt.run();
                if (result != null) {
                    return result;
                }
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("not within " + timeoutMillis + " ms: " + what, last);
    }

    private void killAll() {
        for (BrokerProcess node : launched) {
            if (node.process.isAlive()) {
                node.process.destroyForcibly();
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (BrokerProcess node : launched) {
            node.killQuietly();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killer);
        } catch (IllegalStateException exiting) {
            // the JVM is exiting: the hook runs anyway
        }
    }
}
