package dev.warren.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.core.store.MemoryAlarm;
import dev.warren.core.store.MemoryAlarm.Watermark;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The memory alarm's threshold and hysteresis, driven one reading at a time from a fake source (no timing). */
class MemoryMonitorTest {
    private static final long MiB = 1L << 20;

    /** Readings set by the test. */
    private static final class FakeMemory implements MemoryMonitor.Source {
        long used;

        @Override
        public long used() {
            return used;
        }
    }

    private final FakeMemory memory = new FakeMemory();
    private final List<Boolean> changes = new ArrayList<>();

    private MemoryMonitor monitor(MemoryAlarm alarm) {
        alarm.alarm().onChange(changes::add);
        return new MemoryMonitor(memory, alarm);
    }

    private void read(MemoryMonitor monitor, long bytes) {
        memory.used = bytes;
        monitor.sample();
    }

    @Test
    void raisesTheAlarmOnlyAboveTheLimit() {
        MemoryAlarm alarm = new MemoryAlarm(Watermark.absolute(100 * MiB), 1024 * MiB);
        MemoryMonitor monitor = monitor(alarm);
        read(monitor, 99 * MiB);
        read(monitor, 100 * MiB);
        assertFalse(alarm.raised(), "at the limit is not above it");
        read(monitor, 100 * MiB + 1);
        assertTrue(alarm.raised());
        assertEquals(List.of(true), changes);
        assertEquals(100 * MiB + 1, alarm.used());
    }

    @Test
    void clearsOnlyBelowTheHysteresisMarginUnderTheLimit() {
        MemoryAlarm alarm = new MemoryAlarm(Watermark.absolute(100 * MiB), 1024 * MiB);
        MemoryMonitor monitor = monitor(alarm);
        read(monitor, 120 * MiB);
        long clearBelow = (long) (100 * MiB * MemoryAlarm.CLEAR_FRACTION);
        read(monitor, 99 * MiB);
        read(monitor, clearBelow);
        assertTrue(alarm.raised(), "just under the limit is not enough to clear");
        read(monitor, clearBelow - 1);
        assertFalse(alarm.raised());
        read(monitor, 100 * MiB);
        assertFalse(alarm.raised(), "back up to the limit does not raise it again");
        assertEquals(List.of(true, false), changes, "one raise, one clear: no flapping");
    }

    @Test
    void aRelativeWatermarkIsAShareOfTheTotalMemory() {
        MemoryAlarm alarm = new MemoryAlarm(Watermark.relative(0.4), 1000 * MiB);
        MemoryMonitor monitor = monitor(alarm);
        assertEquals(400 * MiB, alarm.limit());
        read(monitor, 400 * MiB + 1);
        assertTrue(alarm.raised());
    }

    @Test
    void loweringTheWatermarkRaisesTheAlarmAtOnceAndRaisingItBackClearsIt() {
        MemoryAlarm alarm = new MemoryAlarm(Watermark.relative(0.6), 1000 * MiB);
        MemoryMonitor monitor = monitor(alarm);
        read(monitor, 50 * MiB);
        alarm.setWatermark(Watermark.absolute(1));
        assertTrue(alarm.raised(), "judged against the last reading without waiting for the next");
        alarm.setWatermark(Watermark.relative(0.6));
        assertFalse(alarm.raised());
        assertEquals(List.of(true, false), changes);
    }

    @Test
    void aZeroWatermarkBlocksPublishingForGood() {
        MemoryAlarm alarm = new MemoryAlarm(Watermark.relative(0), 1000 * MiB);
        MemoryMonitor monitor = monitor(alarm);
        read(monitor, 1);
        assertTrue(alarm.raised());
        read(monitor, 0);
        assertTrue(alarm.raised(), "nothing is below 95% of nothing, as RabbitMQ's 0 disables publishing");
    }

    @Test
    void theJvmReadingCountsTheHeapAndDirectBuffers() {
        MemoryMonitor.JvmMemory jvm = new MemoryMonitor.JvmMemory();
        long heap = jvm.heap();
        assertTrue(heap >= 0 && heap <= Runtime.getRuntime().totalMemory(), "within the heap: " + heap);
        assertTrue(jvm.direct() >= 0 && jvm.mapped() >= 0);
        assertEquals(jvm.heap() + jvm.direct() + jvm.mapped(), jvm.used(), 64 * MiB,
                "the three parts, read a moment apart");
    }
}
