package dev.warren.store.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.core.AmqpException;
import dev.warren.core.Broker;
import dev.warren.core.ReplyCode;
import dev.warren.core.VirtualHost;
import dev.warren.core.auth.Users;
import dev.warren.core.store.Definitions;
import dev.warren.core.store.Definitions.ExchangeDefinition;
import dev.warren.core.store.Definitions.QueueDefinition;
import dev.warren.core.store.MemoryBudget;
import dev.warren.core.store.NoStore;
import dev.warren.core.store.ResourceAlarm;
import dev.warren.core.store.Storage;
import dev.warren.store.StoredVhost;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The replicated store without Ratis: what it sends, when its changes complete, and what it does to the model. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReplicatedDefinitionStoreTest {
    private static final String NODE = "warren1@h";

    /** Every entry sent, and the answer the test gives each. */
    private final List<MetadataEntry> sent = new CopyOnWriteArrayList<>();
    private final List<CompletableFuture<Void>> answers = new CopyOnWriteArrayList<>();
    private ReplicatedDefinitionStore store;

    private ReplicatedDefinitionStore store(long timeoutMillis, boolean commitAtOnce) {
        store = new ReplicatedDefinitionStore(NODE, timeoutMillis, entry -> {
            sent.add(MetadataEntry.decode(entry));
            CompletableFuture<Void> answer = commitAtOnce ? CompletableFuture.completedFuture(null) : new CompletableFuture<>();
            answers.add(answer);
            return answer;
        });
        return store;
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    private static ExchangeDefinition exchange(String name) {
        return new ExchangeDefinition(name, "direct", false, false, Map.of());
    }

    private static Definitions exchanges(String... names) {
        return new Definitions(List.of(names).stream().map(ReplicatedDefinitionStoreTest::exchange).toList(), List.of(), List.of());
    }

    private StoredVhost.Change lastDelta() {
        return ((MetadataEntry.VhostChange) sent.get(sent.size() - 1).change()).delta();
    }

    @Test
    void eachSaveSendsOnlyWhatChangedSinceTheLastAndQueuesGetThisNodeAsHome() throws Exception {
        ReplicatedDefinitionStore s = store(10_000, true);
        s.save("/", exchanges("x")).get(5, TimeUnit.SECONDS);
        s.save("/", exchanges("x", "y")).get(5, TimeUnit.SECONDS);
        assertEquals(List.of(exchange("y")), lastDelta().put().exchanges());
        assertTrue(lastDelta().removed().exchanges().isEmpty());

        s.save("/", new Definitions(List.of(exchange("y")), List.of(new QueueDefinition("q", false, Map.of())), List.of()))
                .get(5, TimeUnit.SECONDS);
        assertEquals(List.of(exchange("x")), lastDelta().removed().exchanges());
        assertEquals(List.of(new QueueDefinition("q", false, Map.of(), NODE)), lastDelta().put().queues());

        int before = sent.size();
        s.save("/", new Definitions(List.of(exchange("y")), List.of(new QueueDefinition("q", false, Map.of())), List.of()))
                .get(5, TimeUnit.SECONDS);
        assertEquals(before, sent.size(), "a save that changed nothing sends nothing");
    }

    @Test
    void aChangeCompletesOnlyOnceTheGroupCommittedIt() throws Exception {
        ReplicatedDefinitionStore s = store(10_000, false);
        CompletableFuture<Void> saved = s.save("/", exchanges("x"));
        assertFalse(saved.isDone());
        answers.get(0).complete(null);
        saved.get(5, TimeUnit.SECONDS);
    }

    @Test
    void aChangeNotCommittedInTimeFailsWithResourceError() {
        ReplicatedDefinitionStore s = store(200, false);
        CompletableFuture<Void> saved = s.save("/", exchanges("x"));
        ExecutionException e = assertThrows(ExecutionException.class, () -> saved.get(5, TimeUnit.SECONDS));
        AmqpException refused = assertInstanceOf(AmqpException.class, e.getCause());
        assertEquals(ReplyCode.RESOURCE_ERROR, refused.replyCode());
        assertTrue(refused.getMessage().contains("did not commit the change within 200 ms"), refused.getMessage());
    }

    private Broker broker(ReplicatedDefinitionStore s) {
        Broker broker = new Broker(Users.withDefaultUser("guest", "guest"),
                new Storage(NoStore.INSTANCE, s, MemoryBudget.unlimited(), new ResourceAlarm("disk")));
        s.start(broker);
        return broker;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.sleep(10);
        }
    }

    @Test
    void aDeclareTheGroupDidNotCommitIsUndoneInThisNodesModel() throws Exception {
        ReplicatedDefinitionStore s = store(200, false);
        VirtualHost vhost = broker(s).vhost("/");
        vhost.declareExchange("x", "direct", true, false, false, Map.of());
        assertThrows(ExecutionException.class, () -> vhost.definitionsDurable().get(5, TimeUnit.SECONDS));
        await("the exchange is gone again", () -> vhost.exchange("x") == null);
    }

    @Test
    void anotherNodesCommittedChangeReachesTheModelAndIsNotSentAgain() throws Exception {
        ReplicatedDefinitionStore s = store(10_000, true);
        VirtualHost vhost = broker(s).vhost("/");
        MetadataEntry.VhostChange remote = new MetadataEntry.VhostChange("/", new StoredVhost.Change(
                new Definitions(List.of(exchange("from-b")), List.of(new QueueDefinition("b-queue", false, Map.of(), "warren2@h")),
                        List.of()), Definitions.EMPTY, false));
        s.applied(new MetadataEntry("warren2@h/abc", 1, remote), remote);
        // the change is applied on the store's applier thread: wait for all of it, not its first part
        await("the other node's exchange and queue are here",
                () -> vhost.exchange("from-b") != null && vhost.remoteQueue("b-queue") != null);
        assertEquals("warren2@h", vhost.remoteQueue("b-queue").home());
        assertTrue(vhost.queue("b-queue") == null, "its messages are on its home node");

        int before = sent.size();
        vhost.declareExchange("from-a", "direct", true, false, false, Map.of());
        vhost.definitionsDurable().get(5, TimeUnit.SECONDS);
        assertEquals(before + 1, sent.size());
        assertEquals(List.of(exchange("from-a")), lastDelta().put().exchanges(), "only this node's change");
        assertTrue(lastDelta().removed().queues().isEmpty(), "the other node's queue is not taken for removed");
    }
}
