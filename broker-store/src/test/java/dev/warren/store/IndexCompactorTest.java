package dev.warren.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.core.message.Message;
import dev.warren.core.store.ResourceAlarm;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Index compaction runs beside the commits, not in their way: while a compaction is held in progress,
 * confirms keep completing, and once it finishes the index is small and recovers exactly the live entries,
 * including those written and acked during the compaction.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class IndexCompactorTest {
    private final MemoryFiles files = new MemoryFiles();
    private final Path dir = Path.of("/store");
    /** The compactor's thread, held by the test: tasks wait here until run. */
    private final ConcurrentLinkedQueue<Runnable> compactions = new ConcurrentLinkedQueue<>();
    private final StoreSettings settings = StoreSettings.defaults(dir).withCompactIndexAt(4096);

    private static Message message(String body) {
        return new Message("", "q", Unpooled.buffer(0), Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    }

    private static long append(Journal journal, int queueId, String body) throws Exception {
        CompletableFuture<Throwable> durable = new CompletableFuture<>();
        Message m = message(body);
        long location = journal.append(m, new int[] {queueId}, 1, durable::complete);
        m.release();
        assertNull(durable.get(10, TimeUnit.SECONDS), "confirmed");
        return location;
    }

    private static void barrier(Journal journal) throws Exception {
        CompletableFuture<Throwable> done = new CompletableFuture<>();
        journal.afterDurable(done::complete);
        assertNull(done.get(10, TimeUnit.SECONDS));
    }

    private long indexSize() throws Exception {
        return files.size(dir.resolve(IndexLog.FILE_NAME));
    }

    @Test
    void confirmsCompleteWhileACompactionIsInProgressAndItsResultKeepsExactlyTheLiveEntries() throws Exception {
        List<Long> live = new ArrayList<>();
        try (Journal journal = Journal.open(settings, files, new ResourceAlarm("disk"), compactions::add)) {
            int queueId = journal.registerQueue("/", "q");
            List<Long> locations = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                locations.add(append(journal, queueId, "m" + i));
            }
            for (int i = 0; i < 395; i++) {
                journal.ack(queueId, locations.get(i));
            }
            barrier(journal);
            // when the next size check comes depends on batch boundaries: grow the index (acked fillers) until it does
            BrokerWait.until("a compaction to start", () -> {
                if (compactions.isEmpty()) {
                    journal.ack(queueId, append(journal, queueId, "filler"));
                    barrier(journal);
                }
                return !compactions.isEmpty();
            });

            // the compaction is in progress (held); commits go on, with enqueues and acks it did not see
            long during = append(journal, queueId, "during");
            long ackedDuring = append(journal, queueId, "acked during");
            journal.ack(queueId, ackedDuring);
            journal.ack(queueId, locations.get(395));
            barrier(journal);
            long before = indexSize();

            compactions.poll().run(); // the compactor's work, now
            BrokerWait.until("the compacted index to be swapped in", () -> {
                barrier(journal);
                return indexSize() < before / 4;
            });
            for (int i = 396; i < 400; i++) {
                live.add(locations.get(i));
            }
            live.add(during);
        }
        try (Journal reopened = Journal.open(settings, files, new ResourceAlarm("disk"), Runnable::run)) {
            long[] entries = reopened.takeRecovered().get(0).entries();
            List<Long> recovered = new ArrayList<>();
            for (long entry : entries) {
                recovered.add(dev.warren.core.store.Locations.plain(entry));
            }
            assertEquals(live, recovered);
        }
    }

    /** Waits on a condition with a deadline. */
    private static final class BrokerWait {
        interface Condition {
            boolean holds() throws Exception;
        }

        static void until(String what, Condition condition) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!condition.holds()) {
                assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
                Thread.sleep(5);
            }
        }
    }
}
