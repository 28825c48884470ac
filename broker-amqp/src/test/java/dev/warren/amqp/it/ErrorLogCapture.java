package dev.warren.amqp.it;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Collects every event logged at ERROR (by the broker, or by Netty, e.g. a buffer leak) while attached to
 * the root logger of the tests' logback. Logging threads append; the test reads.
 */
final class ErrorLogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    private final List<String> errors = new ArrayList<>();
    private final Logger root;

    private ErrorLogCapture(Logger root) {
        this.root = root;
    }

    static ErrorLogCapture attach() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        ErrorLogCapture capture = new ErrorLogCapture(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME));
        capture.setContext(context);
        capture.setName("fuzz-error-capture");
        capture.start();
        capture.root.addAppender(capture);
        return capture;
    }

    /** Sets a logger's level (null: inherit again), e.g. to quiet the WARN line every refused connection logs. */
    static void level(String logger, Level level) {
        ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(logger).setLevel(level);
    }

    @Override
    protected void append(ILoggingEvent event) {
        if (!event.getLevel().isGreaterOrEqual(Level.ERROR)) {
            return;
        }
        StringBuilder line = new StringBuilder().append(event.getLoggerName()).append(": ").append(event.getFormattedMessage());
        for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
            line.append("\n  caused by ").append(t.getClassName()).append(": ").append(t.getMessage());
            var frames = t.getStackTraceElementProxyArray();
            for (int i = 0; i < Math.min(8, frames.length); i++) {
                line.append("\n    ").append(frames[i].getSTEAsString());
            }
        }
        synchronized (errors) {
            errors.add(line.toString());
        }
    }

    List<String> errors() {
        synchronized (errors) {
            return List.copyOf(errors);
        }
    }

    @Override
    public void close() {
        root.detachAppender(this);
        stop();
    }
}
