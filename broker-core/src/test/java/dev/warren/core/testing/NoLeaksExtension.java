package dev.warren.core.testing;

import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a buffer leak while it ran (or was found right after it), naming
 * the leak and where the buffer was last touched. Registered for every test class of every module that
 * depends on broker-core's test jar (automatic extension registration is on in the build).
 */
public final class NoLeaksExtension implements AfterAllCallback {
    @Override
    public void afterAll(ExtensionContext context) {
        LeakRecorder.collect();
        List<String> leaks = LeakRecorder.takeLeaks();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " Netty buffer leak(s) reported during " + context.getDisplayName()
                    + "; the first:\n" + leaks.get(0));
        }
    }
}
