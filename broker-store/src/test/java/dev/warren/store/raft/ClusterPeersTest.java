package dev.warren.store.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.ratis.protocol.RaftPeer;
import org.junit.jupiter.api.Test;

class ClusterPeersTest {
    private static final ClusterPeer ONE = ClusterPeer.parse("warren1@10.0.0.1:25672");
    private static final ClusterPeer TWO = ClusterPeer.parse("warren2@10.0.0.2:25672");
    private static final ClusterPeer THREE = ClusterPeer.parse("warren3@10.0.0.3:25673");

    private static RaftPeer raft(String name, String address) {
        return RaftPeer.newBuilder().setId(name).setAddress(address).build();
    }

    @Test
    void theMembersAreTheGroupsConfigurationTheConfiguredNodesFirstThenThoseThatJoined() {
        AtomicReference<List<RaftPeer>> group = new AtomicReference<>(List.of(
                raft("warren3@10.0.0.3", "10.0.0.3:25673"), raft("warren2@10.0.0.2", "10.0.0.2:25672"),
                raft("warren1@10.0.0.1", "10.0.0.1:25672")));
        ClusterPeers peers = new ClusterPeers(List.of(ONE, TWO), group::get);
        assertEquals(List.of(ONE, TWO, THREE), peers.members());
        assertEquals(Optional.of(THREE), peers.find("warren3@10.0.0.3"));

        group.set(List.of(raft("warren1@10.0.0.1", "10.0.0.1:25672"), raft("warren3@10.0.0.3", "10.0.0.3:25673")));
        assertEquals(List.of(ONE, THREE), peers.members(), "a forgotten node is no member");
        assertEquals(Optional.of(TWO), peers.find("warren2@10.0.0.2"), "but its configured address is still known");
    }

    @Test
    void theConfiguredNodesWhileThisNodeCannotTell() {
        ClusterPeers peers = new ClusterPeers(List.of(ONE, TWO), () -> null);
        assertEquals(List.of(ONE, TWO), peers.members());
    }

    @Test
    void anIpv6AddressLosesItsBrackets() {
        assertEquals(new ClusterPeer("warren4@h", "::1", 25674), ClusterPeers.of(raft("warren4@h", "[::1]:25674")));
    }
}
