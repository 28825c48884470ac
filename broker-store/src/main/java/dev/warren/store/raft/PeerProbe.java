package dev.warren.store.raft;

import dev.warren.core.cluster.ClusterNode;
import dev.warren.core.cluster.ClusterView;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Which cluster nodes are running, as this node sees them: every second it opens (and closes) a TCP connection to each
 * other node's inter-node port; a node that accepted within half a second is running. This node always is. A node
 * that stops accepting (its process died) is reported once to {@link #onDown}. A paused process (SIGSTOP) still
 * accepts (the kernel does), so it is not seen as down here; Raft's elections notice it.
 */
final class PeerProbe implements ClusterView, AutoCloseable {
    private static final int CONNECT_TIMEOUT_MILLIS = 500;

    private final ClusterPeers peers;
    private final String self;
    private final Map<String, Boolean> reachable = new ConcurrentHashMap<>();
    /** Told the name of a node that was running and no longer accepts connections (the probe's thread). */
    private volatile Consumer<String> onDown = node -> { };
    private final ScheduledExecutorService probes = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "warren-cluster-probe");
        thread.setDaemon(true);
        return thread;
    });

    PeerProbe(ClusterPeers peers, String self) {
        this.peers = peers;
        this.self = self;
    }

    /** From now on {@code listener} hears of each node that was running and stopped accepting connections. */
    void onDown(Consumer<String> listener) {
        this.onDown = listener;
    }

    void start() {
        probes.scheduleWithFixedDelay(this::probeAll, 0, 1, TimeUnit.SECONDS);
    }

    private void probeAll() {
        for (ClusterPeer peer : peers.members()) {
            if (!peer.name().equals(self)) {
                boolean now = connects(peer);
                Boolean before = reachable.put(peer.name(), now);
                if (Boolean.TRUE.equals(before) && !now) {
                    onDown.accept(peer.name());
                }
            }
        }
    }

    private static boolean connects(ClusterPeer peer) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(peer.host(), peer.port()), CONNECT_TIMEOUT_MILLIS);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public List<ClusterNode> nodes() {
        return peers.members().stream().map(p -> new ClusterNode(p.name(), p.name().equals(self) || reachable.getOrDefault(p.name(), false)))
                .toList();
    }

    @Override
    public void close() {
        probes.shutdownNow();
    }
}
