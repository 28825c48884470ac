package dev.warren.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.core.message.Message;
import dev.warren.core.store.Locations;
import dev.warren.core.store.ResourceAlarm;
import dev.warren.core.store.StoreFailedException;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A store whose disk fails: the in-memory files fail a write or a force, and every promise the store made
 * is kept by failing it — nothing hangs, nothing is confirmed that is not on disk.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JournalFailureTest {
    private final MemoryFiles files = new MemoryFiles();
    private final ResourceAlarm alarm = new ResourceAlarm("disk");
    private final Path dir = Path.of("/store");

    private Journal open() throws IOException {
        return Journal.open(StoreSettings.defaults(dir), files, alarm, Runnable::run);
    }

    private static Message message(String body) {
        return new Message("", "q", Unpooled.buffer(0), Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    }

    private static CompletableFuture<Throwable> append(Journal journal, int queueId, String body) {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Message m = message(body);
        try {
            journal.append(m, new int[] {queueId}, 1, outcome::complete);
        } finally {
            m.release();
        }
        return outcome;
    }

    @Test
    void aFailedForceFailsEveryWaitingConfirmRefusesNewWritesAndRaisesTheAlarm() throws Exception {
        Journal journal = open();
        int queueId = journal.registerQueue("/", "q");
        assertNull(append(journal, queueId, "before").get(10, TimeUnit.SECONDS), "the disk works at first");

        IOException broken = new IOException("the disk is gone");
        files.failForces(broken);
        List<CompletableFuture<Throwable>> waiting = new ArrayList<>();
        waiting.add(append(journal, queueId, "m0")); // the writer has not failed yet: this one is taken
        for (int i = 1; i < 20; i++) {
            try {
                waiting.add(append(journal, queueId, "m" + i));
            } catch (StoreFailedException refused) { // the writer failed meanwhile: refused at once instead
                assertSame(broken, refused.getCause());
            }
        }
        for (CompletableFuture<Throwable> outcome : waiting) {
            assertSame(broken, outcome.get(10, TimeUnit.SECONDS), "every outstanding confirm hears the cause");
        }
        assertSame(broken, journal.failure());
        assertTrue(alarm.raised(), "publishers are blocked");

        StoreFailedException refused = assertThrows(StoreFailedException.class, () -> append(journal, queueId, "after"));
        assertSame(broken, refused.getCause());
        assertThrows(StoreFailedException.class, () -> journal.spill(message("spill")));
        CompletableFuture<Throwable> barrier = new CompletableFuture<>();
        journal.afterDurable(barrier::complete);
        assertSame(broken, barrier.get(10, TimeUnit.SECONDS));
        journal.ack(queueId, 1); // later bookkeeping is accepted and ignored
        journal.close(); // and stopping does not hang
    }

    @Test
    void aFailedWriteLetsGoOfAReaderWaitingForARecordThatWillNeverBeWritten() throws Exception {
        Journal journal = open();
        int queueId = journal.registerQueue("/", "q");
        files.failWrites(new IOException("write error"));
        CompletableFuture<Throwable> confirm = append(journal, queueId, "never written");
        assertNotNull(confirm.get(10, TimeUnit.SECONDS));
        CompletableFuture<Throwable> read = new CompletableFuture<>();
        journal.read(new long[] {Locations.of(1, 0)}, 1, (messages, failure) -> read.complete(failure));
        assertNotNull(read.get(10, TimeUnit.SECONDS), "the read fails instead of waiting forever");
        journal.close();
    }

    @Test
    void whatWasConfirmedBeforeTheFailureIsRecoveredAfterARestart() throws Exception {
        Journal journal = open();
        int queueId = journal.registerQueue("/", "q");
        assertNull(append(journal, queueId, "safe").get(10, TimeUnit.SECONDS));
        files.failForces(new IOException("gone"));
        assertNotNull(append(journal, queueId, "lost").get(10, TimeUnit.SECONDS));
        journal.close();
        files.failForces(null);
        files.crash(null);
        try (Journal reopened = open()) {
            long[] entries = reopened.takeRecovered().get(0).entries();
            assertEquals(1, entries.length, "only the confirmed message");
        }
    }
}
