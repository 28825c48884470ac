package dev.warren.server;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.warren.core.LogSafe;

/**
 * The server's {@code %msg}: the formatted message with control characters escaped ({@link LogSafe}), so
 * that names and texts a client chose can never start a line of their own in the log. Stack traces
 * ({@code %ex}) are written as they are.
 */
public final class EscapedMessageConverter extends MessageConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return LogSafe.escape(event.getFormattedMessage());
    }
}
