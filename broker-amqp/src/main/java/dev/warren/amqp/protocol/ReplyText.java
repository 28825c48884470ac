package dev.warren.amqp.protocol;

import java.nio.charset.StandardCharsets;

/**
 * Reply texts (channel.close, connection.close) are short strings: at most 255 bytes of UTF-8. A longer
 * text, e.g. one that names a long non-ASCII queue, is cut on a code point boundary and ends with "...",
 * so writing it can never fail and turn a channel error into a connection error.
 */
public final class ReplyText {
    static final int MAX_BYTES = 255;
    private static final String ELLIPSIS = "...";

    private ReplyText() {
    }

    /** The text itself when it fits, else its longest prefix that fits with "..." after it. */
    public static String fit(String text) {
        if (text.length() <= MAX_BYTES / 3 || text.getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES) {
            return text;
        }
        int budget = MAX_BYTES - ELLIPSIS.length();
        int bytes = 0;
        int end = 0;
        while (end < text.length()) {
            int codePoint = text.codePointAt(end);
            int size = utf8Size(codePoint);
            if (bytes + size > budget) {
                break;
            }
            bytes += size;
            end += Character.charCount(codePoint);
        }
        return text.substring(0, end) + ELLIPSIS;
    }

    private static int utf8Size(int codePoint) {
        if (codePoint < 0x80) {
            return 1;
        } else if (codePoint < 0x800) {
            return 2;
        } else if (codePoint < 0x10000) {
            return 3; // (a lone surrogate is written as '?' by the encoder: 1 byte, so 3 is safe)
        }
        return 4;
    }
}
