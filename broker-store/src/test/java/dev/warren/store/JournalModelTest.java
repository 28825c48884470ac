package dev.warren.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.core.message.Message;
import dev.warren.core.store.Locations;
import dev.warren.core.store.RecoveredQueue;
import dev.warren.core.store.ResourceAlarm;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The store against a model of what it promises, over random interleavings of publish (to one to three
 * durable queues, confirmed or not yet), consume, ack (made durable or not), requeue, queue delete, clean
 * restart and crash (with or without a torn last write), on the in-memory files with small segments so
 * that segments roll over, are deleted and the index is compacted. After every restart: each confirmed,
 * unacked message is there exactly once, in publish order, with the right body and {@code redelivered}
 * flag; nothing durably acked and no deleted queue comes back.
 *
 * <p>Each run prints nothing unless it fails; a failure names its seed: rerun it with
 * {@code -Dwarren.model.seed=<seed> -Dwarren.model.runs=1}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JournalModelTest {
    private static final int RUNS = Integer.getInteger("warren.model.runs", 60);
    private static final int STEPS = 120;
    private static final Path DIR = Path.of("/model");
    private static final StoreSettings SETTINGS = StoreSettings.defaults(DIR).withSegmentSize(4096).withCompactIndexAt(2048);

    @Test
    void randomInterleavingsKeepEveryConfirmedUnackedMessageExactlyOnceInOrder() throws Exception {
        long base = Long.getLong("warren.model.seed", new Random().nextLong());
        for (int run = 0; run < RUNS; run++) {
            long seed = base + run;
            try {
                new Run(seed).play();
            } catch (AssertionError | Exception e) {
                throw new AssertionError("model run failed with seed " + seed
                        + " (rerun: -Dwarren.model.seed=" + seed + " -Dwarren.model.runs=1): " + e.getMessage(), e);
            }
        }
    }

    /** A message as the model knows it in one queue. */
    private static final class Entry {
        final long location;
        final String body;
        final AtomicBoolean confirmed;
        boolean delivered;

        Entry(long location, String body, AtomicBoolean confirmed) {
            this.location = location;
            this.body = body;
            this.confirmed = confirmed;
        }
    }

    private static final class ModelQueue {
        final String name;
        int id;
        final List<Entry> entries = new ArrayList<>();
        /** Acked, but no force since: after a crash they may come back. */
        final Map<Long, Entry> ackedNotDurable = new HashMap<>();
        /** The highest location ever delivered (in any run): after a clean stop, what lies at or below it is redelivered. */
        long deliveredThrough = -1;

        ModelQueue(String name) {
            this.name = name;
        }
    }

    private static final class Run {
        final Random random;
        final MemoryFiles files = new MemoryFiles();
        final Map<String, ModelQueue> queues = new LinkedHashMap<>();
        final Set<Integer> deletedIds = new HashSet<>();
        Journal journal;
        int counter;
        final List<String> log = new ArrayList<>();

        Run(long seed) {
            this.random = new Random(seed);
        }

        void play() throws Exception {
            journal = open();
            for (String name : List.of("a", "b", "c")) {
                declare(name);
            }
            try {
                for (int step = 0; step < STEPS; step++) {
                    int dice = random.nextInt(100);
                    if (dice < 35) {
                        publish();
                    } else if (dice < 55) {
                        consume();
                    } else if (dice < 72) {
                        ack();
                    } else if (dice < 80) {
                        requeue();
                    } else if (dice < 84) {
                        deleteQueue();
                    } else if (dice < 92) {
                        cleanRestart();
                    } else {
                        crash();
                    }
                }
                cleanRestart();
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\n  after: " + String.join(", ", log), e);
            } finally {
                journal.close();
            }
        }

        Journal open() throws Exception {
            return Journal.open(SETTINGS, files, new ResourceAlarm("disk"), Runnable::run);
        }

        void declare(String name) {
            ModelQueue q = new ModelQueue(name);
            q.id = journal.registerQueue("/", name);
            queues.put(name, q);
        }

        ModelQueue anyQueue() {
            List<ModelQueue> all = new ArrayList<>(queues.values());
            return all.get(random.nextInt(all.size()));
        }

        void publish() throws Exception {
            List<ModelQueue> all = new ArrayList<>(queues.values());
            java.util.Collections.shuffle(all, random);
            List<ModelQueue> targets = all.subList(0, 1 + random.nextInt(all.size()));
            int[] ids = targets.stream().mapToInt(q -> q.id).toArray();
            String body = "m" + counter++ + "-" + "x".repeat(random.nextInt(60));
            AtomicBoolean confirmed = new AtomicBoolean();
            CompletableFuture<Throwable> durable = new CompletableFuture<>();
            Message message = new Message("", "rk", Unpooled.buffer(0), Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            long location;
            try {
                location = journal.append(message, ids, ids.length, failure -> {
                    if (failure == null) {
                        confirmed.set(true);
                    }
                    durable.complete(failure);
                });
            } finally {
                message.release();
            }
            for (ModelQueue q : targets) {
                q.entries.add(new Entry(location, body, confirmed));
            }
            boolean waited = random.nextBoolean();
            if (waited) {
                durable.get(10, TimeUnit.SECONDS);
                assertTrue(confirmed.get(), "a publish on a working disk is confirmed");
            }
            log.add("publish " + body.substring(0, body.indexOf('-')) + "@" + location + " to " + names(targets)
                    + (waited ? " (confirmed)" : ""));
        }

        void consume() throws Exception {
            ModelQueue q = anyQueue();
            for (Entry e : q.entries) {
                if (!e.delivered) {
                    e.delivered = true;
                    q.deliveredThrough = Math.max(q.deliveredThrough, e.location);
                    assertEquals(e.body, read(e.location), "the body read back");
                    log.add("consume " + q.name + "@" + e.location);
                    return;
                }
            }
        }

        void ack() throws Exception {
            ModelQueue q = anyQueue();
            List<Entry> delivered = q.entries.stream().filter(e -> e.delivered).toList();
            if (delivered.isEmpty()) {
                return;
            }
            Entry e = delivered.get(random.nextInt(delivered.size()));
            journal.ack(q.id, e.location);
            q.entries.remove(e);
            boolean durable = random.nextBoolean();
            if (durable) {
                barrier();
                q.ackedNotDurable.clear(); // a force covers every earlier ack
            } else {
                q.ackedNotDurable.put(e.location, e);
            }
            log.add("ack " + q.name + "@" + e.location + (durable ? " (durable)" : ""));
        }

        void requeue() {
            ModelQueue q = anyQueue();
            for (Entry e : q.entries) {
                if (e.delivered && random.nextBoolean()) {
                    e.delivered = false; // stays in the store; comes back (redelivered) to a later consumer
                    log.add("requeue " + q.name + "@" + e.location);
                    return;
                }
            }
        }

        void deleteQueue() throws Exception {
            ModelQueue q = anyQueue();
            journal.deleteQueue(q.id);
            deletedIds.add(q.id);
            barrier();
            log.add("delete " + q.name + " (id " + q.id + ")");
            declare(q.name); // a new queue of the same name: a new id, nothing of the old one's
        }

        void barrier() throws Exception {
            CompletableFuture<Throwable> done = new CompletableFuture<>();
            journal.afterDurable(done::complete);
            assertEquals(null, done.get(10, TimeUnit.SECONDS));
            for (ModelQueue q : queues.values()) {
                q.ackedNotDurable.clear();
            }
        }

        String read(long location) throws Exception {
            CompletableFuture<Message[]> read = new CompletableFuture<>();
            journal.read(new long[] {location}, 1, (messages, failure) -> {
                if (failure != null) {
                    read.completeExceptionally(failure);
                } else {
                    read.complete(messages);
                }
            });
            Message m = read.get(10, TimeUnit.SECONDS)[0];
            assertNotNull(m, "the record at " + location + " is readable");
            try {
                return m.body().toString(StandardCharsets.UTF_8);
            } finally {
                m.release();
            }
        }

        void cleanRestart() throws Exception {
            for (ModelQueue q : queues.values()) {
                if (q.deliveredThrough >= 0) {
                    journal.markDelivered(q.id, q.deliveredThrough);
                }
            }
            journal.close();
            journal = open();
            log.add("clean restart");
            Map<Integer, RecoveredQueue> recovered = recovered();
            for (ModelQueue q : queues.values()) {
                RecoveredQueue r = recovered.get(q.id);
                List<Long> expected = q.entries.stream().map(e -> e.location).toList();
                assertEquals(expected, r == null ? List.of() : plain(r.entries()),
                        "after a clean stop queue " + q.name + " holds exactly its unacked messages, in order");
                if (r != null) {
                    for (int i = 0; i < r.entries().length; i++) {
                        boolean delivered = q.entries.get(i).location <= q.deliveredThrough;
                        assertEquals(delivered, Locations.redelivered(r.entries()[i]),
                                "redelivered after a clean stop only if delivered before: " + q.name + "@" + q.entries.get(i).location);
                    }
                }
                afterRestart(q, r);
            }
        }

        void crash() throws Exception {
            Map<Entry, Boolean> confirmedAtCrash = new HashMap<>();
            for (ModelQueue q : queues.values()) {
                q.entries.forEach(e -> confirmedAtCrash.put(e, e.confirmed.get()));
            }
            boolean torn = random.nextBoolean();
            files.kill();
            journal.close(); // the dead process's writes go nowhere
            files.crash(torn ? random : null);
            journal = open();
            log.add(torn ? "crash (torn write)" : "crash");
            Map<Integer, RecoveredQueue> recovered = recovered();
            for (ModelQueue q : queues.values()) {
                RecoveredQueue r = recovered.get(q.id);
                List<Long> got = r == null ? List.of() : plain(r.entries());
                Map<Long, Entry> allowed = new HashMap<>(q.ackedNotDurable);
                q.entries.forEach(e -> allowed.put(e.location, e));
                long previous = -1;
                for (long location : got) {
                    assertTrue(allowed.containsKey(location), q.name + "@" + location + " came back but was durably acked or never published");
                    assertTrue(location > previous, q.name + ": recovered out of order or twice at " + location);
                    previous = location;
                }
                for (Entry e : q.entries) {
                    if (confirmedAtCrash.get(e)) {
                        assertTrue(got.contains(e.location), "confirmed " + q.name + "@" + e.location + " was lost in a crash");
                    }
                }
                if (r != null) {
                    for (long entry : r.entries()) {
                        assertTrue(Locations.redelivered(entry), "after a crash everything recovered is flagged redelivered");
                    }
                }
                // what came back is the queue now (an acked message that came back is a redelivery)
                List<Entry> now = new ArrayList<>();
                for (long location : got) {
                    Entry e = allowed.get(location);
                    now.add(new Entry(location, e.body, new AtomicBoolean(true)));
                }
                q.entries.clear();
                q.entries.addAll(now);
                afterRestart(q, r);
            }
        }

        /**
         * After a restart nothing is out with a consumer, and the recovered bodies read back right. The
         * delivered mark is kept: a message delivered in any earlier run was delivered before.
         */
        void afterRestart(ModelQueue q, RecoveredQueue r) throws Exception {
            q.ackedNotDurable.clear();
            for (Entry e : q.entries) {
                e.delivered = false;
                assertEquals(e.body, read(e.location), "the body of " + q.name + "@" + e.location + " after the restart");
            }
        }

        Map<Integer, RecoveredQueue> recovered() {
            Map<Integer, RecoveredQueue> byId = new HashMap<>();
            for (RecoveredQueue r : journal.takeRecovered()) {
                assertFalse(deletedIds.contains(r.queueId()), "deleted queue " + r.name() + " (id " + r.queueId() + ") came back");
                byId.put(r.queueId(), r);
            }
            for (ModelQueue q : queues.values()) {
                assertEquals(q.id, journal.registerQueue("/", q.name), "queue " + q.name + " keeps its id");
            }
            return byId;
        }

        static List<Long> plain(long[] entries) {
            List<Long> locations = new ArrayList<>();
            for (long entry : entries) {
                locations.add(Locations.plain(entry));
            }
            return locations;
        }

        static String names(List<ModelQueue> queues) {
            return queues.stream().map(q -> q.name).toList().toString();
        }
    }
}
