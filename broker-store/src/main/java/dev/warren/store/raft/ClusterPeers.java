package dev.warren.store.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.ratis.protocol.RaftPeer;

/**
 * The cluster's nodes and their inter-node addresses as this node knows them now: the metadata group's current
 * configuration, which carries every member's address (so a node that joined with join_cluster is known to nodes
 * whose configuration does not list it, and a forgotten one is gone), the configured nodes first in their order;
 * the configured nodes while this node cannot tell (its member of the group is not running).
 */
final class ClusterPeers {
    private final List<ClusterPeer> configured;
    /** The metadata group's members now, or null when this node cannot tell. */
    private final Supplier<List<RaftPeer>> current;

    ClusterPeers(List<ClusterPeer> configured, Supplier<List<RaftPeer>> current) {
        this.configured = List.copyOf(configured);
        this.current = current;
    }

    List<ClusterPeer> members() {
        List<RaftPeer> now = current.get();
        if (now == null || now.isEmpty()) {
            return configured;
        }
        List<ClusterPeer> members = new ArrayList<>();
        for (ClusterPeer peer : configured) {
            now.stream().filter(p -> p.getId().toString().equals(peer.name())).findFirst()
                    .ifPresent(p -> members.add(of(p)));
        }
        for (RaftPeer peer : now) {
            if (members.stream().noneMatch(m -> m.name().equals(peer.getId().toString()))) {
                members.add(of(peer));
            }
        }
        return members;
    }

    /** A member, else a configured node, by name. */
    Optional<ClusterPeer> find(String name) {
        return members().stream().filter(p -> p.name().equals(name)).findFirst()
                .or(() -> configured.stream().filter(p -> p.name().equals(name)).findFirst());
    }

    /** A Raft peer's address is {@code HOST:PORT}, or {@code [V6HOST]:PORT}. */
    static ClusterPeer of(RaftPeer peer) {
        String address = peer.getAddress();
        int colon = address.lastIndexOf(':');
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new ClusterPeer(peer.getId().toString(), host, Integer.parseInt(address.substring(colon + 1)));
    }
}
