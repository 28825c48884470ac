package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SIGKILL crash test of a durable x-delayed-message exchange: it confirms a message once the journal holds it
 * (as an entry of the exchange's own store queue) and, when the delay ends, moves it into its durable queue with
 * one journal record, so after a kill at any moment a confirmed message is in exactly one place: pending in the
 * exchange (routed after the restart once due, counted from its arrival) or in the queue. Each cycle restarts
 * the packaged broker ({@link BrokerProcess}) on the same data directory, drains the queue until every confirmed
 * message whose delay has surely ended came out, publishes persistent messages with a random x-delay in small
 * confirmed batches while a consumer takes and acks what arrives, and kills the broker at a random moment.
 * Confirmed ids must come out exactly once, others at most once, intact and not early. The one repeat allowed:
 * an id the live consumer took in a cycle that was then killed may come once more in the next (its ack may be lost);
 * the drain's acks precede the next kill by {@value #MIN_KILL_DELAY_MS} ms or more and count as written, as in
 * {@link DeadLetterCrashProcessIT}. Run: {@code mvn verify -pl deploy -Dit.test=DelayedMessageCrashProcessIT
 * -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false}, a seed again with {@code -Dwarren.delayedcrash.seed=N}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS) // about 30 s on a 2-core machine, slower under load
class DelayedMessageCrashProcessIT {
    private static final int KILL_CYCLES = 6;
    private static final String EXCHANGE = "delayed-crash.x";
    private static final String QUEUE = "delayed-crash.q";
    private static final int MAX_DELAY_MS = 3_000;
    private static final int MIN_KILL_DELAY_MS = 700;
    private static final int MAX_KILL_DELAY_MS = 3_000;
    private static final long SETTLE_TIMEOUT_MS = 20_000;
    private static final int CLIENT_TIMEOUT_MS = 10_000;

