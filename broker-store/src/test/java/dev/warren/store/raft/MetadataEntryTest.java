package dev.warren.store.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.warren.core.auth.Permission;
import dev.warren.core.auth.User;
import dev.warren.core.auth.UserPermission;
import dev.warren.core.limits.Limits;
import dev.warren.core.store.Definitions;
import dev.warren.core.store.Definitions.BindingDefinition;
import dev.warren.core.store.Definitions.ExchangeDefinition;
import dev.warren.core.store.Definitions.QueueDefinition;
import dev.warren.core.store.SecurityDefinitions;
import dev.warren.store.StoredSecurity;
import dev.warren.store.StoredVhost;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MetadataEntryTest {
    private static final String ORIGIN = "warren1@h/1234";

    @Test
    void aVhostDeltaComesBackWithItsPutsRemovalsLimitsAndQueueHomes() {
        Definitions put = new Definitions(List.of(new ExchangeDefinition("x", "topic", false, false, Map.of())),
                List.of(new QueueDefinition("q", false, Map.of("x-max-length", 10), "warren1@h")),
                List.of(new BindingDefinition("x", "q", "queue", "a.#", Map.of())),
                Limits.parse(Map.of("max-queues", 5), Limits.VHOST_KEYS));
        Definitions removed = new Definitions(List.of(new ExchangeDefinition("old", "direct", false, false, Map.of())),
                List.of(), List.of());
        MetadataEntry entry = new MetadataEntry(ORIGIN, 7, new MetadataEntry.VhostChange("/", new StoredVhost.Change(put, removed, true)));

        MetadataEntry back = MetadataEntry.decode(entry.encode());

        assertEquals(ORIGIN, back.origin());
        assertEquals(7, back.seq());
        MetadataEntry.VhostChange change = assertInstanceOf(MetadataEntry.VhostChange.class, back.change());
        assertEquals("/", change.vhost());
        assertEquals(put.exchanges(), change.delta().put().exchanges());
        assertEquals(put.queues(), change.delta().put().queues(), "the home node travels with the queue");
        assertEquals(put.bindings(), change.delta().put().bindings());
        assertEquals(put.limits(), change.delta().put().limits());
        assertEquals(List.of("old"), change.delta().removed().exchanges().stream().map(ExchangeDefinition::name).toList());
        assertEquals(true, change.delta().limitsChanged());
    }

    @Test
    void aSecurityDeltaKeepsAUsersLimitsAndTheRowsItRemoves() {
        User alex = new User("alex", "hash", Set.of("management"));
        SecurityDefinitions put = new SecurityDefinitions(List.of(alex),
                List.of(new UserPermission("alex", "/", new Permission(".*", "", ".*"))), List.of(),
                Map.of("alex", Limits.parse(Map.of("max-connections", 2), Limits.USER_KEYS)));
        SecurityDefinitions removed = new SecurityDefinitions(List.of(),
                List.of(new UserPermission("sam", "/", new Permission(".*", ".*", ".*"))), List.of());
        MetadataEntry entry = new MetadataEntry(ORIGIN, 8, new MetadataEntry.SecurityChange(new StoredSecurity.Change(put, removed)));

        MetadataEntry.SecurityChange back = assertInstanceOf(MetadataEntry.SecurityChange.class,
                MetadataEntry.decode(entry.encode()).change());

        assertEquals(put, back.delta().put());
        assertEquals(removed.permissions(), back.delta().removed().permissions());
    }

    @Test
    void vhostDeletesAndBarriersComeBack() {
        assertEquals(new MetadataEntry.VhostDelete("old"),
                MetadataEntry.decode(new MetadataEntry(ORIGIN, 1, new MetadataEntry.VhostDelete("old")).encode()).change());
        assertEquals(new MetadataEntry.Barrier(),
                MetadataEntry.decode(new MetadataEntry(ORIGIN, 2, new MetadataEntry.Barrier()).encode()).change());
    }

    @Test
    void anEntryThatIsNotOneIsRefusedSayingWhy() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MetadataEntry.decode("{\"seq\":1}".getBytes(StandardCharsets.UTF_8)));
        assertEquals("a metadata entry without an origin", e.getMessage());
    }
}
