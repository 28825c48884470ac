package dev.warren.store.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.core.limits.Limits;
import dev.warren.core.store.Definitions;
import dev.warren.core.store.Definitions.ExchangeDefinition;
import dev.warren.core.store.Definitions.QueueDefinition;
import dev.warren.store.StoredVhost;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetadataStateTest {

    private static MetadataEntry.VhostChange put(List<ExchangeDefinition> exchanges, List<QueueDefinition> queues) {
        return new MetadataEntry.VhostChange("/", new StoredVhost.Change(new Definitions(exchanges, queues, List.of()),
                Definitions.EMPTY, false));
    }

    private static ExchangeDefinition exchange(String name) {
        return new ExchangeDefinition(name, "direct", false, false, Map.of());
    }

    @Test
    void deltasOfTwoNodesMadeFromTheSameStateBothSurvive() {
        MetadataState state = new MetadataState();
        state.apply(put(List.of(exchange("from-a")), List.of()));
        state.apply(put(List.of(exchange("from-b")), List.of()));

        assertEquals(List.of("from-a", "from-b"), state.vhost("/").exchanges().stream().map(ExchangeDefinition::name).toList());
    }

    @Test
    void aQueuesHomeIsTheNodeWhoseDeclareWasCommittedFirst() {
        MetadataState state = new MetadataState();
        state.apply(put(List.of(), List.of(new QueueDefinition("q", false, Map.of(), "warren1@h"))));
        MetadataEntry.VhostChange effective = (MetadataEntry.VhostChange) state.apply(
                put(List.of(exchange("x")), List.of(new QueueDefinition("q", false, Map.of(), "warren2@h"))));

        assertEquals("warren1@h", state.vhost("/").queues().get(0).home());
        assertTrue(effective.delta().put().queues().isEmpty(), "the later put of the queue changed nothing");
        assertEquals(List.of("x"), effective.delta().put().exchanges().stream().map(ExchangeDefinition::name).toList());
    }

    @Test
    void theSnapshotHoldsTheWholeStateAndNoUsersBeforeTheFirstSeeding() throws Exception {
        MetadataState state = new MetadataState();
        state.apply(new MetadataEntry.VhostChange("v", new StoredVhost.Change(new Definitions(List.of(exchange("x")),
                List.of(new QueueDefinition("q", true, Map.of(), "warren3@h")), List.of(),
                Limits.parse(Map.of("max-queues", 3), Limits.VHOST_KEYS)), Definitions.EMPTY, true)));

        MetadataState back = MetadataState.fromJson(state.toJson());

        assertEquals(state.vhosts(), back.vhosts());
        assertTrue(back.security().isEmpty());
    }
}
