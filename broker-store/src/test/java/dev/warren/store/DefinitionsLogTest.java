package dev.warren.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warren.core.auth.PasswordHash;
import dev.warren.core.auth.User;
import dev.warren.core.limits.Limits;
import dev.warren.core.policy.ApplyTo;
import dev.warren.core.policy.Policy;
import dev.warren.core.policy.PolicyLayer;
import dev.warren.core.store.BrokerDefinitions;
import dev.warren.core.store.Definitions;
import dev.warren.core.store.Definitions.BindingDefinition;
import dev.warren.core.store.Definitions.ExchangeDefinition;
import dev.warren.core.store.Definitions.QueueDefinition;
import dev.warren.core.store.SecurityDefinitions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The definitions snapshot and its change log, on real files: appends, replay, compaction, crashes. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DefinitionsLogTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path snapshot() {
        return dir.resolve(DefinitionsFile.FILE_NAME);
    }

    private Path log() {
        return dir.resolve(DefinitionsLog.FILE_NAME);
    }

    private static QueueDefinition queue(String name) {
        return new QueueDefinition(name, false, Map.of("x-queue-type", "classic"));
    }

    private static Definitions queues(String... names) {
        List<QueueDefinition> queues = new ArrayList<>();
        for (String name : names) {
            queues.add(queue(name));
        }
        return new Definitions(List.of(), queues, List.of());
    }

    private static Policy policy(String name, long maxLength) {
        return Policy.of(PolicyLayer.POLICY, name, "^q", ApplyTo.QUEUES, 0, Map.of("max-length", maxLength));
    }

    /** Definitions compared as what they store (policies have no equals). */
    private static String json(Map<String, Definitions> vhosts) {
        return DefinitionsJson.write(new BrokerDefinitions(vhosts, Optional.empty())).toString();
    }

    private List<String> logLines() throws IOException {
        return Files.exists(log()) ? Files.readAllLines(log()) : List.of();
    }

    private static void save(DefinitionsFile file, String vhost, Definitions definitions) throws Exception {
        file.save(vhost, definitions).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aChangeAppendsOneRecordHoldingOnlyItAndTheSnapshotStaysAsItWas() throws Exception {
        DefinitionsFile file = DefinitionsFile.open(dir);
        save(file, "/", queues("q1"));
        assertTrue(Files.exists(snapshot()), "the first write makes the snapshot");
        byte[] before = Files.readAllBytes(snapshot());
        save(file, "/", queues("q1", "q2"));
        save(file, "/", queues("q1", "q2", "q3"));
        assertEquals(2, logLines().size());
        assertTrue(logLines().get(1).contains("\"q3\"") && !logLines().get(1).contains("\"q1\""), logLines().get(1));
        assertEquals(new String(before, StandardCharsets.UTF_8), Files.readString(snapshot()));
        file.closeAsIfCrashed(); // the files as a kill -9 after the last write leaves them
        try (DefinitionsFile reopened = DefinitionsFile.open(dir)) {
            assertEquals(json(Map.of("/", queues("q1", "q2", "q3"))), json(reopened.load()));
        }
    }

    @Test
    void removalsPoliciesLimitsBindingsUsersAndDeletedVhostsReplay() throws Exception {
        ExchangeDefinition exchange = new ExchangeDefinition("x", "topic", false, false, Map.of());
        BindingDefinition bound = new BindingDefinition("x", "q1", "queue", "a.#", Map.of());
        BindingDefinition alsoBound = new BindingDefinition("x", "q2", "queue", "b.*", Map.of("k", "v"));
        Definitions last = new Definitions(List.of(exchange), List.of(queue("q2")), List.of(alsoBound),
                new Limits(Map.of("max-queues", 10L)), List.of(policy("p", 5)), List.of());
        DefinitionsFile file = DefinitionsFile.open(dir);
        save(file, "/", Definitions.EMPTY);
        save(file, "other", queues("gone"));
        save(file, "/", new Definitions(List.of(exchange), List.of(queue("q1"), queue("q2")), List.of(bound, alsoBound),
                new Limits(Map.of("max-queues", 5L)), List.of(policy("p", 1), policy("dropped", 1)), List.of(
                        Policy.of(PolicyLayer.OPERATOR, "op", ".*", ApplyTo.QUEUES, 0, Map.of("max-length", 100L)))));
        save(file, "/", last);
        file.deleteVhost("other").get(10, TimeUnit.SECONDS);
        file.saveSecurity(new SecurityDefinitions(List.of(new User("alex", PasswordHash.hash("pw"), Set.of())), List.of()))
                .get(10, TimeUnit.SECONDS);
        assertEquals(5, logLines().size(), "each change one record: " + logLines());
        assertTrue(logLines().get(2).contains("\"limits\":true"), logLines().get(2));
        file.closeAsIfCrashed(); // the files as a kill -9 after the last write leaves them
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(log())),
                "it holds password hashes");
        try (DefinitionsFile reopened = DefinitionsFile.open(dir)) {
            assertEquals(json(Map.of("/", last)), json(reopened.load()));
            assertEquals("alex", reopened.loadSecurity().orElseThrow().users().get(0).name());
        }
    }

    @Test
    void aCleanCloseCompactsTheLogIntoTheSnapshot() throws Exception {
        try (DefinitionsFile file = DefinitionsFile.open(dir)) {
            save(file, "/", queues("q1"));
            save(file, "/", queues("q1", "q2"));
            assertEquals(1, logLines().size());
        }
        assertEquals(List.of(), logLines());
        assertEquals(2, JSON.readTree(snapshot().toFile()).path("queues").size());
        try (DefinitionsFile reopened = DefinitionsFile.open(dir)) {
            assertEquals(json(Map.of("/", queues("q1", "q2"))), json(reopened.load()));
        }
    }

    @Test
    void aSaveThatChangesNothingWritesNothing() throws Exception {
        try (DefinitionsFile file = DefinitionsFile.open(dir)) {
            save(file, "/", queues("q1"));
            save(file, "/", queues("q1"));
            assertEquals(List.of(), logLines());
        }
    }

    @Test
    void theLogIsCompactedIntoANewSnapshotOnceItOutgrowsIt() throws Exception {
        List<String> names = new ArrayList<>();
        try (DefinitionsFile file = DefinitionsFile.open(dir, 0, null)) {
            save(file, "/", Definitions.EMPTY);
            long snapshotSize = Files.size(snapshot());
            int compactedAfter = -1;
            for (int i = 0; i < 50 && compactedAfter < 0; i++) {
                names.add("queue-" + i);
                Definitions next = queues(names.toArray(String[]::new));
                save(file, "/", next);
                save(file, "/", next); // changes nothing; completes after the writer's compaction, if any
                if (Files.size(log()) == 0) {
                    compactedAfter = i;
                }
            }
            assertTrue(compactedAfter > 0, "compacted once the log passed the snapshot's size");
            assertEquals(0, Files.size(log()));
            ObjectNode root = (ObjectNode) JSON.readTree(snapshot().toFile());
            assertEquals(names.size(), root.path("queues").size());
            assertEquals(names.size() + 1, root.path(DefinitionsFile.LOG_SEQUENCE_FIELD).asLong(),
                    "the snapshot holds every entry so far");
            save(file, "/", queues("after"));
            assertEquals(1, logLines().size(), "appends go on after the compaction");
            assertTrue(logLines().get(0).startsWith("{\"seq\":" + (names.size() + 2) + ","), logLines().get(0));
        }
        try (DefinitionsFile reopened = DefinitionsFile.open(dir)) {
            assertEquals(json(Map.of("/", queues("after"))), json(reopened.load()));
        }
    }

    @Test
    void aTornLastRecordIsIgnoredAndCutOffSoLaterAppendsFollowTheLastWholeOne() throws Exception {
        DefinitionsFile file = DefinitionsFile.open(dir);
        save(file, "/", queues("q1"));
        save(file, "/", queues("q1", "q2"));
        file.closeAsIfCrashed(); // the files as a kill -9 after the last write leaves them
        long whole = Files.size(log());
        Files.write(log(), "{\"seq\":3,\"vhost\":\"/\",\"put\":{\"queues\":[{\"na".getBytes(StandardCharsets.UTF_8),
                StandardOpenOption.APPEND);
        try (DefinitionsFile reopened = DefinitionsFile.open(dir)) {
            assertEquals(json(Map.of("/", queues("q1", "q2"))), json(reopened.load()));
            assertEquals(whole, Files.size(log()), "the torn record is cut off");
            save(reopened, "/", queues("q1", "q2", "q3"));
        }
        try (DefinitionsFile again = DefinitionsFile.open(dir)) {
            assertEquals(json(Map.of("/", queues("q1", "q2", "q3"))), json(again.load()));
        }
    }

    @Test
    void aCorruptWholeRecordIsAnErrorNamingTheFileAndLine() throws Exception {
        DefinitionsFile file = DefinitionsFile.open(dir);
        save(file, "/", queues("q1"));
        save(file, "/", queues("q1", "q2"));
        file.closeAsIfCrashed(); // the files as a kill -9 after the last write leaves them
        List<String> lines = new ArrayList<>(logLines());
        lines.add(0, "{\"seq\":2,\"vhost\":\"/\",\"put\":{\"queues\":[{\"name\":");
        Files.write(log(), lines);
        IOException e = assertThrows(IOException.class, () -> DefinitionsFile.open(dir));
        assertTrue(e.getMessage().contains(DefinitionsLog.FILE_NAME + " line 1: not JSON"), e.getMessage());
    }

    @Test
    void entriesTheSnapshotAlreadyHoldsAreNotReplayedAfterACrashBetweenSnapshotAndLogTruncation() throws Exception {
        // As a crash leaves it: the compaction renamed the new snapshot (entries up to 3: q2 put by 2, removed by 3)
        // but the log was not emptied, and its last entry (2) never made it to the log whole.
        ObjectNode root = DefinitionsJson.write(new BrokerDefinitions(Map.of("/", queues("q1")), Optional.empty()));
        root.put(DefinitionsFile.LOG_SEQUENCE_FIELD, 3);
        Files.write(snapshot(), JSON.writeValueAsBytes(root));
        Files.write(log(), DefinitionsLog.encode(new DefinitionsLog.VhostChanged(2, "/",
                StoredVhost.of(queues("q1")).diff(queues("q1", "q2")))));
        try (DefinitionsFile file = DefinitionsFile.open(dir)) {
            assertEquals(json(Map.of("/", queues("q1"))), json(file.load()), "q2 stays removed");
            save(file, "/", queues("q1", "q4"));
            assertTrue(logLines().get(1).startsWith("{\"seq\":4,"), "numbering goes on after the snapshot's");
        }
        try (DefinitionsFile reopened = DefinitionsFile.open(dir)) {
            assertEquals(json(Map.of("/", queues("q1", "q4"))), json(reopened.load()));
        }
    }

    @Test
    void replayingEntriesOverTheStateTheyLedToLeavesItAsItIs() {
        StoredVhost state = new StoredVhost();
        List<StoredVhost.Change> changes = new ArrayList<>();
        for (Definitions next : List.of(queues("a", "b"), queues("b"), queues("b", "a"), queues("c"))) {
            StoredVhost.Change change = state.diff(next);
            state.apply(change);
            changes.add(change);
        }
        changes.forEach(state::apply);
        assertEquals(json(Map.of("/", queues("c"))), json(Map.of("/", state.definitions())));
    }

    @Test
    void anOldDataDirectoryWithOnlyTheDefinitionsFileLoadsAndGrowsALog() throws Exception {
        // definitions.json as earlier versions wrote it: no log, no log sequence number
        byte[] old = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(DefinitionsJson.write(
                new BrokerDefinitions(Map.of("/", queues("old")), Optional.of(new SecurityDefinitions(List.of(
                        new User("guest", PasswordHash.hash("guest"), Set.of("administrator"))), List.of())))));
        Files.write(snapshot(), old);
        DefinitionsFile file = DefinitionsFile.open(dir);
        assertEquals(json(Map.of("/", queues("old"))), json(file.load()));
        assertEquals("guest", file.loadSecurity().orElseThrow().users().get(0).name());
        save(file, "/", queues("old", "new"));
        assertEquals(1, logLines().size());
        assertTrue(logLines().get(0).startsWith("{\"seq\":1,"), logLines().get(0));
        file.closeAsIfCrashed(); // the files as a kill -9 after the last write leaves them
        assertEquals(new String(old, StandardCharsets.UTF_8), Files.readString(snapshot()), "not rewritten");
        try (DefinitionsFile reopened = DefinitionsFile.open(dir)) {
            assertEquals(json(Map.of("/", queues("old", "new"))), json(reopened.load()));
        }
    }

    /** Fails the next append; records what was asked of it. */
    private static final class FailingSink implements DefinitionsFile.Sink {
        final List<String> calls = new ArrayList<>();
        boolean failNextAppend;

        @Override
        public synchronized void append(byte[] lines) throws IOException {
            calls.add("append");
            if (failNextAppend) {
                failNextAppend = false;
                throw new IOException("disk full");
            }
        }

        @Override
        public synchronized void replaceSnapshot(byte[] json) {
            calls.add("snapshot " + new String(json, StandardCharsets.UTF_8).contains("\"q2\""));
        }

        @Override
        public synchronized void clearLog() {
            calls.add("clear");
        }
    }

    @Test
    void afterAFailedAppendTheNextWriteIsASnapshotHoldingTheFailedChangeToo() throws Exception {
        FailingSink sink = new FailingSink();
        try (DefinitionsFile file = DefinitionsFile.open(dir, sink)) {
            save(file, "/", queues("q1"));
            sink.failNextAppend = true;
            assertThrows(Exception.class, () -> save(file, "/", queues("q1", "q2")));
            save(file, "other", Definitions.EMPTY);
            save(file, "other", queues("o"));
        }
        assertEquals(List.of("snapshot false", "clear", "append", "snapshot true", "clear", "append", "snapshot true", "clear"),
                sink.calls, "the last two: the clean close compacts");
    }

    @Test
    void aChangeThatCannotBeWrittenFailsUntilItIsGoneAndTheNextWriteHoldsEverythingElse() throws Exception {
        DefinitionsFile file = DefinitionsFile.open(dir);
        save(file, "/", queues("q1"));
        Definitions unwritable = new Definitions(List.of(), List.of(queue("q1"),
                new QueueDefinition("bad", false, Map.of("x-arg", new Object()))), List.of());
        assertThrows(Exception.class, () -> save(file, "/", unwritable));
        assertThrows(Exception.class, () -> save(file, "other", queues("o")), "the next write is a snapshot, with 'bad'");
        save(file, "/", queues("q1", "q2"));
        file.closeAsIfCrashed();
        try (DefinitionsFile reopened = DefinitionsFile.open(dir)) {
            assertEquals(json(new java.util.TreeMap<>(Map.of("/", queues("q1", "q2"), "other", queues("o")))),
                    json(reopened.load()));
        }
    }
}
