package dev.warren.amqp.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ReplyTextTest {
    private static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    @Test
    void aTextThatFitsIsKeptAsItIs() {
        String text = "NOT_FOUND - no queue '" + "é".repeat(100) + "' in vhost '/'";
        assertTrue(bytes(text) <= 255);
        assertSame(text, ReplyText.fit(text));
    }

    @Test
    void aLongMultiByteTextIsCutByBytesNotCharacters() {
        String text = "NOT_FOUND - no queue '" + "é".repeat(120) + "' in vhost '/'"; // 145 chars, 277 bytes
        String fitted = ReplyText.fit(text);
        assertTrue(bytes(fitted) <= 255, bytes(fitted) + " bytes");
        assertTrue(fitted.endsWith("é..."), fitted);
        assertTrue(text.startsWith(fitted.substring(0, fitted.length() - 3)));
    }

    @Test
    void neverCutsInsideACharacterOfFourBytes() {
        String text = "x" + "\uD83D\uDE00".repeat(100); // 1 + 400 bytes
        String fitted = ReplyText.fit(text);
        assertTrue(bytes(fitted) <= 255);
        String kept = fitted.substring(0, fitted.length() - 3);
        assertEquals(0, (kept.length() - 1) % 2, "only whole surrogate pairs are kept");
        assertEquals(1 + 4 * 62, bytes(kept), "as many whole characters as fit before the ellipsis");
    }

    @Test
    void anAsciiTextIsCutAt255Bytes() {
        String fitted = ReplyText.fit("a".repeat(300));
        assertEquals(255, bytes(fitted));
    }
}
