package dev.warren.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.warren.core.message.Message;
import dev.warren.core.store.DefinitionStore;
import dev.warren.core.store.MemoryBudget;
import dev.warren.core.store.ResourceAlarm;
import dev.warren.core.store.Storage;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The queue's owner-thread state against a model, over random interleavings of publish, consumers
 * coming and going with changing credit, basic.get, ack, requeue, purge and paged reads completing or
 * failing, with a memory budget small enough that messages page out and back. Invariants at every
 * delivery and after every step: a delivery is always the oldest ready message, flagged redelivered
 * exactly when it was delivered before; the counts match; nothing is lost, duplicated or leaked.
 * A failure names its seed (-Dwarren.model.seed=..., -Dwarren.model.runs=1 to rerun it alone).
 */
class QueueProcessModelTest {
    private static final int RUNS = Integer.getInteger("warren.model.runs", 200);
    private static final int STEPS = 200;

    @Test
    void deliveriesAlwaysTakeTheOldestReadyMessageAndNothingIsLostDuplicatedOrLeaked() {
        long base = Long.getLong("warren.model.seed", new Random().nextLong());
        for (int run = 0; run < RUNS; run++) {
            long seed = base + run;
            Run r = new Run(seed);
            try {
                r.play();
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("queue model run failed with seed " + seed + " (rerun: -Dwarren.model.seed="
                        + seed + " -Dwarren.model.runs=1): " + e.getMessage() + "\n  after: " + String.join(", ", r.log), e);
            } finally {
                r.store.close();
            }
        }
    }

    private static final class Run {
        final Random random;
        final FakeMessageStore store = new FakeMessageStore();
        final MemoryBudget memory;
        final QueueProcess queue;
        /** Ready messages by publish number; true when delivered before. */
        final TreeMap<Integer, Boolean> ready = new TreeMap<>();
        final Map<Integer, QueueEntry> out = new HashMap<>();
        final List<Message> published = new ArrayList<>();
        final List<ModelConsumer> consumers = new ArrayList<>();
        final List<String> log = new ArrayList<>();
        int next;

        Run(long seed) {
            random = new Random(seed);
            memory = new MemoryBudget(random.nextInt(3) * 1500L); // 0: everything pages; 3000: some do
            Storage storage = new Storage(store, DefinitionStore.NONE, memory, new ResourceAlarm("disk"));
            queue = new VirtualHost("/", storage)
                    .declareQueue("q", false, false, false, Map.of(), null, ImmediateEventExecutor.INSTANCE).process();
        }

        /** A consumer that checks every delivery against the model. */
        final class ModelConsumer implements Consumer {
            final String tag;
            int credit;

            ModelConsumer(String tag, int credit) {
                this.tag = tag;
                this.credit = credit;
            }

            @Override
            public String tag() {
                return tag;
            }

            @Override
            public boolean exclusive() {
                return false;
            }

            @Override
            public boolean ready() {
                return credit > 0;
            }

            @Override
            public void deliver(MessageQueue from, QueueEntry entry) {
                credit--;
                delivered(entry, tag);
            }

            @Override
            public void cancelledByQueue(MessageQueue from) {
            }
        }

        void delivered(QueueEntry entry, String to) {
            int number = number(entry);
            assertFalse(ready.isEmpty(), "delivered m" + number + " to " + to + " but the model has nothing ready");
            assertEquals(ready.firstKey(), number, "a delivery takes the oldest ready message");
            assertEquals(ready.get(number), entry.redelivered(), "redelivered exactly when delivered before: m" + number);
            ready.remove(number);
            out.put(number, entry);
            log.add("m" + number + "->" + to);
        }

        static int number(QueueEntry entry) {
            return Integer.parseInt(entry.message().body().toString(StandardCharsets.UTF_8).substring(1));
        }

