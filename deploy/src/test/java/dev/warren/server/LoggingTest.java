package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

/** Logging set up from the log.* keys, each test in a logger context of its own (not the tests' global one). */
class LoggingTest {
    @TempDir
    Path dir;

    private final LoggerContext context = context();

    /** A context of its own needs what the global one gets from logback's set-up: an MDC adapter. */
    private static LoggerContext context() {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        return context;
    }

    @AfterEach
    void stopContext() {
        context.stop();
    }

    private LogConfig config() {
        return LogConfig.defaults().withDir(dir.resolve("log"));
    }

    private String logFile() throws IOException {
        return Files.readString(dir.resolve("log").resolve("warren.log"));
    }

    @Test
    void theFileAndTheConsoleEachKeepTheirOwnLevel() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        System.setOut(new PrintStream(console, true, StandardCharsets.UTF_8));
        try {
            Logging.configure(context, config().withConsoleLevel(LogConfig.Level.ERROR)
                    .withFileLevel(LogConfig.Level.DEBUG));
            Logger log = context.getLogger("dev.warren.test");
            log.debug("a debug line");
            log.info("an info line");
            log.error("an error line");
        } finally {
            System.setOut(original);
        }
        String file = logFile();
        assertTrue(file.contains("DEBUG [") && file.contains("a debug line") && file.contains("an info line")
                && file.contains("an error line"), file);
        String out = console.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("an error line"), out);
        assertFalse(out.contains("an info line") || out.contains("a debug line"), out);
    }

    @Test
    void warningLeavesOutInfoAndNoneLeavesOutEverything() throws Exception {
        Logging.configure(context, config().withConsole(false).withFileLevel(LogConfig.Level.WARNING));
        Logger log = context.getLogger("dev.warren.test");
        log.info("an info line");
        log.warn("a warning line");
        String file = logFile();
        assertTrue(file.contains("a warning line") && !file.contains("an info line"), file);

        LoggerContext silent = context();
        Logging.configure(silent, config().withConsole(false).withFile("silent.log").withFileLevel(LogConfig.Level.NONE));
        silent.getLogger("dev.warren.test").error("an error line");
        silent.stop();
        assertFalse(Files.exists(dir.resolve("log").resolve("silent.log")), "level none writes no file");
    }

    @Test
    void theFileIsRotatedBySizeKeepingTheConfiguredNumberOfArchives() throws Exception {
        Logging.configure(context, config().withConsole(false).withRotationSize(2048).withRotationCount(2));
        Logger log = context.getLogger("dev.warren.test");
        for (int i = 0; i < 200; i++) {
            log.info("line {} of a log that outgrows its file", i);
        }
        Path logDir = dir.resolve("log");
        assertTrue(Files.exists(logDir.resolve("warren.log.1")), "the newest archive");
        assertTrue(Files.exists(logDir.resolve("warren.log.2")));
        assertFalse(Files.exists(logDir.resolve("warren.log.3")), "only 2 archives are kept");
        assertTrue(Files.size(logDir.resolve("warren.log")) < 4096, "the current file was started afresh");
        List<String> last = Files.readAllLines(logDir.resolve("warren.log"));
        assertTrue(last.get(last.size() - 1).contains("line 199 "), last.toString());
    }

    @Test
    void noLogFileWhenLogFileIsFalse() throws Exception {
        Logging.configure(context, config().withConsole(false).withFile(null));
        context.getLogger("dev.warren.test").info("nowhere to go");
        assertFalse(Files.exists(dir.resolve("log")), "no log directory is created without a log file");
    }

    @Test
    void aLogDirectoryThatCannotBeCreatedIsAnErrorNamingIt() throws Exception {
        Path blocker = Files.writeString(dir.resolve("not-a-directory"), "a file where the log directory should be");
        LogConfig config = config().withDir(blocker.resolve("log"));
        IOException e = assertThrows(IOException.class, () -> Logging.configure(context, config));
        assertTrue(e.toString().contains(blocker.toString()), e.toString());
    }

    @Test
    void theStartupLogLineSaysWhereTheLogsGo() {
        assertEquals("console (info), file " + dir.resolve("log").resolve("warren.log")
                + " (info, rotated at 10485760 bytes, 5 kept)", Logging.describe(config()));
        assertEquals("nowhere", Logging.describe(config().withConsole(false).withFile(null)));
    }

    @Test
    void aNameWithANewlineCannotForgeALogLine() throws Exception {
        Logging.configure(context, config().withConsoleLevel(LogConfig.Level.NONE));
        context.getLogger("dev.warren.test").info("Channel 1 closed by the broker: NOT_FOUND - no queue '{}'",
                "evil\n2026-12-05 00:00:00.000 WARN  [main] dev.warren.Forged - forged line");
        List<String> lines = Files.readAllLines(dir.resolve("log").resolve("warren.log"));
        assertEquals(1, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).contains("no queue 'evil\\n2026-12-05 00:00:00.000 WARN"), lines.get(0));
    }

    @Test
    void theDefaultLogbackXmlEscapesMessagesToo() throws Exception {
        ch.qos.logback.classic.joran.JoranConfigurator joran = new ch.qos.logback.classic.joran.JoranConfigurator();
        joran.setContext(context);
        PrintStream original = System.out;
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        System.setOut(new PrintStream(console, true, StandardCharsets.UTF_8));
        try {
            joran.doConfigure(Logging.class.getResource("/logback.xml"));
            context.getLogger("dev.warren.test").warn("user '{}'", "a\rb\nc");
        } finally {
            System.setOut(original);
        }
        String out = console.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("user 'a\\rb\\nc'"), out);
    }
}
