package dev.warren.store.raft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.core.quorum.ConsumerKey;
import dev.warren.core.quorum.QuorumApplied;
import dev.warren.core.quorum.QuorumCommand;
import dev.warren.core.quorum.QuorumEffect;
import dev.warren.core.quorum.QuorumQueueState;
import dev.warren.core.quorum.QuorumReply;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three Raft servers in this JVM on loopback ports, each with its {@link QuorumGroups}, running one quorum queue's
 * group: every replica applies the same commands to the same state, a stopped leader is replaced and the queue
 * goes on, and snapshots let a drained queue's log be purged from disk.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class QuorumGroupsTest {
    private static final String[] NODES = {"warren-a", "warren-b", "warren-c"};
    private static final ConsumerKey BOB = new ConsumerKey("warren-b", 1, "bob");

    @TempDir
    Path dir;
    private final List<RaftServer> servers = new ArrayList<>();
    private final List<QuorumGroups> groups = new ArrayList<>();
    private final List<List<String>> seen = new ArrayList<>();
    private RaftGroup group;

    @AfterEach
    void stop() throws IOException {
        for (int i = 0; i < servers.size(); i++) {
            if (groups.get(i) != null) {
                groups.get(i).close();
            }
            if (servers.get(i) != null) {
                servers.get(i).close();
            }
        }
    }

    private final List<RaftPeer> peers = new ArrayList<>();
    private int snapshotEvery;
    private boolean purgeUpToSnapshot;

    private void startCluster(int snapshotEvery) throws Exception {
        this.snapshotEvery = snapshotEvery;
        for (String node : NODES) {
            try (ServerSocket socket = new ServerSocket(0)) {
                peers.add(RaftPeer.newBuilder().setId(node).setAddress("127.0.0.1:" + socket.getLocalPort()).build());
            }
        }
        group = RaftGroup.valueOf(QuorumGroups.groupId("/", "orders"), peers);
        for (int i = 0; i < peers.size(); i++) {
            servers.add(null);
            groups.add(null);
            seen.add(new CopyOnWriteArrayList<>());
            startServer(i);
        }
        groups.get(0).create(group, new QuorumCommand.Configure(QuorumQueueState.DEFAULT_DELIVERY_LIMIT, false))
                .get(60, TimeUnit.SECONDS);
        for (int i = 0; i < NODES.length; i++) {
            groups.get(i).attach(group.getGroupId(), recorder(seen.get(i)));
        }
    }

    /** Starts (or starts again, on its storage) node i's Raft server with a new QuorumGroups. */
    private void startServer(int i) throws IOException {
        RaftPeer peer = peers.get(i);
        RaftProperties properties = new RaftProperties();
        RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.GRPC);
        GrpcConfigKeys.Server.setPort(properties, Integer.parseInt(peer.getAddress().split(":")[1]));
        Path storage = dir.resolve(peer.getId().toString());
        Files.createDirectories(storage);
        RaftServerConfigKeys.setStorageDir(properties, List.of(storage.toFile()));
        RaftServerConfigKeys.Rpc.setTimeoutMin(properties, TimeDuration.valueOf(1000, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(properties, TimeDuration.valueOf(2000, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(properties, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(properties, snapshotEvery);
        RaftServerConfigKeys.Log.setPurgeGap(properties, 64);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(properties, purgeUpToSnapshot);
        // as MetadataCluster's: keep the last entries so a follower a moment behind never needs a snapshot (with 256,
        // a loaded CI machine once had a follower 300 entries behind, and Ratis 3.1.3's leader then failed sending it
        // entries it had purged, "Previous = (t:1, i:2415) but firstIndex = 2432", instead of a snapshot)
        RaftServerConfigKeys.Log.setPurgePreservationLogNum(properties, purgeUpToSnapshot ? 0 : 1024);
        RaftServerConfigKeys.Log.setSegmentSizeMax(properties, SizeInBytes.valueOf("128KB"));
        QuorumGroups quorum = new QuorumGroups(properties);
        RaftServer server = RaftServer.newBuilder().setServerId(peer.getId()).setProperties(properties)
                .setStateMachineRegistry(quorum.registry(RaftGroupId.randomId(), null))
                .setOption(RaftStorage.StartupOption.RECOVER).build();
        server.start();
        if (group != null) {
            quorum.known(group);
        }
        servers.set(i, server);
        groups.set(i, quorum);
    }

    private static QuorumApplied recorder(List<String> into) {
        return new QuorumApplied() {
            @Override
            public void expiresNext(long at) {
                if (at != QuorumQueueState.NEVER) {
                    into.add("expiresNext " + at);
                }
            }

            @Override
            public void applied(long index, QuorumCommand command, List<QuorumEffect> effects) {
                for (QuorumEffect effect : effects) {
                    into.add(index + " " + effect.getClass().getSimpleName() + " " + idOf(effect));
                }
            }

            @Override
            public void restored(QuorumQueueState state) {
            }
        };
    }

    private static long idOf(QuorumEffect effect) {
        return effect instanceof QuorumEffect.Deliver d ? d.id() : -1;
    }

    private long submit(int node, QuorumCommand command) throws Exception {
        return groups.get(node).submit(group.getGroupId(), command).get(60, TimeUnit.SECONDS).index();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }

    private void awaitApplied(List<Integer> nodes, long index) throws InterruptedException {
        for (int node : nodes) {
            QuorumStateMachine replica = groups.get(node).replicaOf(group.getGroupId());
            await(NODES[node] + " applied " + index, () -> replica.getLastAppliedTermIndex() != null
                    && replica.getLastAppliedTermIndex().getIndex() >= index);
        }
    }

    @Test
    void everyReplicaAppliesTheSameCommandsToTheSameState() throws Exception {
        startCluster(10_000);
        submit(0, new QuorumCommand.Checkout(BOB, 10));
        List<CompletableFuture<QuorumReply>> publishes = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            publishes.add(groups.get(i % 3).submit(group.getGroupId(), new QuorumCommand.Enqueue(new byte[] {(byte) i})));
        }
        long last = 0;
        for (CompletableFuture<QuorumReply> publish : publishes) {
            last = Math.max(last, publish.get(60, TimeUnit.SECONDS).index());
        }
        awaitApplied(List.of(0, 1, 2), last);
        long[] delivered = seen.get(1).stream().filter(e -> e.contains("Deliver")).limit(5)
                .mapToLong(e -> Long.parseLong(e.substring(e.lastIndexOf(' ') + 1))).toArray();
        assertEquals(5, delivered.length);
        last = submit(2, new QuorumCommand.Settle(BOB, delivered));
        awaitApplied(List.of(0, 1, 2), last);

        assertEquals(seen.get(0), seen.get(1));
        assertEquals(seen.get(0), seen.get(2));
        assertEquals(15, seen.get(0).stream().filter(e -> e.contains("Deliver")).count(), "credit 10, then 5 more");
        byte[] state = groups.get(0).replicaOf(group.getGroupId()).snapshotBytes();
        assertArrayEquals(state, groups.get(1).replicaOf(group.getGroupId()).snapshotBytes());
        assertArrayEquals(state, groups.get(2).replicaOf(group.getGroupId()).snapshotBytes());
        assertEquals(25, groups.get(0).replicaOf(group.getGroupId()).totalCount());
    }

    @Test
    void theQueueGoesOnWhenItsLeaderStops() throws Exception {
        startCluster(10_000);
        submit(0, new QuorumCommand.Enqueue(new byte[] {1}));
        int leader = -1;
        for (int i = 0; i < servers.size(); i++) {
            if (servers.get(i).getDivision(group.getGroupId()).getInfo().isLeader()) {
                leader = i;
            }
        }
        assertTrue(leader >= 0, "a leader was elected");
        servers.get(leader).close();
        List<Integer> rest = new ArrayList<>(List.of(0, 1, 2));
        rest.remove(Integer.valueOf(leader));
        long last = 0;
        for (int i = 0; i < 10; i++) {
            last = submit(rest.get(i % 2), new QuorumCommand.Enqueue(new byte[] {(byte) i}));
        }
        awaitApplied(rest, last);
        assertEquals(11, groups.get(rest.get(0)).replicaOf(group.getGroupId()).totalCount());
        assertArrayEquals(groups.get(rest.get(0)).replicaOf(group.getGroupId()).snapshotBytes(),
                groups.get(rest.get(1)).replicaOf(group.getGroupId()).snapshotBytes());
    }

    @Test
    void aReplicaThatBecomesLeaderHearsWhenTheNextMessageExpiresWithoutAnotherCommand() throws Exception {
        startCluster(10_000);
        long expiresAt = System.currentTimeMillis() + 3_600_000;
        long index = submit(0, new QuorumCommand.Enqueue(new byte[] {1}, expiresAt));
        awaitApplied(List.of(0, 1, 2), index);
        int leader = -1;
        for (int i = 0; i < servers.size(); i++) {
            if (servers.get(i).getDivision(group.getGroupId()).getInfo().isLeader()) {
                leader = i;
            }
        }
        assertTrue(leader >= 0, "a leader was elected");
        List<Integer> rest = new ArrayList<>(List.of(0, 1, 2));
        rest.remove(Integer.valueOf(leader));
        int[] heardBefore = rest.stream().mapToInt(i -> (int) seen.get(i).stream()
                .filter(e -> e.equals("expiresNext " + expiresAt)).count()).toArray();
        servers.get(leader).close(); // nothing more is submitted: only the election can tell the new leader
        await("the new leader hears when the message expires", () -> {
            for (int k = 0; k < rest.size(); k++) {
                int node = rest.get(k);
                long heard = seen.get(node).stream().filter(e -> e.equals("expiresNext " + expiresAt)).count();
                boolean leads;
                try {
                    leads = servers.get(node).getDivision(group.getGroupId()).getInfo().isLeader();
                } catch (IOException e) {
                    leads = false;
                }
                if (leads && heard > heardBefore[k]) {
                    return true;
                }
            }
            return false;
        });
    }

    @Test
    void aDrainedQueueLeavesNoOldLogOnDisk() throws Exception {
        startCluster(200);
        submit(0, new QuorumCommand.Checkout(BOB, 100_000));
        byte[] body = new byte[2048];
        List<CompletableFuture<QuorumReply>> publishes = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            publishes.add(groups.get(0).submit(group.getGroupId(), new QuorumCommand.Enqueue(body)));
        }
        List<Long> ids = new ArrayList<>();
        for (CompletableFuture<QuorumReply> publish : publishes) {
            ids.add(publish.get(60, TimeUnit.SECONDS).position()); // a message's id
        }
        long last = submit(0, new QuorumCommand.Settle(BOB, ids.stream().mapToLong(Long::longValue).toArray()));
        awaitApplied(List.of(0, 1, 2), last);
        assertEquals(0, groups.get(0).replicaOf(group.getGroupId()).totalCount());
        // 6 MB of enqueues went through the log; once snapshots pass them, the closed segments are purged but for the
        // last 1024 entries (about 2 MB) every log keeps
        for (int i = 0; i < 3; i++) {
            Path logDir = dir.resolve(NODES[i]).resolve(group.getGroupId().getUuid().toString()).resolve("current");
            await(NODES[i] + "'s log purged (now " + logBytes(logDir) + " bytes)", () -> logBytes(logDir) < 2600 * 1024);
        }
    }

    @Test
    void aReplicaThatWasDownCatchesUpTwice() throws Exception {
        startCluster(200);
        for (int round = 1; round <= 2; round++) {
            servers.get(2).close();
            groups.get(2).close();
            long last = 0;
            List<CompletableFuture<QuorumReply>> publishes = new ArrayList<>();
            for (int i = 0; i < 700; i++) {
                publishes.add(groups.get(i % 2).submit(group.getGroupId(), new QuorumCommand.Enqueue(new byte[] {(byte) i})));
            }
            for (CompletableFuture<QuorumReply> publish : publishes) {
                last = Math.max(last, publish.get(60, TimeUnit.SECONDS).index());
            }
            // the others snapshotted meanwhile (and kept the log the stopped one still needs)
            startServer(2);
            awaitApplied(List.of(2), last);
            awaitApplied(List.of(0), last);
            assertArrayEquals(groups.get(0).replicaOf(group.getGroupId()).snapshotBytes(),
                    groups.get(2).replicaOf(group.getGroupId()).snapshotBytes(), "round " + round);
            assertEquals(700L * round, groups.get(2).replicaOf(group.getGroupId()).totalCount());
        }
    }

    @Test
    void aReplicaBehindThePurgedLogInstallsTheLeadersSnapshotTwice() throws Exception {
        // the others purge their logs past what the stopped one has (only closed 128 KB segments go, hence 1 KB
        // messages), so it can only catch up from a snapshot
        purgeUpToSnapshot = true;
        startCluster(200);
        for (int round = 1; round <= 2; round++) {
            long stoppedAt = servers.get(2).getDivision(group.getGroupId()).getRaftLog().getLastEntryTermIndex().getIndex();
            servers.get(2).close();
            groups.get(2).close();
            // one at a time: the two running members then never lag, so only the stopped one needs the snapshot
            // (a running follower a few entries behind a log purged to the snapshot would need one too)
            long last = 0;
            for (int i = 0; i < 700; i++) {
                last = submit(i % 2, new QuorumCommand.Enqueue(new byte[1024]));
            }
            for (int node : List.of(0, 1)) {
                RaftServer.Division division = servers.get(node).getDivision(group.getGroupId());
                await(NODES[node] + " purged its log past " + stoppedAt,
                        () -> division.getRaftLog().getStartIndex() > stoppedAt + 1);
            }
            startServer(2);
            awaitApplied(List.of(2), last);
            assertArrayEquals(groups.get(0).replicaOf(group.getGroupId()).snapshotBytes(),
                    groups.get(2).replicaOf(group.getGroupId()).snapshotBytes(), "round " + round);
            assertEquals(700L * round, groups.get(2).replicaOf(group.getGroupId()).totalCount());
        }
    }

    private static long logBytes(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("log_")).mapToLong(f -> f.toFile().length()).sum();
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }
}
