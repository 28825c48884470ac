package dev.warren.core.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The leak check itself: a buffer dropped without release is reported, so the build would fail. */
class LeakRecorderTest {
    @Test
    void theRecorderIsInstalledForTheWholeRun() {
        assertTrue(ResourceLeakDetectorFactory.instance() instanceof LeakRecorder);
    }

    @Test
    void aBufferDroppedWithoutReleaseIsReportedWithWhereItWasTouched() {
        LeakRecorder.takeLeaks();
        leakOne();
        List<String> leaks = List.of();
        for (int attempt = 0; attempt < 20 && leaks.isEmpty(); attempt++) {
            LeakRecorder.collect();
            leaks = LeakRecorder.takeLeaks(); // taken here, so this deliberate leak does not fail the class
        }
        assertFalse(leaks.isEmpty(), "the deliberate leak was not reported");
        assertTrue(leaks.get(0).contains("leakOne"), leaks.get(0));
    }

    private static void leakOne() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.directBuffer(16);
        leaked.writeInt(42); // recorded access (paranoid level), never released
    }
}
