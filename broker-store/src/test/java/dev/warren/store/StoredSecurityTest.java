package dev.warren.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.core.auth.Permission;
import dev.warren.core.auth.User;
import dev.warren.core.auth.UserPermission;
import dev.warren.core.limits.Limits;
import dev.warren.core.store.SecurityDefinitions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StoredSecurityTest {
    private static final User GUEST = new User("guest", "h1", Set.of("administrator"));
    private static final User ALEX = new User("alex", "h2", Set.of());
    private static final User SAM = new User("sam", "h3", Set.of());

    private static SecurityDefinitions users(User... users) {
        return new SecurityDefinitions(List.of(users), List.of(), List.of());
    }

    @Test
    void changesOfTwoNodesMadeFromTheSameTableBothSurvive() {
        StoredSecurity a = StoredSecurity.of(users(GUEST));
        StoredSecurity b = StoredSecurity.of(users(GUEST));
        StoredSecurity.Change fromA = a.diff(users(GUEST, ALEX));
        StoredSecurity.Change fromB = b.diff(new SecurityDefinitions(List.of(GUEST, SAM),
                List.of(new UserPermission("sam", "/", new Permission(".*", ".*", ".*"))), List.of()));

        StoredSecurity committed = StoredSecurity.of(users(GUEST));
        committed.apply(fromA);
        committed.apply(fromB);

        assertEquals(List.of("guest", "alex", "sam"), committed.definitions().users().stream().map(User::name).toList());
        assertEquals(1, committed.definitions().permissions().size());
    }

    @Test
    void aUsersLimitsTravelWithTheUserAndGoWithIt() {
        StoredSecurity stored = StoredSecurity.of(users(GUEST, ALEX));
        Limits two = Limits.parse(Map.of("max-connections", 2), Limits.USER_KEYS);
        StoredSecurity.Change limited = stored.diff(new SecurityDefinitions(List.of(GUEST, ALEX), List.of(), List.of(),
                Map.of("alex", two)));
        assertEquals(List.of(ALEX), limited.put().users());
        assertEquals(Map.of("alex", two), limited.put().userLimits());
        stored.apply(limited);

        StoredSecurity.Change deleted = stored.diff(users(GUEST));
        assertEquals(List.of(ALEX), deleted.removed().users());
        stored.apply(deleted);
        assertTrue(stored.definitions().userLimits().isEmpty());
    }
}
