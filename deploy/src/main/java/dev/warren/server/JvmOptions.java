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
     * A small fixed young generation. The resident memory of a busy broker follows the heap regions G1 has
     * touched, and every new Eden is taken from the free regions at the top of the committed heap, so the whole
     * young generation is resident after a second of load: at 128 MiB it was most of a 10-million-message
     * backlog's growth (deploy/bench/RESULTS.md, issue 16, session 11). Smaller only together with the options
     * below that keep G1 from growing the heap instead (it grows it when collections pass 1% of the time).
     */
    static final long YOUNG_GENERATION = 32L << 20;
    /**
     * The heap G1 starts with and never shrinks below: two young generations. Without it G1 starts at 1/64 of
     * the memory (384 MiB on 24 GiB) and, once it has shrunk below a quarter of that, grows straight back by
     * half the difference.
     */
    static final long INITIAL_HEAP = 2 * YOUNG_GENERATION;
    /**
     * 4 MiB regions for the large heaps where G1 would pick 8 to 32 MiB (it aims at 2048 regions of -Xmx): the
     * broker's heap in use is a small part of -Xmx, so it is sized, and grows, a region at a time; at 16 MiB a
     * 32 MiB young generation is one Eden region. Above 64 GiB G1 chooses.
     */
    static final long REGION_SIZE = 4L << 20;

    /**
     * Netty's leak detector tracks one buffer in this many (its default is 128), with the stack of where it was
     * made: at 128 that was 70 of a message's 318 bytes of garbage, at 1024 it is 8 (deploy/bench/RESULTS.md,
     * session 18). A leak on the message path repeats with every message, so it is still caught and logged; the
     * tests run with every buffer tracked (paranoid).
     */
    static final int LEAK_SAMPLING_INTERVAL = 1024;

    static final String GC_LOG_FILE = "gc.log";

    private JvmOptions() {
    }

    /** The options for a machine, or container, with {@code totalMemory} bytes of memory. */
    static List<String> forConfig(ServerConfig config, long totalMemory) {
        long heap = config.memory().heapBytes(totalMemory);
        List<String> options = new ArrayList<>();
        options.add("-Xmx" + (heap >> 20) + "m");
        options.add("-Xms" + (Math.min(INITIAL_HEAP, heap) >> 20) + "m");
        options.add("-Xmn" + (Math.min(YOUNG_GENERATION, heap / 4) >> 20) + "m");
        if (heap > (8L << 30) && heap <= (64L << 30)) {
            options.add("-XX:G1HeapRegionSize=" + (REGION_SIZE >> 20) + "m");
        }
        // G1 grows a heap that is far below -Xmx by up to its committed size (a fifth of what it has not committed,
        // capped at the committed size) each time young collections pass 1% of the time, although a fixed young generation
        // collects no less often in a larger heap; every growth moves Eden onto new, untouched regions. 0 makes
        // each growth one region. (An experimental option in JDK 17, hence the unlock.)
        options.add("-XX:+UnlockExperimentalVMOptions");
        options.add("-XX:G1ExpandByPercentOfAvailable=0");
        // keep the committed heap close to what is in use after a marking cycle or a full collection (G1's
        // defaults keep 40 to 70% of it free)
        options.add("-XX:MinHeapFreeRatio=10");
        options.add("-XX:MaxHeapFreeRatio=30");
        // stop at once on OutOfMemoryError rather than limp on; systemd's Restart=on-failure restarts it
        options.add("-XX:+ExitOnOutOfMemoryError");
        options.add("-Dio.netty.leakDetection.samplingInterval=" + LEAK_SAMPLING_INTERVAL);
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
