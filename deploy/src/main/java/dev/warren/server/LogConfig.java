package dev.warren.server;

import java.nio.file.Path;

/**
 * Where and how much the broker logs, with RabbitMQ's log.* keys: the console (standard output, which
 * systemd's journal or {@code docker logs} collect) and a file in the log directory, each with its own level;
 * the file is rotated by size, keeping a fixed number of archives (warren.log.1 is the newest).
 *
 * @param dir            the log directory (log.dir)
 * @param console        whether to log to the console (log.console)
 * @param consoleLevel   the console's level (log.console.level)
 * @param file           the log file, relative to {@code dir} unless absolute; null for no file (log.file = false)
 * @param fileLevel      the file's level (log.file.level)
 * @param rotationSize   rotate the file once it reaches this many bytes; 0 never rotates (log.file.rotation.size)
 * @param rotationCount  archived files kept (log.file.rotation.count)
 * @param gcLog          whether the JVM writes a GC log, gc.log in {@code dir} (warren.gc_log)
 */
public record LogConfig(Path dir, boolean console, Level consoleLevel, String file, Level fileLevel,
                        long rotationSize, int rotationCount, boolean gcLog) {
    /** RabbitMQ's level names, most verbose first. */
    public enum Level {
        DEBUG("debug"), INFO("info"), WARNING("warning"), ERROR("error"),
        /** Warren has nothing more severe than an error, so this logs errors. */
        CRITICAL("critical"),
        NONE("none");

        private final String rabbitName;

        Level(String rabbitName) {
            this.rabbitName = rabbitName;
        }

        public String rabbitName() {
            return rabbitName;
        }
    }

    public static LogConfig defaults() {
        return new LogConfig(Path.of(System.getProperty("user.home"), ".warren", "log"), true, Level.INFO,
                "warren.log", Level.INFO, 10L << 20, 5, false);
    }

    /** The log file's path, or null when there is no log file. */
    public Path filePath() {
        return file == null ? null : dir.resolve(file);
    }

    public LogConfig withDir(Path logDir) {
        return new LogConfig(logDir, console, consoleLevel, file, fileLevel, rotationSize, rotationCount, gcLog);
    }

    public LogConfig withConsole(boolean enabled) {
        return new LogConfig(dir, enabled, consoleLevel, file, fileLevel, rotationSize, rotationCount, gcLog);
    }

    public LogConfig withConsoleLevel(Level level) {
        return new LogConfig(dir, console, level, file, fileLevel, rotationSize, rotationCount, gcLog);
    }

    public LogConfig withFile(String name) {
        return new LogConfig(dir, console, consoleLevel, name, fileLevel, rotationSize, rotationCount, gcLog);
    }

    public LogConfig withFileLevel(Level level) {
        return new LogConfig(dir, console, consoleLevel, file, level, rotationSize, rotationCount, gcLog);
    }

    public LogConfig withRotationSize(long bytes) {
        return new LogConfig(dir, console, consoleLevel, file, fileLevel, bytes, rotationCount, gcLog);
    }

    public LogConfig withRotationCount(int count) {
        return new LogConfig(dir, console, consoleLevel, file, fileLevel, rotationSize, count, gcLog);
    }

    public LogConfig withGcLog(boolean enabled) {
        return new LogConfig(dir, console, consoleLevel, file, fileLevel, rotationSize, rotationCount, enabled);
    }
}
