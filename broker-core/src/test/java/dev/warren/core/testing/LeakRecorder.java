package dev.warren.core.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Netty's leak detectors, made to record what they find instead of only logging it, so that a test run
 * can fail on a leak ({@link NoLeaksExtension}). Installed before any buffer class is loaded
 * ({@link LeakRecordingSession}); Netty reports a leak when a later allocation finds a collected buffer
 * that was never released, which {@link #collect} provokes.
 */
public final class LeakRecorder extends ResourceLeakDetectorFactory {
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
    private static volatile boolean installed;

    private LeakRecorder() {
    }

    static synchronized void install() {
        if (!installed) {
            ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new LeakRecorder());
            installed = true;
        }
    }

    @Override
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
        return new ResourceLeakDetector<>(resource, samplingInterval) {
            @Override
            protected boolean needReport() {
                return true; // whatever the logging configuration says
            }

            @Override
            protected void reportTracedLeak(String resourceType, String records) {
                LEAKS.add(resourceType + " was not released before it was garbage-collected." + records);
            }

            @Override
            protected void reportUntracedLeak(String resourceType) {
                LEAKS.add(resourceType + " was not released before it was garbage-collected (no access records).");
            }
        };
    }

    /** Lets the detectors see what was collected: collects garbage, then allocates, which makes them look. */
    public static void collect() {
        for (int round = 0; round < 3; round++) {
            System.gc();
            for (int i = 0; i < 8; i++) {
                ByteBuf pooled = PooledByteBufAllocator.DEFAULT.directBuffer(8);
                pooled.release();
                ByteBuf unpooled = UnpooledByteBufAllocator.DEFAULT.heapBuffer(8);
                unpooled.release();
            }
        }
    }

    /** The leaks reported since the last call, and forgets them. */
    public static List<String> takeLeaks() {
        List<String> taken = new ArrayList<>(LEAKS);
        LEAKS.removeAll(taken);
        return taken;
    }
}
