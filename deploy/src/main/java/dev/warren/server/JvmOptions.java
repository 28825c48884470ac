package dev.warren.server;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM options bin/warren-server starts the broker with, worked out from the same settings the broker
 * reads (flags, {@code WARREN_*} variables, config file), so the launcher never parses the config itself.
 * The launcher runs {@link #main} in a small JVM of its own first and reads one option per line from its
 * standard output; a config error stops the launch right there (message on stderr, exit status 64).
 * {@code WARREN_JAVA_OPTS} goes after these options, so it can override any of them.
 */
public final class JvmOptions {
    /**
     * A small fixed young generation, so the garbage of a busy broker does not swell its resident memory
     * (a queue's backlog lives in the journal; the heap keeps 8 bytes per paged message). Not smaller:
     * while the heap is under half its maximum, G1 grows it whenever collections take more than 1% of the
     * time, and at 64 MiB a publisher at 170k msg/s made young collections frequent enough to pass that
     * and the heap grew past 1 GiB with 100 MiB in use (deploy/bench/RESULTS.md, backlog-10m).
     */
    static final long YOUNG_GENERATION = 128L << 20;
    static final String GC_LOG_FILE = "gc.log";

    private JvmOptions() {
    }

    /** The options for a machine, or container, with {@code totalMemory} bytes of memory. */
    static List<String> forConfig(ServerConfig config, long totalMemory) {
        long heap = config.memory().heapBytes(totalMemory);
        List<String> options = new ArrayList<>();
        options.add("-Xmx" + (heap >> 20) + "m");
        options.add("-Xmn" + (Math.min(YOUNG_GENERATION, heap / 4) >> 20) + "m");
        // stop at once on OutOfMemoryError rather than limp on; systemd's Restart=on-failure restarts it
        options.add("-XX:+ExitOnOutOfMemoryError");
        if (config.logging().gcLog()) {
            options.add("-Xlog:gc*:file=" + config.logging().dir().resolve(GC_LOG_FILE)
                    + ":time,uptime,level,tags:filecount=5,filesize=10m");
        }
        return options;
    }

    /** The memory the JVM sees: physical memory, or the cgroup limit when running in a container. */
    static long totalMemory() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
    }

    public static void main(String[] args) {
        CommandLine cli;
        ServerConfig config;
        try {
            cli = CommandLine.parse(args);
            if (cli.help()) {
                return; // the broker prints the help
            }
            config = ServerConfig.load(cli, System.getenv());
        } catch (ConfigException e) {
            System.err.println("warren-server: " + e.getMessage());
            System.exit(WarrenServer.EXIT_CONFIG);
            return;
        }
        if (config.logging().gcLog()) {
            try {
                Files.createDirectories(config.logging().dir()); // the JVM writes no GC log into a missing directory
            } catch (IOException e) {
                System.err.println("warren-server: cannot create the log directory " + config.logging().dir() + ": " + e);
                System.exit(WarrenServer.EXIT_START_FAILED);
                return;
            }
        }
        // standard output is this helper's answer to the launcher: one option per line
        forConfig(config, totalMemory()).forEach(System.out::println);
    }
}
