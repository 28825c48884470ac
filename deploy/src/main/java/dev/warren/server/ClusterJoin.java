package dev.warren.server;

import dev.warren.core.NodeName;
import dev.warren.store.raft.ClusterPeer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * warrenctl join_cluster: a node outside a cluster becomes a member of the cluster another node is in. As
 * rabbitmqctl's, it resets the node first (its definitions and messages go: the cluster's replace them), then the
 * node restarts in the cluster, which adds it as a member (the metadata group's configuration carries its address
 * to the others, so their configuration need not list it). What it joined is kept in
 * {@code <data>/cluster_nodes.config} (RabbitMQ keeps a file of that name too), so later starts are in the cluster
 * without {@code classic_config}; a configuration that lists the cluster's nodes itself takes precedence.
 */
final class ClusterJoin {
    static final String FILE = "cluster_nodes.config";
    private static final int CONNECT_TIMEOUT_MILLIS = 2_000;

    private ClusterJoin() {
    }

    /** A join asked for: the node whose cluster this one joins, and this node as the others will know it. */
    record Joining(ClusterPeer seed, ClusterPeer self) {
    }

    /** The configuration with the cluster this node joined, when it joined one and the configuration lists none. */
    static ServerConfig withJoinedCluster(ServerConfig config) throws IOException {
        Path file = config.dataDir().resolve(FILE);
        if (config.cluster().enabled() || !Files.exists(file)) {
            return config;
        }
        ClusterConfig cluster = config.cluster().withDiscovery(ClusterConfig.CLASSIC_CONFIG);
        int position = 1;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank() && !line.startsWith("#")) {
                try {
                    cluster = cluster.withNode(position++, ClusterPeer.parse(line));
                } catch (IllegalArgumentException e) {
                    throw new IOException(file + ": '" + line + "': " + e.getMessage());
                }
            }
        }
        return config.withCluster(cluster);
    }

    /**
     * Whether this node (outside a cluster) can join the cluster {@code seed} is in (refused with a reason: the name
     * is not NAME@HOST:PORT, or nothing listens there), with this node as the others will know it: its node name, the
     * host of that name, and its inter-node port.
     */
    static Joining check(ServerConfig config, String seed) {
        ClusterPeer target;
        try {
            target = ClusterPeer.parse(seed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + seed + "': " + e.getMessage() + " (the other node's name and its "
                    + "inter-node port, cluster.tcp.port)");
        }
        String name = NodeName.get();
        if (target.name().equals(name)) {
            throw new IllegalArgumentException("'" + seed + "' is this node");
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(target.host(), target.port()), CONNECT_TIMEOUT_MILLIS);
        } catch (IOException e) {
            throw new IllegalArgumentException("nothing answers on " + target.host() + ":" + target.port() + " ('"
                    + seed + "'): " + e.getMessage());
        }
        return new Joining(target, new ClusterPeer(name, name.substring(name.indexOf('@') + 1), config.cluster().port()));
    }

    /**
     * Resets this (stopped) node, as rabbitmqctl reset does, and records the cluster it joins: {@code seed} and
     * itself; the members it learns when it starts.
     */
    static void reset(ServerConfig config, ClusterPeer seed, ClusterPeer self) throws IOException {
        Path dir = config.dataDir();
        List<Path> contents = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            entries.forEach(contents::add);
        }
        Path logs = config.logging().dir().toAbsolutePath();
        for (Path entry : contents) {
            // not the lock, nor a log directory configured inside the data directory (its file is open)
            if (!entry.getFileName().toString().equals(DataDirLock.FILE_NAME) && !logs.startsWith(entry.toAbsolutePath())) {
                deleteRecursively(entry);
            }
        }
        Path temporary = dir.resolve(FILE + ".tmp");
        Files.writeString(temporary, "# the cluster this node joined (warrenctl join_cluster): NAME@HOST:PORT per line\n"
                + seed.name() + ":" + seed.port() + "\n" + self.name() + ":" + self.port() + "\n", StandardCharsets.UTF_8);
        Files.move(temporary, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (Files.isDirectory(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(path)) {
                for (Path entry : entries) {
                    deleteRecursively(entry);
                }
            }
        }
        Files.delete(path);
    }
}
