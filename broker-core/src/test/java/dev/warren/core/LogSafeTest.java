package dev.warren.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class LogSafeTest {
    @Test
    void newlinesAndOtherControlCharactersBecomeVisibleEscapes() {
        assertEquals("evil\\n2026-12-05 WARN forged\\r\\t\\u0000\\u001b[31m\\u2028",
                LogSafe.escape("evil\n2026-12-05 WARN forged\r\t\u0000\u001b[31m\u2028"));
    }

    @Test
    void ordinaryTextIsReturnedAsItIs() {
        String name = "orders.é.\\path 'x'";
        assertSame(name, LogSafe.escape(name));
    }
}
