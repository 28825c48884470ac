package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ch.qos.logback.classic.Level;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.amqp.it.FrameFuzzer.FuzzCase;
import dev.warren.amqp.it.RawAmqpClient.CloseReason;
import dev.warren.amqp.it.RawAmqpClient.RawFrame;
import dev.warren.core.testing.LeakRecorder;
import java.io.EOFException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A seeded, bounded frame fuzzer against the in-process broker. Each case ({@link FrameFuzzer}) connects with
 * a raw socket, does a valid handshake, maybe opens channel 1, sends valid and mutated frames, and reads until
 * the broker closes the connection or answers the connection.close that ends every frame-aligned case.
 *
 * <p>It fails on: a connection.close or channel.close with 541 INTERNAL_ERROR or any code outside the ones
 * RabbitMQ uses for the error class; a reply text that leaks Java; a socket closed without connection.close; a
 * broker that neither closes nor answers within the case's deadline; an event logged at ERROR; a canary
 * connection (the RabbitMQ Java client, publishing and consuming a message every few cases) that stops
 * working; and heap growth past a bound once the run is over and the fuzzed queues are deleted. The broker is
 * in this JVM, so the bound is on the JVM's heap after GC (the broker's and the test's), not the process's RSS.
 *
 * <p>System properties: {@code warren.fuzz.cases} (default 3000), {@code warren.fuzz.seed} (default fixed),
 * {@code warren.fuzz.case} (replay the one case of that seed), {@code warren.fuzz.canaryEvery} (default 50),
 * {@code warren.fuzz.heapGrowthMiB} (default 64). deploy/bench/fuzz-long.sh runs a million frames or more.
 */
class FrameFuzzIT {
    private static final int CASES = Integer.getInteger("warren.fuzz.cases", 3_000);
    private static final long SEED = Long.getLong("warren.fuzz.seed", 0x5EED_F022L);
    private static final Long REPLAY = Long.getLong("warren.fuzz.case");
    private static final int CANARY_EVERY = Integer.getInteger("warren.fuzz.canaryEvery", 50);
    /** Look for Netty buffer leaks every this many cases (0: only once, after the class, as every test class does). */
    private static final int LEAK_CHECK_EVERY = Integer.getInteger("warren.fuzz.leakCheckEvery", 0);
    /** Generate but skip the cases before this index, to narrow down a failure a long run found. */
    private static final int FIRST = Integer.getInteger("warren.fuzz.first", 0);
    private static final long HEAP_GROWTH_BOUND = Long.getLong("warren.fuzz.heapGrowthMiB", 64) * 1024 * 1024;
    /** The longest a case may take before the broker counts as hung (generous for a loaded 2-core machine). */
    private static final long CASE_DEADLINE_MILLIS = 15_000;
    private static final Set<Integer> CONNECTION_CODES = Set.of(320, 402, 403, 501, 502, 503, 504, 505, 506, 530, 540);
    private static final Set<Integer> CHANNEL_CODES = Set.of(403, 404, 405, 406);
    private static final String BROKER_LOGGERS = "dev.warren";

    private static BrokerFixture broker;
    private static ErrorLogCapture errorLog;
    private static ExecutorService writer;

    private final Map<Integer, Integer> connectionCloses = new TreeMap<>();
    private final Map<Integer, Integer> channelCloses = new TreeMap<>();
    private long frames;
    private int closedByClient;