        void play() {
            for (int step = 0; step < STEPS; step++) {
                int dice = random.nextInt(100);
                if (dice < 30) {
                    publish();
                } else if (dice < 38) {
                    addConsumer();
                } else if (dice < 44) {
                    removeConsumer();
                } else if (dice < 54) {
                    giveCredit();
                } else if (dice < 62) {
                    get();
                } else if (dice < 74) {
                    settleSome();
                } else if (dice < 84) {
                    requeueSome();
                } else if (dice < 86) {
                    purge();
                } else if (dice < 96) {
                    log.add("reads complete");
                    store.completeReads();
                } else {
                    log.add("reads fail");
                    store.failReads();
                }
                assertEquals(ready.size(), queue.messageCount(), "ready count");
                assertEquals(out.size(), queue.unacknowledgedCount(), "unacked count");
            }
            finish();
        }

        void publish() {
            int number = next++;
            // property bytes of varying size (all flags clear) vary the weight, so the budget pages some out
            Message m = new Message("", "q", Unpooled.wrappedBuffer(new byte[2 + random.nextInt(200)]),
                    Unpooled.copiedBuffer("m" + number, StandardCharsets.UTF_8));
            published.add(m);
            ready.put(number, false);
            log.add("publish m" + number);
            queue.enqueue(m.retain());
        }

        void addConsumer() {
            ModelConsumer c = new ModelConsumer("c" + consumers.size(), random.nextInt(4));
            consumers.add(c);
            log.add("consume " + c.tag + " credit " + c.credit);
            queue.addConsumer(c);
        }

        void removeConsumer() {
            if (!consumers.isEmpty()) {
                ModelConsumer c = consumers.remove(random.nextInt(consumers.size()));
                log.add("cancel " + c.tag);
                queue.removeConsumer(c);
            }
        }

        void giveCredit() {
            if (!consumers.isEmpty()) {
                ModelConsumer c = consumers.get(random.nextInt(consumers.size()));
                c.credit += 1 + random.nextInt(3);
                log.add("credit " + c.tag + " " + c.credit);
                queue.resumeDispatch();
            }
        }

        void get() {
            log.add("get");
            boolean[] answered = {false};
            queue.get(true, (entry, remaining) -> {
                answered[0] = true;
                if (entry != null) {
                    delivered(entry, "get");
                }
            });
        }

        List<Integer> someOut() {
            List<Integer> picked = new ArrayList<>();
            for (Integer number : out.keySet()) {
                if (random.nextBoolean()) {
                    picked.add(number);
                }
            }
            java.util.Collections.shuffle(picked, random); // clients settle in any order
            return picked;
        }

        void settleSome() {
            List<QueueEntry> entries = new ArrayList<>();
            for (Integer number : someOut()) {
                entries.add(out.remove(number));
            }
            log.add("ack " + entries.size());
            queue.settle(entries);
        }

        void requeueSome() {
            List<Integer> numbers = someOut();
            List<QueueEntry> entries = new ArrayList<>();
            for (Integer number : numbers) {
                entries.add(out.remove(number));
                ready.put(number, true);
            }
            log.add("requeue " + numbers);
            queue.requeue(entries); // back in the model first: requeue dispatches at once
        }

        void purge() {
            log.add("purge");
            int count = queue.purge();
            assertEquals(ready.size(), count, "purge counts what was ready");
            ready.clear();
        }

        /** Drains what is left through basic.get and settles everything: nothing may be lost or leaked. */
        void finish() {
            consumers.forEach(queue::removeConsumer);
            consumers.clear();
            for (int guard = 0; !ready.isEmpty() && guard < 10_000; guard++) {
                store.completeReads();
                get();
                store.completeReads();
            }
            assertEquals(0, ready.size(), "every ready message could be fetched");
            queue.settle(new ArrayList<>(out.values()));
            out.clear();
            assertEquals(0, queue.messageCount());
            assertEquals(0, queue.unacknowledgedCount());
            assertEquals(0, memory.used(), "the heap account is back to zero");
            for (Message m : published) {
                assertEquals(1, m.refCnt(), "only the test's own reference is left: " + m.body().toString(StandardCharsets.UTF_8));
                m.release();
            }
            assertNotNull(queue);
        }
    }
}
