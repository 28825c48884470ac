package dev.warren.core.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PermissionTest {

    @Test
    void aPatternMatchesAnywhereInTheNameUnlessAnchored() {
        Permission p = new Permission("orders", "^orders$", ".*");
        assertTrue(p.allows(Access.CONFIGURE, "my-orders-queue"), "unanchored, as RabbitMQ's re:run");
        assertFalse(p.allows(Access.WRITE, "my-orders-queue"));
        assertTrue(p.allows(Access.WRITE, "orders"));
    }

    @Test
    void anEmptyPatternMatchesNothingNotEvenTheEmptyName() {
        Permission p = new Permission("", "", "");
        for (Access access : Access.values()) {
            assertFalse(p.allows(access, "anything"));
        }
        assertTrue(p.allows(Access.READ, ""), "'' is ^$, which matches only the empty name");
    }

    @Test
    void eachAccessUsesItsOwnPattern() {
        Permission p = new Permission("^c$", "^w$", "^r$");
        assertTrue(p.allows(Access.CONFIGURE, "c"));
        assertTrue(p.allows(Access.WRITE, "w"));
        assertTrue(p.allows(Access.READ, "r"));
        assertFalse(p.allows(Access.READ, "c"));
    }

    @Test
    void anInvalidRegularExpressionIsRefusedWithItsText() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Permission("(", ".*", ".*"));
        assertTrue(e.getMessage().contains("'('"), e.getMessage());
    }
}
