package dev.warren.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.core.store.Definitions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DefinitionsFileTest {
    @TempDir
    Path dir;

    private static Definitions withQueue(String name) {
        return new Definitions(List.of(), List.of(new Definitions.QueueDefinition(name, false, Map.of())), List.of());
    }

    /** A sink whose first write waits until the test lets it go, counting the writes. */
    private static final class HeldSink implements DefinitionsFile.Sink {
        final CountDownLatch firstStarted = new CountDownLatch(1);
        final CountDownLatch letGo = new CountDownLatch(1);
        final List<String> writes = new ArrayList<>();
        volatile IOException failWith;

        @Override
        public void append(byte[] lines) throws IOException {
            write(lines);
        }

        @Override
        public void replaceSnapshot(byte[] json) throws IOException {
            write(json);
        }

        @Override
        public void clearLog() {
        }

        void write(byte[] json) throws IOException {
            firstStarted.countDown();
            try {
                letGo.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (failWith != null) {
                throw failWith;
            }
            synchronized (writes) {
                writes.add(new String(json, java.nio.charset.StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void changesMadeWhileAWriteIsUnderWayShareTheNextWriteAndCompleteOnlyAfterIt() throws Exception {
        HeldSink sink = new HeldSink();
        try (DefinitionsFile file = DefinitionsFile.open(dir, sink)) {
            CompletableFuture<Void> first = file.save("/", withQueue("q0"));
            assertTrue(sink.firstStarted.await(10, TimeUnit.SECONDS));
            List<CompletableFuture<Void>> later = new ArrayList<>();
            for (int i = 1; i <= 50; i++) {
                later.add(file.save("/", withQueue("q" + i)));
            }
            assertFalse(first.isDone(), "complete only once the write is done");
            later.forEach(change -> assertFalse(change.isDone()));
            sink.letGo.countDown();
            CompletableFuture.allOf(later.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            assertTrue(first.isDone());
            synchronized (sink.writes) {
                assertEquals(2, sink.writes.size(), "fifty changes during one write cost one more write");
                assertFalse(sink.writes.get(1).contains("\"q49\""), "it holds only the change: q50 replaced q0");
                assertTrue(sink.writes.get(1).contains("\"q50\""));
            }
        }
    }

    @Test
    void aFailedWriteFailsTheChangesItHeldAndTheNextChangeTriesAgain() throws Exception {
        HeldSink sink = new HeldSink();
        sink.failWith = new IOException("disk full");
        sink.letGo.countDown();
        try (DefinitionsFile file = DefinitionsFile.open(dir, sink)) {
            ExecutionException failed = assertThrows(ExecutionException.class,
                    () -> file.save("/", withQueue("q")).get(10, TimeUnit.SECONDS));
            assertTrue(failed.getCause().getMessage().contains("disk full"), failed.getCause().getMessage());
            sink.failWith = null;
            file.save("/", withQueue("q")).get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void closeWritesWhatIsStillWaitingAndAReopenedFileHasIt() throws Exception {
        DefinitionsFile file = DefinitionsFile.open(dir);
        CompletableFuture<Void> saved = file.save("/", withQueue("kept"));
        file.close();
        assertTrue(saved.isDone() && !saved.isCompletedExceptionally());
        try (DefinitionsFile reopened = DefinitionsFile.open(dir)) {
            assertEquals("kept", reopened.load().get("/").queues().get(0).name());
        }
    }
}
