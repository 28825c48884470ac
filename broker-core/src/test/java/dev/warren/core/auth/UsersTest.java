package dev.warren.core.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class UsersTest {
    private final Users users = new Users(Set.of("guest"));

    @Test
    void creatingAUserTwiceFailsTheSecondTime() {
        assertTrue(users.create("alex", "123", Set.of()));
        assertFalse(users.create("alex", "other", Set.of()));
        assertTrue(users.authenticate("alex", "123", InetAddress.getLoopbackAddress()).isPresent());
    }

    @Test
    void deletingAUserForgetsTheirPermissions() {
        users.add("alex", "123", Set.of());
        users.setPermission("alex", "/", Permission.ALL);
        users.setPermission("alex", "other", Permission.ALL);
        assertTrue(users.delete("alex"));
        assertTrue(users.permissions().isEmpty());
        assertFalse(users.delete("alex"));
    }

    @Test
    void aChangedPasswordReplacesTheOldOne() throws Exception {
        users.add("alex", "old", Set.of());
        assertTrue(users.changePassword("alex", "new"));
        InetAddress here = InetAddress.getLoopbackAddress();
        assertFalse(users.authenticate("alex", "old", here).isPresent());
        assertTrue(users.authenticate("alex", "new", here).isPresent());
        assertFalse(users.changePassword("nobody", "x"));
    }

    @Test
    void tagsAreReplacedAsAWhole() {
        users.add("alex", "123", Set.of("management"));
        users.setTags("alex", Set.of("administrator", "monitoring"));
        assertEquals(Set.of("administrator", "monitoring"), users.user("alex").orElseThrow().tags());
    }

    @Test
    void permissionsNeedAnExistingUser() {
        assertFalse(users.setPermission("ghost", "/", Permission.ALL));
        assertTrue(users.permission("ghost", "/").isEmpty());
    }

    @Test
    void everyChangeIsReportedAndBumpsTheVersion() {
        AtomicInteger changes = new AtomicInteger();
        users.onChange(changes::incrementAndGet);
        long before = users.version();
        users.add("alex", "123", Set.of());
        users.setPermission("alex", "/", Permission.ALL);
        users.clearPermission("alex", "/");
        users.delete("alex");
        assertEquals(4, changes.get());
        assertTrue(users.version() >= before + 4);
    }

    @Test
    void removingAVirtualHostDropsOnlyItsPermissions() {
        users.add("alex", "123", Set.of());
        users.setPermission("alex", "a", Permission.ALL);
        users.setPermission("alex", "b", Permission.ALL);
        users.removeVhost("a");
        assertEquals(List.of("b"), users.permissions().stream().map(UserPermission::vhost).toList());
    }

    @Test
    void storedUsersKeepTheirHashes() {
        User stored = new User("alex", PasswordHash.hash("123"), Set.of("administrator"));
        users.replaceAll(new dev.warren.core.store.SecurityDefinitions(List.of(stored), List.of(new UserPermission("alex", "/", Permission.ALL))));
        assertTrue(users.authenticate("alex", "123", InetAddress.getLoopbackAddress()).isPresent());
        assertTrue(users.permission("alex", "/").isPresent());
    }
}
