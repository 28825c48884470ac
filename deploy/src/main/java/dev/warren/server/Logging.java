package dev.warren.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.pattern.DynamicConverter;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.Duration;
import ch.qos.logback.core.util.FileSize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * Replaces the console-only logback.xml set-up with the one the configuration asks for: the console and a
 * log file, each with its own level, the file rotated by size into {@code warren.log.1} (newest) to
 * {@code warren.log.N}. Only the server's main calls it; tests that run the broker in-process keep logback.xml.
 */
final class Logging {
    static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n";

    private Logging() {
    }

    static void configure(LogConfig config) throws IOException {
        configure((LoggerContext) LoggerFactory.getILoggerFactory(), config);
    }

    /** Sets up {@code context}; an IOException names the log file or directory that cannot be written. */
    static void configure(LoggerContext context, LogConfig config) throws IOException {
        context.reset();
        escapeMessages(context);
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Level mostVerbose = Level.OFF;
        if (config.console() && config.consoleLevel() != LogConfig.Level.NONE) {
            Level level = level(config.consoleLevel());
            ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
            console.setName("CONSOLE");
            root.addAppender(start(context, console, level));
            mostVerbose = moreVerbose(mostVerbose, level);
        }
        Path file = config.filePath();
        if (file != null && config.fileLevel() != LogConfig.Level.NONE) {
            Level level = level(config.fileLevel());
            Files.createDirectories(file.toAbsolutePath().getParent());
            FileAppender<ILoggingEvent> appender = fileAppender(context, file, config);
            start(context, appender, level);
            if (!appender.isStarted()) {
                throw new IOException("cannot write the log file " + file);
            }
            root.addAppender(appender);
            mostVerbose = moreVerbose(mostVerbose, level);
        }
        // The loggers pass what the most verbose output wants; each output's filter keeps its own level.
        root.setLevel(mostVerbose);
        // Netty's own INFO and DEBUG lines say nothing an operator can act on (as in logback.xml).
        context.getLogger("io.netty").setLevel(Level.WARN);
        // Ratis (a cluster's metadata group) logs every setting and election at INFO; Warren logs what matters
        context.getLogger("org.apache.ratis").setLevel(Level.WARN);
        // its client logs each retry towards the leader as an ERROR; the store logs a change that failed for good
        context.getLogger("org.apache.ratis.client.impl.OrderedAsync").setLevel(Level.OFF);
    }

    /** Every pattern's {@code %msg} in this context escapes control characters (see {@link EscapedMessageConverter}). */
    @SuppressWarnings("unchecked")
    static void escapeMessages(LoggerContext context) {
        Map<String, Supplier<DynamicConverter<?>>> rules =
                (Map<String, Supplier<DynamicConverter<?>>>) context.getObject(CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS);
        if (rules == null) {
            rules = new HashMap<>();
            context.putObject(CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS, rules);
        }
        for (String word : new String[] {"msg", "m", "message"}) {
            rules.put(word, EscapedMessageConverter::new);
        }
    }

    private static FileAppender<ILoggingEvent> fileAppender(LoggerContext context, Path file, LogConfig config) {
        if (config.rotationSize() == 0) {
            FileAppender<ILoggingEvent> appender = new FileAppender<>();
            appender.setFile(file.toString());
            appender.setName("FILE");
            return appender;
        }
        RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
        appender.setContext(context);
        appender.setName("FILE");
        appender.setFile(file.toString());

        FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
        rolling.setContext(context);
        rolling.setParent(appender);
        rolling.setFileNamePattern(file + ".%i");
        rolling.setMinIndex(1);
        rolling.setMaxIndex(config.rotationCount());
        rolling.start();

        SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
        trigger.setContext(context);
        trigger.setMaxFileSize(new FileSize(config.rotationSize()));
        // logback looks at the file size once a minute by default; broker log lines are few, so every time
        trigger.setCheckIncrement(Duration.buildByMilliseconds(0));
        trigger.start();

        appender.setRollingPolicy(rolling);
        appender.setTriggeringPolicy(trigger);
        return appender;
    }

    private static <A extends OutputStreamAppender<ILoggingEvent>> A start(LoggerContext context, A appender,
                                                                         Level level) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ThresholdFilter threshold = new ThresholdFilter();
        threshold.setContext(context);
        threshold.setLevel(level.levelStr);
        threshold.start();
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.addFilter(threshold);
        appender.start();
        return appender;
    }

    /** Where the logs go, for the startup log: "console (info), file /var/log/warren/warren.log (info, ...)". */
    static String describe(LogConfig config) {
        List<String> outputs = new ArrayList<>();
        if (config.console() && config.consoleLevel() != LogConfig.Level.NONE) {
            outputs.add("console (" + config.consoleLevel().rabbitName() + ")");
        }
        if (config.filePath() != null && config.fileLevel() != LogConfig.Level.NONE) {
            outputs.add("file " + config.filePath() + " (" + config.fileLevel().rabbitName()
                    + (config.rotationSize() == 0 ? ", not rotated)" : ", rotated at " + config.rotationSize()
                    + " bytes, " + config.rotationCount() + " kept)"));
        }
        return outputs.isEmpty() ? "nowhere" : String.join(", ", outputs);
    }

    static Level level(LogConfig.Level level) {
        return switch (level) {
            case DEBUG -> Level.DEBUG;
            case INFO -> Level.INFO;
            case WARNING -> Level.WARN;
            case ERROR, CRITICAL -> Level.ERROR;
            case NONE -> Level.OFF;
        };
    }

    private static Level moreVerbose(Level a, Level b) {
        return a.toInt() <= b.toInt() ? a : b;
    }
}
