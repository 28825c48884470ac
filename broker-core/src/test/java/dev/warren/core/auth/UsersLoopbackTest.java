package dev.warren.core.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** RabbitMQ's loopback_users rule: by default guest may log in only from a loopback address. */
class UsersLoopbackTest {
    private final Users users = Users.withDefaultUser("guest", "guest");

    @Test
    void guestIsRefusedFromANonLoopbackAddress() throws Exception {
        assertTrue(users.authenticate("guest", "guest", InetAddress.getByName("10.1.2.3")).isEmpty());
        assertTrue(users.authenticate("guest", "guest", InetAddress.getByName("2001:db8::1")).isEmpty());
    }

    @Test
    void guestIsAcceptedFromIpv4AndIpv6Loopback() throws Exception {
        assertEquals("guest", users.authenticate("guest", "guest", InetAddress.getByName("127.0.0.1")).orElseThrow().name());
        assertTrue(users.authenticate("guest", "guest", InetAddress.getByName("127.1.2.3")).isPresent());
        assertTrue(users.authenticate("guest", "guest", InetAddress.getByName("::1")).isPresent());
    }

    @Test
    void guestIsRefusedWhenTheAddressIsUnknown() {
        assertTrue(users.authenticate("guest", "guest", null).isEmpty());
    }

    @Test
    void aUserOutsideLoopbackUsersMayLogInFromAnywhere() throws Exception {
        users.add("alice", "secret", Set.of());
        assertTrue(users.authenticate("alice", "secret", InetAddress.getByName("10.1.2.3")).isPresent());
        assertTrue(users.authenticate("alice", "wrong", InetAddress.getByName("10.1.2.3")).isEmpty());
    }

    @Test
    void wrongPasswordAndUnknownUserAreRefusedEvenFromLoopback() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        assertTrue(users.authenticate("guest", "wrong", loopback).isEmpty());
        assertTrue(users.authenticate("nobody", "guest", loopback).isEmpty());
    }
}
