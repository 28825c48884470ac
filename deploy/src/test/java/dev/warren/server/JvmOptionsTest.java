package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class JvmOptionsTest {
    private static final long GiB = 1L << 30;

    private static List<String> options(ServerConfig config, long totalMemory) {
        return JvmOptions.forConfig(config, totalMemory);
    }

    @Test
    void byDefaultTheHeapIsAQuarterAboveTheWatermarkOfSixTenthsOfTheMemory() {
        // the memory alarm blocks publishers at 0.6 of 8 GiB (4915 MiB); the heap can hold that and collect
        assertEquals(List.of("-Xmx6143m", "-Xms64m", "-Xmn32m", "-XX:+UnlockExperimentalVMOptions",
                "-XX:G1ExpandByPercentOfAvailable=0", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30",
                "-XX:+ExitOnOutOfMemoryError", "-Dio.netty.leakDetection.samplingInterval=1024"),
                options(ServerConfig.builtIn(), 8 * GiB));
    }

    @Test
    void theRelativeWatermarkIsAShareOfTheMemoryTheJvmSees() {
        ServerConfig config = ServerConfig.builtIn().withMemory(MemoryConfig.defaults().withRelative(0.25));
        assertEquals(1 * GiB, config.memory().watermarkBytes(4 * GiB));
        assertEquals("-Xmx1280m", options(config, 4 * GiB).get(0));
    }

    @Test
    void anAbsoluteWatermarkSizesTheHeapWhateverTheMemory() {
        ServerConfig config = ServerConfig.builtIn().withMemory(MemoryConfig.defaults().withAbsolute(3 * GiB));
        assertEquals(3 * GiB, config.memory().watermarkBytes(64 * GiB));
        assertEquals("-Xmx3840m", options(config, 64 * GiB).get(0));
    }

    @Test
    void theHeapGetsNoMoreThanTheMemoryUnlessTheWatermarkAsksForMore() {
        ServerConfig high = ServerConfig.builtIn().withMemory(MemoryConfig.defaults().withRelative(0.9));
        assertEquals("-Xmx8192m", options(high, 8 * GiB).get(0));
        ServerConfig beyond = ServerConfig.builtIn().withMemory(MemoryConfig.defaults().withAbsolute(16 * GiB));
        assertEquals("-Xmx16384m", options(beyond, 8 * GiB).get(0));
    }

    @Test
    void aSmallHeapGetsAQuarterOfItAsYoungGenerationAndNeverLessThan64MiB() {
        ServerConfig small = ServerConfig.builtIn().withMemory(MemoryConfig.defaults().withAbsolute(64L << 20));
        assertEquals(List.of("-Xmx80m", "-Xms64m", "-Xmn20m"), options(small, 64 * GiB).subList(0, 3));
        assertEquals("-Xmx64m", options(ServerConfig.builtIn(), 32L << 20).get(0), "0.6 of 32 MiB is below the floor");
    }

    @Test
    void largeHeapsGetFourMiBRegionsSoTheHeapGrowsInSmallSteps() {
        // 0.6 of 24 GiB and a quarter more: G1 alone would take 16 MiB regions, one Eden region of 32 MiB young
        assertTrue(options(ServerConfig.builtIn(), 24 * GiB).contains("-XX:G1HeapRegionSize=4m"));
        assertTrue(options(ServerConfig.builtIn(), 8 * GiB).stream().noneMatch(o -> o.startsWith("-XX:G1HeapRegionSize")),
                "G1 picks small regions itself for heaps up to 8 GiB");
        assertTrue(options(ServerConfig.builtIn(), 128 * GiB).stream().noneMatch(o -> o.startsWith("-XX:G1HeapRegionSize")),
                "above 64 GiB of heap G1 chooses");
    }

    @Test
    void gcLoggingIsOffByDefaultAndWhenOnWritesRotatedFilesInTheLogDirectory() {
        assertTrue(options(ServerConfig.builtIn(), 8 * GiB).stream().noneMatch(o -> o.startsWith("-Xlog")));
        Path logDir = Path.of("/var/log/warren");
        ServerConfig config = ServerConfig.builtIn().withLogging(LogConfig.defaults().withDir(logDir).withGcLog(true));
        assertEquals("-Xlog:gc*:file=/var/log/warren/gc.log:time,uptime,level,tags:filecount=5,filesize=10m",
                options(config, 8 * GiB).get(options(config, 8 * GiB).size() - 1));
    }
}
