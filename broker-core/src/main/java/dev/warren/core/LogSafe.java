package dev.warren.core;

/**
 * Makes text from clients safe to write to a log: queue and exchange names, consumer tags, user and
 * virtual host names and the reply texts that quote them may hold newlines and other control characters,
 * and written raw they would let a client forge log lines. Each such character becomes a visible escape
 * (backslash-n, -r, -t, or a backslash-u escape of four hex digits); everything else is kept as it is.
 */
public final class LogSafe {
    private LogSafe() {
    }

    public static String escape(String text) {
        if (text == null) {
            return null;
        }
        int i = 0;
        while (i < text.length() && !needsEscape(text.charAt(i))) {
            i++;
        }
        if (i == text.length()) {
            return text; // the usual case: nothing to escape, nothing allocated
        }
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, i);
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!needsEscape(c)) {
                out.append(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.toString();
    }

    /** C0 and C1 controls, DEL, and the Unicode line and paragraph separators. */
    private static boolean needsEscape(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
    }
}
