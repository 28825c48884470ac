package dev.warren.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.core.message.Message;
import dev.warren.core.store.Locations;
import dev.warren.core.store.RecoveredQueue;
import dev.warren.core.store.ResourceAlarm;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class JournalTest {
    @TempDir
    Path dir;

    private Journal open() throws IOException {
        return Journal.open(StoreSettings.defaults(dir).withSegmentSize(64 * 1024), new ResourceAlarm("disk"));
    }

    private static Message message(String body) {
        ByteBuf properties = Unpooled.buffer().writeShort(1 << 12).writeByte(2); // delivery-mode 2
        return new Message("", "q", properties, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    }

    /** Appends and waits until the journal says the message is on disk. */
    private static long appendDurably(Journal journal, int queueId, String body) throws InterruptedException {
        Message m = message(body);
        CountDownLatch durable = new CountDownLatch(1);
        long location = journal.append(m, new int[] {queueId}, 1, failure -> durable.countDown());
        m.release();
        assertTrue(durable.await(10, TimeUnit.SECONDS), "append never became durable");
        return location;
    }

    private static List<String> read(Journal journal, long[] entries) {
        CompletableFuture<Message[]> read = new CompletableFuture<>();
        journal.read(entries, entries.length, (messages, failure) -> read.complete(messages));
        List<String> bodies = new ArrayList<>();
        for (Message m : read.join()) {
            bodies.add(m == null ? null : m.body().toString(StandardCharsets.UTF_8));
            if (m != null) {
                m.release();
            }
        }
        return bodies;
    }

    private static RecoveredQueue only(Journal journal) {
        List<RecoveredQueue> queues = journal.takeRecovered();
        assertEquals(1, queues.size(), "recovered queues");
        return queues.get(0);
    }

    @Test
    void aReopenedJournalHasEachQueuesUnackedMessagesInOrder() throws Exception {
        int queueId;
        long acked;
        try (Journal journal = open()) {
            queueId = journal.registerQueue("/", "orders");
            appendDurably(journal, queueId, "one");
            acked = appendDurably(journal, queueId, "two");
            appendDurably(journal, queueId, "three");
            journal.ack(queueId, acked);
        }
        try (Journal journal = open()) {
            RecoveredQueue orders = only(journal);
            assertEquals("orders", orders.name());
            assertEquals(queueId, orders.queueId());
            assertEquals(List.of("one", "three"), read(journal, orders.entries()));
            for (long entry : orders.entries()) {
                assertFalse(Locations.redelivered(entry), "never delivered, clean stop");
            }
            assertEquals(queueId, journal.registerQueue("/", "orders"), "the queue keeps its id");
        }
    }

    @Test
    void afterACrashEveryRecoveredMessageIsFlaggedRedelivered() throws Exception {
        Journal crashed = open();
        int queueId = crashed.registerQueue("/", "q");
        appendDurably(crashed, queueId, "m");
        // no close: the process "dies" here (the files are as a kill -9 leaves them)
        Path copy = Files.createDirectories(dir.resolveSibling(dir.getFileName() + "-copy"));
        for (Path f : Files.list(dir).toList()) {
            Files.copy(f, copy.resolve(f.getFileName()));
        }
        crashed.close();
        try (Journal journal = Journal.open(StoreSettings.defaults(copy), new ResourceAlarm("disk"))) {
            long[] entries = only(journal).entries();
            assertEquals(1, entries.length);
            assertTrue(Locations.redelivered(entries[0]));
        }
    }

    @Test
    void aDeletedQueueLeavesNothingBehind() throws Exception {
        try (Journal journal = open()) {
            int queueId = journal.registerQueue("/", "gone");
            appendDurably(journal, queueId, "x");
            journal.deleteQueue(queueId);
        }
        try (Journal journal = open()) {
            assertTrue(journal.takeRecovered().isEmpty());
        }
    }

    @Test
    void aTornRecordAtTheEndOfASegmentIsCutOffAndTheRestRecovers() throws Exception {
        try (Journal journal = open()) {
            int queueId = journal.registerQueue("/", "q");
            appendDurably(journal, queueId, "kept-1");
            appendDurably(journal, queueId, "kept-2");
        }
        Path segment = Segments.file(dir.resolve(""), 1);
        long intact = Files.size(segment);
        // half a record, as a crash in the middle of a write leaves it
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 40, 1, 2, 3, 4, 1, 0}));
        }
        try (Journal journal = open()) {
            assertEquals(intact, Files.size(segment), "the torn tail is truncated");
            assertEquals(List.of("kept-1", "kept-2"), read(journal, only(journal).entries()));
        }
    }

    @Test
    void aSegmentCutShortDropsOnlyTheMessagesItLost() throws Exception {
        long[] locations = new long[3];
        try (Journal journal = open()) {
            int queueId = journal.registerQueue("/", "q");
            for (int i = 0; i < 3; i++) {
                locations[i] = appendDurably(journal, queueId, "m" + i);
            }
        }
        Path segment = Segments.file(dir, 1);
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.truncate(Locations.offset(locations[2]) + 5); // the last record loses its end
        }
        try (Journal journal = open()) {
            assertEquals(List.of("m0", "m1"), read(journal, only(journal).entries()));
            assertEquals(Locations.offset(locations[2]), Files.size(segment));
        }
    }

    @Test
    void aFlippedByteIsCaughtByTheChecksumAndOnlyThatMessageIsDropped() throws Exception {
        long[] locations = new long[3];
        try (Journal journal = open()) {
            int queueId = journal.registerQueue("/", "q");
            for (int i = 0; i < 3; i++) {
                locations[i] = appendDurably(journal, queueId, "body-" + i);
            }
        }
        Path segment = Segments.file(dir, 1);
        long inBody = Locations.offset(locations[1]) + MessageRecord.size(message("body-1")) - 2;
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, inBody);
            b.put(0, (byte) (b.get(0) ^ 0x01));
            ch.write(b.flip(), inBody);
        }
        try (Journal journal = open()) {
            List<String> bodies = read(journal, only(journal).entries());
            assertEquals("body-0", bodies.get(0));
            assertNull(bodies.get(1), "the corrupt record is not handed out");
            assertEquals("body-2", bodies.get(2));
        }
    }

    @Test
    void aCorruptIndexTailIsDroppedAndTheEntriesBeforeItStay() throws Exception {
        try (Journal journal = open()) {
            int queueId = journal.registerQueue("/", "q");
            appendDurably(journal, queueId, "a");
            appendDurably(journal, queueId, "b");
        }
        Path index = dir.resolve(IndexLog.FILE_NAME);
        try (FileChannel ch = FileChannel.open(index, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap(new byte[] {IndexLog.ENQUEUE, 0, 0, 0, 1, 0, 0}));
        }
        try (Journal journal = open()) {
            assertEquals(List.of("a", "b"), read(journal, only(journal).entries()));
        }
    }

    @Test
    void segmentsAreDeletedOnceEveryMessageInThemIsAcked() throws Exception {
        try (Journal journal = open()) {
            int queueId = journal.registerQueue("/", "q");
            String body = "x".repeat(1000);
            List<Long> locations = new ArrayList<>();
            for (int i = 0; i < 300; i++) { // about 300 KB: several 64 KiB segments
                locations.add(appendDurably(journal, queueId, body));
            }
            long segments = Segments.list(DiskFiles.INSTANCE, dir).size();
            assertTrue(segments >= 4, "segments written: " + segments);
            for (long location : locations) {
                journal.ack(queueId, location);
            }
            CountDownLatch synced = new CountDownLatch(1);
            journal.afterDurable(failure -> synced.countDown());
            assertTrue(synced.await(10, TimeUnit.SECONDS));
            assertEquals(1, Segments.list(DiskFiles.INSTANCE, dir).size(), "only the segment being written is left");
        }
    }

    @Test
    void theIndexIsCompactedOnceMostlyAckedAndStillRecoversWhatIsLive() throws Exception {
        StoreSettings settings = StoreSettings.defaults(dir).withCompactIndexAt(4096);
        Path index = dir.resolve(IndexLog.FILE_NAME);
        try (Journal journal = Journal.open(settings, new ResourceAlarm("disk"))) {
            int queueId = journal.registerQueue("/", "q");
            List<Long> locations = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                Message m = message("m" + i);
                locations.add(journal.append(m, new int[] {queueId}, 1, null));
                m.release();
            }
            for (int i = 0; i < 995; i++) {
                journal.ack(queueId, locations.get(i));
            }
            // compaction runs on its own thread and is swapped in between two later batches: keep committing
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (Files.size(index) >= 200 * IndexLog.ENTRY_SIZE && System.nanoTime() < deadline) {
                CountDownLatch synced = new CountDownLatch(1);
                journal.afterDurable(failure -> synced.countDown());
                assertTrue(synced.await(10, TimeUnit.SECONDS));
            }
            // 1000 enqueues and 995 acks would be 1995 entries of 17 bytes
            assertTrue(Files.size(index) < 200 * IndexLog.ENTRY_SIZE, "index size " + Files.size(index));
        }
        try (Journal journal = Journal.open(settings, new ResourceAlarm("disk"))) {
            assertEquals(List.of("m995", "m996", "m997", "m998", "m999"), read(journal, only(journal).entries()));
        }
    }

    @Test
    void spilledCopiesAreReadableAndNotRecovered() throws Exception {
        try (Journal journal = open()) {
            Message m = message("spilled");
            long location = journal.spill(m);
            m.release();
            assertEquals(List.of("spilled"), read(journal, new long[] {location | Locations.SPILLED}));
        }
        try (Journal journal = open()) {
            assertTrue(journal.takeRecovered().isEmpty());
        }
    }

    @Test
    void messagesWaitingToBeWrittenAreCountedInTheBacklogUntilWritten() throws Exception {
        try (Journal journal = open()) {
            Message m = message("spilled");
            long size = MessageRecord.size(m);
            journal.spill(m);
            m.release();
            assertTrue(journal.writeBacklog().bytes() == size || journal.writeBacklog().bytes() == 0,
                    "counted from the spill until written: " + journal.writeBacklog().bytes());
            CompletableFuture<Throwable> written = new CompletableFuture<>();
            journal.afterDurable(written::complete);
            assertEquals(null, written.get(10, TimeUnit.SECONDS));
            assertEquals(0, journal.writeBacklog().bytes(), "nothing waits once written");
        }
    }

    @Test
    void theMessageKeepsItsRoutingAndPropertyBytes() throws Exception {
        try (Journal journal = open()) {
            int queueId = journal.registerQueue("/", "q");
            ByteBuf properties = Unpooled.buffer().writeShort((1 << 15) | (1 << 12)).writeByte(10)
                    .writeBytes("text/plain".getBytes(StandardCharsets.US_ASCII)).writeByte(2);
            Message m = new Message("amq.topic", "a.b.ü", properties, Unpooled.copiedBuffer("payload", StandardCharsets.UTF_8));
            byte[] expectedProperties = new byte[properties.readableBytes()];
            properties.getBytes(0, expectedProperties);
            CountDownLatch durable = new CountDownLatch(1);
            long location = journal.append(m, new int[] {queueId}, 1, failure -> durable.countDown());
            m.release();
            assertTrue(durable.await(10, TimeUnit.SECONDS));
            CompletableFuture<Message[]> read = new CompletableFuture<>();
            journal.read(new long[] {location}, 1, (messages, failure) -> read.complete(messages));
            Message back = read.join()[0];
            assertNotNull(back);
            assertEquals("amq.topic", back.exchange());
            assertEquals("a.b.ü", back.routingKey());
            byte[] actualProperties = new byte[back.properties().readableBytes()];
            back.properties().getBytes(back.properties().readerIndex(), actualProperties);
            assertArrayEquals(expectedProperties, actualProperties);
            assertTrue(back.persistent());
            back.release();
        }
    }
}