    private final long seed = Long.getLong("warren.delayedcrash.seed", System.nanoTime());
    private final Random random = new Random(seed);
    private final Path workDir = Path.of(System.getProperty("warren.test.output",
            Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "target").toString()))
            .resolve("delayed-message-crash-process-it");
    private final Path dataDir = workDir.resolve("data");
    private final Path brokerLog = workDir.resolve("broker.log");
    /** Set just before each SIGKILL: client errors after it are expected. */
    private final AtomicBoolean killing = new AtomicBoolean();
    private final List<String> problems = new CopyOnWriteArrayList<>();
    /** The ledger: every id published, with its delay and when it was sent; when each confirmed one is due at the latest. */
    private final Map<String, Long> delayOf = new ConcurrentHashMap<>();
    private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
    private final Map<String, Long> confirmedDueBy = new ConcurrentHashMap<>();
    /** id to where it came out: "cycle N live" (the consumer during publishing) or "cycle N verify". */
    private final Map<String, List<String>> receipts = new ConcurrentHashMap<>();
    private final AtomicInteger repeatsAfterLostAck = new AtomicInteger();

    @Test
    void everyConfirmedDelayedMessageArrivesExactlyOnceAcrossSigkills() throws Exception {
        if ("surefire".equals(System.getProperty("warren.test.runner"))) {
            fail("this test runs the packaged jar, so failsafe runs it after package: mvn verify -pl deploy "
                    + "-Dit.test=DelayedMessageCrashProcessIT -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false");
        }
        TestFiles.deleteRecursively(workDir);
        Files.createDirectories(dataDir);
        log("seed " + seed + " (rerun with -Dwarren.delayedcrash.seed=" + seed + "), " + KILL_CYCLES
                + " kill cycles, broker log " + brokerLog);
        long started = System.nanoTime();
        BrokerProcess broker = null;
        try {
            for (int cycle = 0; ; cycle++) {
                broker = BrokerProcess.start(dataDir, brokerLog, "cycle " + cycle);
                String verified = cycle == 0 ? "first start" : verify(broker, cycle, cycle == KILL_CYCLES);
                if (cycle == KILL_CYCLES) {
                    log(String.format("cycle %d: %s; %d confirmed in all, %d repeated after a lost ack, %.1f s", cycle,
                            verified, confirmedDueBy.size(), repeatsAfterLostAck.get(), (System.nanoTime() - started) / 1e9));
                    break;
                }
                String published = publishConsumeAndKill(broker, cycle);
                broker = null;
                log("cycle " + cycle + ": " + verified + "; " + published);
            }
            long acrossKills = confirmedDueBy.keySet().stream().filter(id -> firstCycle(id) > publishCycle(id)).count();
            log(acrossKills + " confirmed messages were still in the exchange at a kill and came out after it");
            assertTrue(confirmedDueBy.size() >= 300 && acrossKills > 0, "too little to prove anything: "
                    + confirmedDueBy.size() + " confirmed, " + acrossKills + " held across a kill; seed " + seed);
        } catch (AssertionError | Exception e) {
            List<String> lines = Files.readAllLines(brokerLog);
            System.out.println("---- last lines of " + brokerLog + " ----\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size())));
            throw e;
        } finally {
            if (broker != null) {
                broker.killQuietly();
            }
        }
        TestFiles.deleteRecursively(dataDir); // kept for inspection only when the test failed
    }

    /**
     * Drains the queue until every confirmed message not yet received whose delay has surely ended (all of them
     * when {@code last}) has come out and the queue is empty, and checks the ledger.
     */
    private String verify(BrokerProcess broker, int cycle, boolean last) throws Exception {
        long now = System.currentTimeMillis();
        Set<String> required = ConcurrentHashMap.newKeySet();
        confirmedDueBy.forEach((id, dueBy) -> {
            if (!receipts.containsKey(id) && (last || dueBy <= now)) {
                required.add(id);
            }
        });
        int expected = required.size();
        long latestDue = required.stream().mapToLong(confirmedDueBy::get).max().orElse(now);
        long deadline = Math.max(now, latestDue) + SETTLE_TIMEOUT_MS;
        try (Connection connection = factory(broker.port()).newConnection("delayed-crash-verify-" + cycle)) {
            Channel channel = connection.createChannel();
            channel.exchangeDeclarePassive(EXCHANGE); // both survived the kill (404 otherwise)
            Channel consuming = connection.createChannel();
            CountDownLatch drained = take(consuming, "verify", cycle, new AtomicInteger());
            while (!(required.isEmpty() && channel.queueDeclarePassive(QUEUE).getMessageCount() == 0)
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(20); // polling with a deadline
                required.removeIf(receipts::containsKey);
            }
            consuming.basicCancel("verify");
            assertTrue(drained.await(CLIENT_TIMEOUT_MS, TimeUnit.MILLISECONDS), "no cancel-ok; seed " + seed);
        }
        if (!required.isEmpty()) {
            problems.add(0, required.size() + " of " + expected + " confirmed messages did not come out within "
                    + SETTLE_TIMEOUT_MS + " ms after they were due (lost): " + new TreeSet<>(required).stream().limit(20).toList());
        }
        failOnProblems(cycle);
        return String.format("restarted in %d ms, %d due messages came out", broker.startMillis, expected);
    }

    /** Publishes in small confirmed batches while a consumer takes what arrives, and kills the broker at random. */
    private String publishConsumeAndKill(BrokerProcess broker, int cycle) throws Exception {
        killing.set(false);
        try (Connection setup = factory(broker.port()).newConnection("delayed-crash-declare-" + cycle)) {
            Channel channel = setup.createChannel();
            channel.exchangeDeclare(EXCHANGE, "x-delayed-message", true, false, Map.of("x-delayed-type", "direct"));
            channel.queueDeclare(QUEUE, true, false, false, null);
            channel.queueBind(QUEUE, EXCHANGE, "k");
        }
        Connection consuming = factory(broker.port()).newConnection("delayed-crash-live-" + cycle);
        AtomicInteger taken = new AtomicInteger();
        CountDownLatch liveEnded = take(consuming.createChannel(), "live", cycle, taken);
        Connection publishing = factory(broker.port()).newConnection("delayed-crash-publisher-" + cycle);
        Channel channel = publishing.createChannel();
        channel.confirmSelect();
        Random publishRandom = new Random(random.nextLong());
        AtomicInteger published = new AtomicInteger();
        AtomicInteger confirmed = new AtomicInteger();
        Thread publisher = new Thread(() -> {
            try {
                while (true) {
                    List<String> batch = new ArrayList<>();
                    for (int i = 1 + publishRandom.nextInt(20); i > 0; i--) {
                        String id = "c" + cycle + "-" + published.get();
                        long delay = publishRandom.nextInt(MAX_DELAY_MS + 1);
                        delayOf.put(id, delay);
                        sentAt.put(id, System.currentTimeMillis());
                        channel.basicPublish(EXCHANGE, "k", new AMQP.BasicProperties.Builder().deliveryMode(2)
                                .headers(Map.of("x-delay", (int) delay)).build(), body(id, delay));
                        published.incrementAndGet();
                        batch.add(id);
                    }
                    if (!channel.waitForConfirms(CLIENT_TIMEOUT_MS)) {
                        problems.add("cycle " + cycle + ": a batch was nacked, though the store did not fail");
                        return;
                    }
                    long now = System.currentTimeMillis(); // each arrived before its confirm
                    batch.forEach(id -> confirmedDueBy.put(id, now + delayOf.get(id)));
                    confirmed.addAndGet(batch.size());
                }
            } catch (Exception e) {
                if (!killing.get()) {
                    problems.add("cycle " + cycle + ": the publisher failed before the kill: " + e);
                }
            }
        }, "delayed-crash-publisher-" + cycle);
        publisher.start();
        int killDelay = MIN_KILL_DELAY_MS + random.nextInt(MAX_KILL_DELAY_MS - MIN_KILL_DELAY_MS + 1);
        Thread.sleep(killDelay); // the random moment of the kill
        killing.set(true);
        broker.kill();
        publisher.join(CLIENT_TIMEOUT_MS);
        assertFalse(publisher.isAlive(), "the publisher did not notice the kill; seed " + seed);
        publishing.abort(1_000);
        consuming.abort(1_000);
        assertTrue(liveEnded.await(CLIENT_TIMEOUT_MS, TimeUnit.MILLISECONDS), "no shutdown signal; seed " + seed);
        failOnProblems(cycle);
        return String.format("killed after %d ms; published %d, %d confirmed, the live consumer took %d", killDelay,
                published.get(), confirmed.get(), taken.get());
    }

    /** Consumes the queue as {@code tag}, acking what it checked and recorded; the latch opens when it has ended. */
    private CountDownLatch take(Channel channel, String tag, int cycle, AtomicInteger taken) throws IOException {
        CountDownLatch ended = new CountDownLatch(1);
        channel.basicQos(500);
        channel.basicConsume(QUEUE, false, tag, new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
                                       byte[] body) {
                received(cycle, tag, properties, body);
                taken.incrementAndGet();
                try {
                    channel.basicAck(envelope.getDeliveryTag(), false);
                } catch (IOException | ShutdownSignalException e) {
                    if (!killing.get()) {
                        problems.add("cycle " + cycle + " " + tag + ": could not ack: " + e);
                    }
                }
            }

            @Override
            public void handleCancelOk(String consumerTag) {
                ended.countDown(); // dispatched after every delivery before it, as is the shutdown signal
            }

            @Override
            public void handleShutdownSignal(String consumerTag, ShutdownSignalException sig) {
                ended.countDown();
            }
        });
        return ended;
    }

    /** Checks one delivery against the ledger and records where it came out. */
    private synchronized void received(int cycle, String phase, AMQP.BasicProperties properties, byte[] body) {
        long now = System.currentTimeMillis();
        String where = "cycle " + cycle + " " + phase;
        String head = new String(body, 0, Math.min(body.length, 20), StandardCharsets.US_ASCII);
        String id = head.contains("|") ? head.substring(0, head.indexOf('|')) : head;
        Long delay = delayOf.get(id);
        if (delay == null) {
            problems.add(where + ": a body this test did not publish: " + head);
            return;
        }
        Object served = properties.getHeaders() == null ? null : properties.getHeaders().get("x-delay");
        if (!Arrays.equals(body, body(id, delay)) || !(served instanceof Number n) || n.longValue() != -delay
                || !Integer.valueOf(2).equals(properties.getDeliveryMode())) {
            problems.add(where + ": " + id + " is damaged: " + body.length + " bytes, properties " + properties);
        }
        if (now < sentAt.get(id) + delay) {
            problems.add(where + ": " + id + " came out " + (sentAt.get(id) + delay - now) + " ms before its "
                    + delay + " ms delay ended");
        }
        List<String> before = receipts.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>());
        if (before.size() == 1 && before.get(0).endsWith(" live") && firstCycle(id) == cycle - 1) {
            repeatsAfterLostAck.incrementAndGet(); // taken and acked just before a kill: the ack may be lost
        } else if (!before.isEmpty()) {
            problems.add(where + ": " + id + (confirmedDueBy.containsKey(id) ? " (confirmed)" : " (unconfirmed)")
                    + " came out again, after " + before);
        }
        before.add(where);
    }

    private int firstCycle(String id) {
        List<String> where = receipts.get(id);
        return where == null ? -1 : Integer.parseInt(where.get(0).split(" ")[1]);
    }

    private static int publishCycle(String id) {
        return Integer.parseInt(id.substring(1, id.indexOf('-')));
    }

    /** "id|delay|" and up to 1000 bytes that depend on the id, so a torn or mixed-up body shows. */
    private static byte[] body(String id, long delay) {
        byte[] head = (id + "|" + delay + "|").getBytes(StandardCharsets.US_ASCII);
        byte[] body = Arrays.copyOf(head, head.length + Math.floorMod(id.hashCode(), 1000));
        for (int i = head.length; i < body.length; i++) {
            body[i] = (byte) (id.hashCode() + i * 31);
        }
        return body;
    }

    private void failOnProblems(int cycle) throws IOException {
        if (!problems.isEmpty()) {
            Files.write(workDir.resolve("failure.txt"), problems);
            fail("cycle " + cycle + " (seed " + seed + ", rerun with -Dwarren.delayedcrash.seed=" + seed + "), "
                    + problems.size() + " problem(s):\n  " + String.join("\n  ", problems.subList(0,
                    Math.min(15, problems.size()))) + "\nall in " + workDir.resolve("failure.txt") + ", data in " + dataDir);
        }
    }

    private ConnectionFactory factory(int port) {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(port);
        factory.setConnectionTimeout(CLIENT_TIMEOUT_MS);
        factory.setChannelRpcTimeout(CLIENT_TIMEOUT_MS);
        factory.setShutdownTimeout(1_000);
        factory.setAutomaticRecoveryEnabled(false);
        return factory;
    }

    private static void log(String line) {
        System.out.println("[DelayedMessageCrashProcessIT] " + line);
    }
}