    @BeforeAll
    static void startBroker() throws InterruptedException {
        broker = BrokerFixture.start();
        errorLog = ErrorLogCapture.attach();
        // every refused connection logs a WARN line; thousands of them would bury the test output
        ErrorLogCapture.level(BROKER_LOGGERS, Level.ERROR);
        writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-writer");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterAll
    static void stopBroker() {
        writer.shutdownNow();
        ErrorLogCapture.level(BROKER_LOGGERS, null);
        errorLog.close();
        broker.close();
    }

    @Test
    void brokerSurvivesFuzzedFramesWithoutInternalErrorsErrorLogsLostConnectionsOrHeapGrowth() throws Exception {
        if (REPLAY != null) {
            runCase(FrameFuzzer.generate(REPLAY), 0);
            assertNoErrorLogged(FrameFuzzer.generate(REPLAY), 0);
            return;
        }
        long started = System.nanoTime();
        try (Connection canary = broker.connect()) {
            RawAssertions.assertPublishesAndConsumes(canary, 1);
            long heapBefore = heapAfterGc();
            FrameFuzzer fuzzer = new FrameFuzzer(SEED);
            for (int i = 0; i < CASES; i++) {
                FuzzCase fuzzCase = fuzzer.next();
                if (i < FIRST) {
                    continue;
                }
                runCase(fuzzCase, i);
                assertNoErrorLogged(fuzzCase, i);
                if (LEAK_CHECK_EVERY > 0 && (i + 1) % LEAK_CHECK_EVERY == 0) {
                    assertNoLeakSince(i + 1 - LEAK_CHECK_EVERY, fuzzCase, i);
                }
                if ((i + 1) % CANARY_EVERY == 0) {
                    assertCanaryWorks(canary, i);
                    deleteFuzzedQueuesAndExchanges(canary);
                }
            }
            assertCanaryWorks(canary, CASES);
            deleteFuzzedQueuesAndExchanges(canary);
            BrokerFixture.await("the broker to let go of every fuzzed connection (all but the canary's)", 10_000,
                    () -> broker.broker().connections().count() == 1);
            long growth = heapAfterGc() - heapBefore;
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
            System.out.printf("FrameFuzzIT: %d cases, %d frames sent, seed %d, %d s; connection.close by code %s;"
                            + " %d cases ended by the client's connection.close; channel.close by code %s;"
                            + " heap growth after GC %.1f MiB%n",
                    CASES, frames, SEED, seconds, connectionCloses, closedByClient, channelCloses, growth / 1048576.0);
            assertTrue(growth < HEAP_GROWTH_BOUND, "heap after GC grew by " + growth / 1048576 + " MiB over "
                    + CASES + " cases (bound " + HEAP_GROWTH_BOUND / 1048576 + " MiB), run seed " + SEED);
            assertNoErrorLogged(null, CASES);
        }
    }

    /** Handshake, the case's frames, then the broker's close (answered) or its close-ok to ours. */
    private void runCase(FuzzCase fuzzCase, int index) throws Exception {
        long deadline = System.nanoTime() + CASE_DEADLINE_MILLIS * 1_000_000;
        try (RawAmqpClient client = RawAmqpClient.connect(broker.port())) {
            RawAmqpClient.Tune offered = client.startAndLogin("guest", "guest");
            client.tuneOk(offered.channelMax(), FrameFuzzer.FRAME_MAX, 0);
            client.openVhost("/");
            frames += 3;
            if (fuzzCase.openChannel()) {
                client.openChannel(1);
                frames++;
            }
            frames += fuzzCase.frames();
            Future<?> sending = writer.submit(() -> {
                try {
                    client.sendRaw(fuzzCase.stream());
                } catch (IOException e) {
                    // the broker closed the socket before reading everything: it had its answer
                }
            });
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    fail(failure(fuzzCase, index, "the broker neither closed the connection nor answered connection.close within "
                            + CASE_DEADLINE_MILLIS + " ms"));
                }
                RawFrame frame;
                try {
                    frame = client.readFrame(left);
                } catch (EOFException e) {
                    fail(failure(fuzzCase, index, "the broker closed the socket without connection.close"));
                    return;
                } catch (IOException e) {
                    fail(failure(fuzzCase, index, "reading from the broker failed: " + e));
                    return;
                }
                if (frame == null) {
                    continue;
                }
                if (frame.isMethod(10, 51)) {
                    closedByClient++; // our connection.close, answered after everything before it
                    return;
                }
                if (frame.isMethod(10, 50)) {
                    CloseReason reason = CloseReason.of(frame);
                    check(fuzzCase, index, "connection.close", reason, CONNECTION_CODES);
                    connectionCloses.merge(reason.replyCode(), 1, Integer::sum);
                    awaitSent(sending, deadline, fuzzCase, index);
                    try {
                        client.sendConnectionCloseOk();
                    } catch (IOException e) {
                        // already gone, which close-ok would have asked for anyway
                    }
                    // Closing now rather than waiting for the broker to: after a frame error, or after the case's
                    // broken frames that followed the error, the broker cannot read close-ok and waits out its
                    // close timeout. That the broker lets go of the connection is checked once, after the run.
                    return;
                }
                if (frame.isMethod(20, 40)) {
                    CloseReason reason = CloseReason.of(frame);
                    check(fuzzCase, index, "channel.close", reason, CHANNEL_CODES);
                    channelCloses.merge(reason.replyCode(), 1, Integer::sum);
                }
            }
        }
    }

    private static void awaitSent(Future<?> sending, long deadline, FuzzCase fuzzCase, int index) throws Exception {
        try {
            sending.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            fail(failure(fuzzCase, index, "the broker stopped reading the socket after connection.close"));
        }
    }

    private static void check(FuzzCase fuzzCase, int index, String what, CloseReason reason, Set<Integer> allowed) {
        if (reason.replyCode() == 541 || !allowed.contains(reason.replyCode())) {
            fail(failure(fuzzCase, index, what + " with reply code " + reason.replyCode() + ": " + reason));
        }
        String text = reason.replyText();
        if (text.isBlank() || text.contains("Exception") || text.contains("java.") || text.contains("io.netty")
                || text.contains("dev.warren")) {
            fail(failure(fuzzCase, index, what + " with a reply text that is blank or leaks Java: " + reason));
        }
    }

    private static void assertNoErrorLogged(FuzzCase fuzzCase, int index) {
        List<String> errors = errorLog.errors();
        if (!errors.isEmpty()) {
            String where = fuzzCase == null ? "after the last case" : "during or just before this case";
            fail((fuzzCase == null ? "run seed " + SEED + ": " : failure(fuzzCase, index, "")) + errors.size()
                    + " event(s) logged at ERROR " + where + "; the first: " + errors.get(0));
        }
    }

    private static void assertNoLeakSince(int from, FuzzCase last, int index) {
        LeakRecorder.collect();
        List<String> leaks = LeakRecorder.takeLeaks();
        if (!leaks.isEmpty()) {
            fail(leaks.size() + " Netty buffer leak(s) in cases " + from + " to " + index + " (rerun with -Dwarren.fuzz.first="
                    + from + " and a smaller -Dwarren.fuzz.leakCheckEvery to narrow it down); the last "
                    + failure(last, index, "") + "\nthe first leak: " + leaks.get(0));
        }
    }

    private static void assertCanaryWorks(Connection canary, int index) throws Exception {
        if (!canary.isOpen()) {
            fail("the canary connection was closed by case " + index + " (run seed " + SEED + "): " + canary.getCloseReason());
        }
        RawAssertions.assertPublishesAndConsumes(canary, 1);
    }

    /** Keeps a long run's queues, messages and bindings bounded: the fuzzer's names are a small fixed set. */
    private static void deleteFuzzedQueuesAndExchanges(Connection canary) throws Exception {
        Channel channel = canary.createChannel();
        try {
            for (String queue : FuzzValues.QUEUES) {
                channel = deleteOrReopen(canary, channel, ch -> ch.queueDelete(queue));
            }
            for (String exchange : FuzzValues.EXCHANGES) {
                channel = deleteOrReopen(canary, channel, ch -> ch.exchangeDelete(exchange));
            }
        } finally {
            if (channel.isOpen()) {
                channel.close();
            }
        }
    }

    private interface Delete {
        void on(Channel channel) throws IOException;
    }

    /** A delete refused (an exclusive queue of a connection still closing) closes the channel, not the canary. */
    private static Channel deleteOrReopen(Connection canary, Channel channel, Delete delete) throws IOException {
        try {
            delete.on(channel);
            return channel;
        } catch (IOException e) {
            return canary.createChannel();
        }
    }

    private static long heapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            long now = memory.getHeapMemoryUsage().getUsed();
            if (now >= used) {
                break; // no longer shrinking
            }
            used = now;
        }
        return used;
    }

    private static String failure(FuzzCase fuzzCase, int index, String problem) {
        return problem + (problem.isEmpty() ? "" : "\n") + "case " + index + " of run seed " + SEED + "; replay with "
                + "-Dwarren.fuzz.case=" + fuzzCase.seed() + "\n" + fuzzCase;
    }
}
