package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.store.raft.ClusterPeer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterJoinTest {
    @TempDir
    Path data;

    private ServerConfig alone() {
        return ServerConfig.defaults().withDataDir(data)
                .withLogging(ServerConfig.defaults().logging().withDir(data.resolve("log")))
                .withCluster(ClusterConfig.defaults().withNodename("warren3@127.0.0.1").withPort(25679));
    }

    @Test
    void aResetEmptiesTheDataDirectoryButTheLockAndTheLogsAndRecordsTheClusterJoined() throws IOException {
        Files.createDirectories(data.resolve("msgs"));
        Files.writeString(data.resolve("msgs").resolve("00000001.seg"), "messages");
        Files.writeString(data.resolve("definitions.json"), "{}");
        Files.writeString(data.resolve(DataDirLock.FILE_NAME), "");
        Files.createDirectories(data.resolve("log"));
        Files.writeString(data.resolve("log").resolve("warren.log"), "kept");

        ClusterJoin.reset(alone(), ClusterPeer.parse("warren1@10.0.0.1:25672"), ClusterPeer.parse("warren3@127.0.0.1:25679"));

        try (var left = Files.list(data)) {
            assertEquals(List.of("cluster_nodes.config", "log", DataDirLock.FILE_NAME),
                    left.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertTrue(Files.exists(data.resolve("log").resolve("warren.log")));
        ClusterConfig joined = ClusterJoin.withJoinedCluster(alone()).cluster();
        assertTrue(joined.enabled());
        assertEquals(List.of(ClusterPeer.parse("warren1@10.0.0.1:25672"), ClusterPeer.parse("warren3@127.0.0.1:25679")),
                joined.peers());
    }

    @Test
    void aConfigurationThatListsTheClusterTakesPrecedenceOverTheFile() throws IOException {
        Files.writeString(data.resolve(ClusterJoin.FILE), "warren1@10.0.0.1:25672\n");
        ServerConfig configured = alone().withCluster(alone().cluster().withDiscovery(ClusterConfig.CLASSIC_CONFIG)
                .withNode(1, ClusterPeer.parse("warren3@127.0.0.1:25679")));
        assertSame(configured, ClusterJoin.withJoinedCluster(configured));
        ServerConfig withoutFile = alone();
        Files.delete(data.resolve(ClusterJoin.FILE));
        assertSame(withoutFile, ClusterJoin.withJoinedCluster(withoutFile));
    }

    @Test
    void aJoinIsRefusedWithAReasonBeforeAnythingIsReset() throws IOException {
        IllegalArgumentException malformed = assertThrows(IllegalArgumentException.class,
                () -> ClusterJoin.check(alone(), "warren1"));
        assertTrue(malformed.getMessage().contains("expected NAME@HOST:PORT"), malformed.getMessage());
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        int port = closed;
        IllegalArgumentException nobody = assertThrows(IllegalArgumentException.class,
                () -> ClusterJoin.check(alone(), "warren1@127.0.0.1:" + port));
        assertTrue(nobody.getMessage().startsWith("nothing answers on 127.0.0.1:" + port), nobody.getMessage());
    }

    @Test
    void theJoiningNodeIsKnownByItsNameHostAndInterNodePort() throws IOException {
        dev.warren.core.NodeName.set("warren3@127.0.0.1");
        try (ServerSocket seed = new ServerSocket(0)) {
            ClusterPeer self = ClusterJoin.check(alone(), "warren1@127.0.0.1:" + seed.getLocalPort()).self();
            assertEquals(ClusterPeer.parse("warren3@127.0.0.1:25679"), self);
            IllegalArgumentException itself = assertThrows(IllegalArgumentException.class,
                    () -> ClusterJoin.check(alone(), "warren3@127.0.0.1:" + seed.getLocalPort()));
            assertTrue(itself.getMessage().endsWith("is this node"), itself.getMessage());
        } finally {
            dev.warren.core.NodeName.set(null);
        }
        assertFalse(Files.exists(data.resolve(ClusterJoin.FILE)));
    }
}
