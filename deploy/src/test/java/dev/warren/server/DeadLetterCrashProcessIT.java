package dev.warren.server;

import static dev.warren.server.CrashTestSupport.body;
import static dev.warren.server.CrashTestSupport.printable;
import static dev.warren.server.CrashTestSupport.sample;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dead-letter crash test: Warren's promise beyond RabbitMQ's at-most-once classic dead-lettering. A
 * persistent message dead-lettered from a durable queue into a durable queue moves by one journal index
 * record (MOVE: the copy's entry and the original's ack together), so after a SIGKILL at any moment every
 * confirmed message is in exactly one of the two queues: never lost, never in both.
 *
 * <p>Each cycle starts the packaged broker ({@link BrokerProcess}) on the same data directory and first
 * verifies what the last kill left: it waits until {@value #WORK} has emptied itself (a message's expiry
 * is counted from its stored arrival, so TTL runs on across the restart and what expired while the broker
 * was down moves at once), then drains {@value #REJECTS} and {@value #DEAD} and checks every confirmed id
 * against the ledger: present exactly once over all three queues and all cycles, the body and properties
 * intact, and in the dead-letter queue with one x-death naming its source queue and reason ({@code expired}
 * from the TTL queue, {@code rejected} from the reject queue). Unconfirmed messages may be anywhere, but
 * at most once. Then it redeclares {@value #WORK} with this cycle's TTL, publishes persistent messages with
 * confirms into both sources while a consumer rejects (requeue=false) what {@value #REJECTS} delivers, and
 * kills the broker at a random moment: while publishing, or after the publishers stopped while the last
 * messages still expire and get rejected. A message delivered to the rejecting consumer but not yet
 * rejected comes back in {@value #REJECTS}, flagged redelivered: that is no failure. About one restart in
 * three is killed again within {@value #RESTART_KILL_DELAY_MS} ms, while the messages that expired during the
 * downtime move to {@value #DEAD} in a burst, before it is verified.
 *
 * <p>Runs in the integration-test phase (maven-failsafe-plugin), after the jar is packaged. The TTLs, kill
 * delays, segment size, body sizes and the rejecting consumer's prefetch and style come from a seed that is
 * printed at the start and in every failure; rerun with {@code -Dwarren.dlxcrash.seed=N} to get the same
 * ones (timing still varies). The broker's output goes to target/dead-letter-crash-process-it/broker.log,
 * the data directory stays there after a failure, and every problem found goes to failure.txt beside it.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS) // about 40 s on this 2-core machine; restarts slow down a lot under load
class DeadLetterCrashProcessIT {
    private static final int KILL_CYCLES = 10;
    private static final String WORK = "dlx-crash.work";
    private static final String REJECTS = "dlx-crash.rejects";
    private static final String DEAD = "dlx-crash.dead";
    private static final int MIN_TTL_MS = 50;
    private static final int MAX_TTL_MS = 300;
    private static final int MIN_KILL_DELAY_MS = 150;
    private static final int MAX_KILL_DELAY_MS = 900;
    /** Every third restart or so is killed again this soon, while what expired meanwhile is moving. */
    private static final int RESTART_KILL_DELAY_MS = 300;
    /** Small segments roll over and are deleted often while messages move out of them. */
    private static final long[] SEGMENT_SIZES = {64 * 1024, 256 * 1024, 1024 * 1024};
    private static final int MAX_UNCONFIRMED_PER_PUBLISHER = 300;
    /** Keeps the ledger and the drains bounded if the broker is very fast. */
    private static final int MAX_MESSAGES_PER_PUBLISHER_PER_CYCLE = 8_000;
    /** Above the default frame_max and the smallest segment size: spans frames, and a segment alone. */
    private static final int LARGE_BODY = 140_000;
    private static final long CLIENT_TIMEOUT_MS = 10_000;
    private static final long SETTLE_TIMEOUT_MS = 30_000;

    /** e: published to the TTL queue, to expire; r: published to the reject queue, to be rejected. */
    private static final Pattern ID = Pattern.compile("([er])(\\d+)-(\\d+)");

    private final long seed = Long.getLong("warren.dlxcrash.seed", System.nanoTime());
    private final Random random = new Random(seed);
    private final Path workDir = Path.of(System.getProperty("warren.test.output",
            Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "target").toString()))
            .resolve("dead-letter-crash-process-it");
    private final Path dataDir = workDir.resolve("data");
    private final Path brokerLog = workDir.resolve("broker.log");
    private final Path configFile = workDir.resolve("warren.conf");
    private final Ledger ledger = new Ledger();
    /** Set just before each SIGKILL: client errors after it are expected, errors before it are failures. */
    private final AtomicBoolean killing = new AtomicBoolean();
    /** What the client library reported besides the connections the kill broke. */
    private final List<String> clientErrors = new CopyOnWriteArrayList<>();
    private long deadExpired;
    private long deadRejected;
    private long leftInRejects;

    @Test
    void everyConfirmedDeadLetteredMessageIsInExactlyOneQueueAfterRepeatedSigkills() throws Exception {
        if ("surefire".equals(System.getProperty("warren.test.runner"))) {
            fail("this test runs the packaged jar, so failsafe runs it after the package phase; "
                    + "-Dtest=DeadLetterCrashProcessIT made surefire run it before. Run it with: mvn verify -pl deploy "
                    + "-Dit.test=DeadLetterCrashProcessIT -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false");
        }
        TestFiles.deleteRecursively(workDir);
        Files.createDirectories(dataDir);
        long segmentSize = SEGMENT_SIZES[random.nextInt(SEGMENT_SIZES.length)];
        Files.writeString(configFile, "warren.segment_size = " + segmentSize + "\n");
        log("seed " + seed + " (rerun with -Dwarren.dlxcrash.seed=" + seed + "), " + KILL_CYCLES + " kill cycles, "
                + "segment size " + segmentSize + ", broker log " + brokerLog);
        long started = System.nanoTime();
        BrokerProcess broker = null;
        try {
            for (int cycle = 0; cycle <= KILL_CYCLES; cycle++) {
                long cycleStarted = System.nanoTime();
                broker = BrokerProcess.start(dataDir, brokerLog, "cycle " + cycle, List.of("--config", configFile.toString()));
                String killedEarly = "";
                if (cycle > 0 && random.nextInt(3) == 0) {
                    // what expired while the broker was down moves right after the start: kill it in that burst too
                    int delay = random.nextInt(RESTART_KILL_DELAY_MS + 1);
                    Thread.sleep(delay); // the random moment of the kill
                    killing.set(true);
                    broker.kill();
                    killedEarly = "killed again " + delay + " ms after the restart, ";
                    broker = BrokerProcess.start(dataDir, brokerLog, "cycle " + cycle + ", again",
                            List.of("--config", configFile.toString()));
                    killing.set(false);
                }
                String verified = killedEarly + (cycle == 0 ? "first start" : settleDrainAndVerify(broker, cycle));
                if (cycle == KILL_CYCLES) {
                    log(String.format("cycle %d: %s; %d messages confirmed in all, %d dead-lettered (%d expired, "
                                    + "%d rejected), %d left in %s; %.1f s", cycle, verified, ledger.confirmed.size(),
                            deadExpired + deadRejected, deadExpired, deadRejected, leftInRejects, REJECTS,
                            (System.nanoTime() - started) / 1e9));
                    break;
                }
                int ttl = MIN_TTL_MS + random.nextInt(MAX_TTL_MS - MIN_TTL_MS + 1);
                declare(broker.port(), cycle, ttl);
                String published = publishRejectAndKill(broker, cycle, ttl);
                broker = null;
                log(String.format("cycle %d (%d ms): %s; TTL %d ms, %s", cycle,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cycleStarted), verified, ttl, published));
            }
            assertTrue(ledger.confirmed.size() >= 1_000, "a crash test that confirmed only " + ledger.confirmed.size()
                    + " messages in " + KILL_CYCLES + " cycles proves little; seed " + seed);
            assertTrue(deadExpired > 0 && deadRejected > 0, "nothing was dead-lettered for one of the reasons ("
                    + deadExpired + " expired, " + deadRejected + " rejected); seed " + seed);
        } catch (AssertionError | Exception e) {
            System.out.println("---- last lines of " + brokerLog + " ----");
            System.out.println(TestFiles.tail(brokerLog, 60));
            throw e;
        } finally {
            if (broker != null) {
                broker.killQuietly();
            }
        }
        TestFiles.deleteRecursively(dataDir); // kept for inspection only when the test failed
    }

    /**
     * Declares the dead-letter queue and the reject queue (the same each time), and the TTL queue afresh with
     * this cycle's TTL: the verification found it empty, so it is deleted if-empty and declared again.
     */
    private void declare(int port, int cycle, int ttl) throws Exception {
        try (Connection connection = factory(port).newConnection("dlx-crash-declare-" + cycle)) {
            Channel channel = connection.createChannel();
            channel.queueDeclare(DEAD, true, false, false, null);
            channel.queueDeclare(REJECTS, true, false, false, Map.of(
                    "x-dead-letter-exchange", "", "x-dead-letter-routing-key", DEAD));
            if (cycle > 0) {
                channel.queueDelete(WORK, false, true);
            }
            channel.queueDeclare(WORK, true, false, false, Map.of("x-message-ttl", ttl,
                    "x-dead-letter-exchange", "", "x-dead-letter-routing-key", DEAD));
        }
    }

    // ------------------------------------------------------------------------------------------ verify

    /**
     * Waits until the TTL queue has emptied itself, drains the reject queue and the dead-letter queue until
     * every confirmed message is accounted for (or the deadline passes), and checks what came out against
     * the ledger. The queues end empty.
     */
    private String settleDrainAndVerify(BrokerProcess broker, int cycle) throws Exception {
        List<String> problems = new ArrayList<>();
        List<Delivery> all = new ArrayList<>();
        Set<String> stillMissing = ConcurrentHashMap.newKeySet();
        for (String id : ledger.confirmed) {
            if (!ledger.seen.containsKey(id)) {
                stillMissing.add(id);
            }
        }
        int expected = stillMissing.size();
        long settleStarted = System.nanoTime();
        long deadline = settleStarted + TimeUnit.MILLISECONDS.toNanos(SETTLE_TIMEOUT_MS);
        try (Connection connection = factory(broker.port()).newConnection("dlx-crash-verify-" + cycle)) {
            for (String queue : List.of(WORK, REJECTS, DEAD)) {
                if (!queueExists(connection, queue)) {
                    problems.add("durable queue " + queue + " is missing after the restart");
                }
            }
            if (!problems.isEmpty()) {
                failWith(cycle, problems);
            }
            Channel channel = connection.createChannel();
            // nothing consumes the TTL queue: its messages can only expire, and each moves to the dead-letter queue
            if (!await(() -> messageCount(channel, WORK) == 0, deadline)) {
                problems.add(WORK + " still holds " + messageCount(channel, WORK) + " messages " + SETTLE_TIMEOUT_MS
                        + " ms after the restart, though each expires within " + MAX_TTL_MS + " ms of its arrival");
            }
            long workEmptyMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - settleStarted);
            Drain rejects = new Drain(connection, REJECTS, stillMissing);
            Drain dead = new Drain(connection, DEAD, stillMissing);
            boolean settled = await(() -> stillMissing.isEmpty() && messageCount(channel, DEAD) == 0
                    && messageCount(channel, REJECTS) == 0, deadline);
            all.addAll(rejects.cancel(problems));
            all.addAll(dead.cancel(problems));
            for (GetResponse r; (r = channel.basicGet(WORK, true)) != null; ) { // none expected: the count was 0
                all.add(new Delivery(WORK, r.getEnvelope().isRedeliver(), r.getProps(), r.getBody()));
            }
            for (String queue : List.of(WORK, REJECTS, DEAD)) {
                int left = messageCount(channel, queue);
                if (left != 0) {
                    problems.add(queue + " still has " + left + " ready messages after the drain");
                }
            }
            if (!settled && stillMissing.isEmpty()) {
                problems.add("the drain did not end within " + SETTLE_TIMEOUT_MS + " ms");
            }
            String counts = checkAgainstLedger(all, cycle, problems);
            TreeSet<String> missing = new TreeSet<>(stillMissing);
            if (!missing.isEmpty()) {
                problems.add(0, missing.size() + " confirmed messages (of " + expected + " not yet drained) are in "
                        + "none of the three queues " + SETTLE_TIMEOUT_MS + " ms after the restart (lost): "
                        + sample(missing, 30));
            }
            problems.addAll(clientErrors);
            clientErrors.clear();
            if (!problems.isEmpty()) {
                failWith(cycle, problems);
            }
            return String.format("restarted in %d ms, %s emptied %d ms later, drained %s", broker.startMillis, WORK,
                    workEmptyMillis, counts);
        }
    }

    /**
     * Checks each drained message and enters it in the ledger's {@code seen}: a message seen before, in any
     * queue and any cycle, is a duplicate. Returns the counts by queue and reason.
     */
    private String checkAgainstLedger(List<Delivery> all, int cycle, List<String> problems) {
        int expired = 0;
        int rejected = 0;
        int inRejects = 0;
        String where = "drain of cycle " + cycle;
        for (Delivery d : all) {
            String id = d.check(problems, where);
            if (id == null) {
                continue;
            }
            String earlier = ledger.seen.put(id, d.queue + " in the " + where);
            if (earlier != null) {
                problems.add(where + ": " + id + " (" + (ledger.confirmed.contains(id) ? "confirmed" : "unconfirmed")
                        + ") came out of " + d.queue + " but was already in " + earlier + " (a duplicate)");
            }
            if (d.queue.equals(REJECTS)) {
                inRejects++;
            } else if (d.queue.equals(DEAD)) {
                if (id.startsWith("e")) {
                    expired++;
                } else {
                    rejected++;
                }
            }
        }
        deadExpired += expired;
        deadRejected += rejected;
        leftInRejects += inRejects;
        return String.format("%d dead (%d expired, %d rejected) and %d left in %s", expired + rejected, expired,
                rejected, inRejects, REJECTS);
    }

    private static int messageCount(Channel channel, String queue) {
        try {
            return channel.queueDeclarePassive(queue).getMessageCount();
        } catch (IOException e) {
            throw new AssertionError("passive declare of " + queue + " failed", e);
        }
    }

    /** Polls until the condition holds; false when the deadline (System.nanoTime) passed first. */
    private static boolean await(BooleanSupplier condition, long deadline) throws InterruptedException {
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    private static boolean queueExists(Connection connection, String queue) throws IOException {
        Channel channel = connection.createChannel();
        try {
            channel.queueDeclarePassive(queue);
            channel.close();
            return true;
        } catch (IOException e) {
            if (e.getCause() instanceof ShutdownSignalException s && !s.isHardError()) {
                return false; // 404 NOT_FOUND closed the channel
            }
            throw e;
        } catch (TimeoutException e) {
            throw new IOException("channel.close timed out", e);
        }
    }

    /** A consumer that takes and acks everything a queue holds, ticking off the ids still missing. */
    private final class Drain {
        private final String queue;
        private final Channel channel;
        private final String tag;
        private final List<Delivery> received = Collections.synchronizedList(new ArrayList<>());
        private final CountDownLatch cancelled = new CountDownLatch(1);

        Drain(Connection connection, String queue, Set<String> stillMissing) throws IOException {
            this.queue = queue;
            this.channel = connection.createChannel();
            channel.basicQos(1000);
            tag = channel.basicConsume(queue, false, new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
                                           byte[] body) throws IOException {
                    Delivery d = new Delivery(queue, envelope.isRedeliver(), properties, body);
                    received.add(d);
                    stillMissing.remove(d.rawId());
                    // acked as it comes, so the prefetch window never fills; checked against the ledger after the drain
                    getChannel().basicAck(envelope.getDeliveryTag(), false);
                }

                @Override
                public void handleCancelOk(String consumerTag) {
                    cancelled.countDown(); // dispatched after every delivery that came before the cancel-ok
                }
            });
        }

        List<Delivery> cancel(List<String> problems) throws IOException, InterruptedException {
            channel.basicCancel(tag);
            if (!cancelled.await(CLIENT_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                problems.add("basic.cancel on " + queue + " got no cancel-ok within " + CLIENT_TIMEOUT_MS + " ms");
            }
            synchronized (received) {
                return new ArrayList<>(received);
            }
        }
    }

    // ----------------------------------------------------------------------------- publish, reject, kill

    /**
     * Starts a publisher per source queue and the rejecting consumer, kills the broker with SIGKILL after a
     * random delay (in some cycles the publishers stop a little before it, so the kill meets only expiries and
     * rejections), and waits until every client has seen its connection die.
     */
    private String publishRejectAndKill(BrokerProcess broker, int cycle, int ttl) throws Exception {
        killing.set(false);
        int killDelay = MIN_KILL_DELAY_MS + random.nextInt(MAX_KILL_DELAY_MS - MIN_KILL_DELAY_MS + 1);
        boolean quietBeforeKill = random.nextBoolean();
        long publishFor = quietBeforeKill ? Math.max(50, killDelay - random.nextInt(ttl + 150)) : Long.MAX_VALUE;
        int prefetch = 1 + random.nextInt(100);
        int nackEvery = random.nextBoolean() ? 1 : 2 + random.nextInt(Math.min(prefetch, 20));
        Rejecter rejecter = new Rejecter(broker.port(), cycle, prefetch, nackEvery);
        long publishUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(publishFor == Long.MAX_VALUE
                ? TimeUnit.DAYS.toMillis(1) : publishFor);
        List<Publisher> publishers = List.of(
                new Publisher(broker.port(), cycle, WORK, "e", publishUntil, new Random(random.nextLong())),
                new Publisher(broker.port(), cycle, REJECTS, "r", publishUntil, new Random(random.nextLong())));
        publishers.forEach(Publisher::start);

        Thread.sleep(killDelay); // the random moment of the kill
        String atKill = readyCounts(rejecter.connection);
        killing.set(true);
        broker.kill();

        List<String> problems = new ArrayList<>();
        rejecter.awaitConnectionLost();
        rejecter.stop();
        long confirmed = 0;
        long published = 0;
        long nacked = 0;
        for (Publisher p : publishers) {
            p.awaitConnectionLost();
            p.stop();
            published += p.published;
            confirmed += p.window.confirmed.get();
            nacked += p.window.nacked.get();
            if (p.error != null) {
                problems.add(p.name + " failed before the kill: " + p.error);
            }
        }
        if (nacked > 0) {
            problems.add(nacked + " publishes were nacked, though no queue has a limit and the store did not fail");
        }
        problems.addAll(rejecter.problems);
        if (!problems.isEmpty()) {
            failWith(cycle, problems);
        }
        return String.format("killed after %d ms%s (ready then: %s); published %d, %d confirmed; the consumer "
                        + "(prefetch %d, %s) rejected %d", killDelay,
                quietBeforeKill ? " (publishing stopped at " + Math.min(publishFor, killDelay) + " ms)" : " while publishing",
                atKill, published, confirmed, prefetch, nackEvery == 1 ? "basic.reject each" : "basic.nack multiple every "
                        + nackEvery, rejecter.rejected.get());
    }

    /** "work 120, rejects 35, dead 2210": what the queues held just before the kill, so the log shows moves under way. */
    private static String readyCounts(Connection connection) {
        try {
            Channel channel = connection.createChannel();
            return "work " + messageCount(channel, WORK) + ", rejects " + messageCount(channel, REJECTS) + ", dead "
                    + messageCount(channel, DEAD);
        } catch (IOException | AssertionError e) {
            return "not known (" + e + ")";
        }
    }

    /** Publishes persistent messages to one queue with confirms, at most a window unconfirmed, until told to stop. */
    private final class Publisher {
        final String name;
        final ConfirmWindow window = new ConfirmWindow(MAX_UNCONFIRMED_PER_PUBLISHER, ledger.confirmed::addAll);
        volatile long published;
        volatile Throwable error;
        private final int cycle;
        private final String queue;
        private final String prefix;
        private final long publishUntil;
        private final Random random;
        private final Connection connection;
        private final Channel channel;
        private final CountDownLatch connectionLost = new CountDownLatch(1);
        private final AtomicBoolean stopped = new AtomicBoolean();
        private final Thread thread;

        Publisher(int port, int cycle, String queue, String prefix, long publishUntil, Random random)
                throws IOException, TimeoutException {
            this.name = "publisher to " + queue + " in cycle " + cycle;
            this.cycle = cycle;
            this.queue = queue;
            this.prefix = prefix;
            this.publishUntil = publishUntil;
            this.random = random;
            this.connection = factory(port).newConnection("dlx-crash-publisher-" + prefix + cycle);
            connection.addShutdownListener(cause -> connectionLost.countDown());
            this.channel = connection.createChannel();
            channel.confirmSelect();
            channel.addConfirmListener(window);
            this.thread = new Thread(this::publish, "dlx-crash-" + prefix + cycle);
        }

        void start() {
            thread.start();
        }

        private void publish() {
            try {
                for (long seq = 0; seq < MAX_MESSAGES_PER_PUBLISHER_PER_CYCLE; seq++) {
                    while (!window.reserve(50)) {
                        if (stopped.get() || !channel.isOpen()) {
                            return;
                        }
                    }
                    if (stopped.get() || !channel.isOpen() || System.nanoTime() > publishUntil) {
                        return;
                    }
                    String id = prefix + cycle + "-" + seq;
                    int size = random.nextInt(250) == 0 ? LARGE_BODY : 1 + random.nextInt(1_000);
                    ledger.publishedTo.put(id, queue);
                    window.sending(channel.getNextPublishSeqNo(), id);
                    channel.basicPublish("", queue, true, properties(id), body(id, size));
                    published = seq + 1;
                }
            } catch (IOException | ShutdownSignalException e) {
                if (!killing.get()) {
                    error = e; // not the kill
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                error = e;
            }
        }

        void awaitConnectionLost() throws InterruptedException {
            if (!connectionLost.await(CLIENT_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                fail(name + " did not notice within " + CLIENT_TIMEOUT_MS + " ms that the broker was killed; seed "
                        + seed);
            }
        }

        void stop() throws InterruptedException {
            stopped.set(true);
            connection.abort(1_000);
            thread.join(CLIENT_TIMEOUT_MS);
            if (thread.isAlive()) {
                fail(name + " did not stop within " + CLIENT_TIMEOUT_MS + " ms; seed " + seed);
            }
        }
    }

    /**
     * Consumes the reject queue and rejects without requeue what it gets: one basic.reject per delivery, or
     * a basic.nack (multiple) every few, so the kill finds some delivered and not yet rejected.
     */
    private final class Rejecter {
        final List<String> problems = new CopyOnWriteArrayList<>();
        final AtomicLong rejected = new AtomicLong();
        final Connection connection;
        private final CountDownLatch connectionLost = new CountDownLatch(1);

        Rejecter(int port, int cycle, int prefetch, int nackEvery) throws IOException, TimeoutException {
            connection = factory(port).newConnection("dlx-crash-rejecter-" + cycle);
            connection.addShutdownListener(cause -> connectionLost.countDown());
            Channel channel = connection.createChannel();
            channel.basicQos(prefetch);
            channel.basicConsume(REJECTS, false, new DefaultConsumer(channel) {
                private int pending;

                @Override
                public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
                                           byte[] body) {
                    Delivery d = new Delivery(REJECTS, envelope.isRedeliver(), properties, body);
                    String id = d.check(problems, "the rejecting consumer of cycle " + cycle);
                    if (id != null) {
                        ledger.deliveredToRejecter.add(id);
                    }
                    try {
                        if (nackEvery == 1) {
                            channel.basicReject(envelope.getDeliveryTag(), false);
                            rejected.incrementAndGet();
                        } else if (++pending == nackEvery) {
                            channel.basicNack(envelope.getDeliveryTag(), true, false);
                            rejected.addAndGet(pending);
                            pending = 0;
                        }
                    } catch (IOException | ShutdownSignalException e) {
                        if (!killing.get()) {
                            problems.add("the rejecting consumer of cycle " + cycle + " could not reject: " + e);
                        }
                    }
                }
            });
        }

        void awaitConnectionLost() throws InterruptedException {
            if (!connectionLost.await(CLIENT_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                fail("the rejecting consumer did not notice within " + CLIENT_TIMEOUT_MS
                        + " ms that the broker was killed; seed " + seed);
            }
        }

        void stop() {
            connection.abort(1_000);
        }
    }

    // ------------------------------------------------------------------------------- messages and ledger

    /** What the clients know: what was published where, what the broker confirmed, where each id came out. */
    private static final class Ledger {
        /** id to the queue it was published to */
        final Map<String, String> publishedTo = new ConcurrentHashMap<>();
        final Set<String> confirmed = ConcurrentHashMap.newKeySet();
        /** delivered to the rejecting consumer at least once */
        final Set<String> deliveredToRejecter = ConcurrentHashMap.newKeySet();
        /** id to the queue and drain it came out of; a message comes out once, over all queues and cycles */
        final Map<String, String> seen = new ConcurrentHashMap<>();
    }

    private static AMQP.BasicProperties properties(String id) {
        return new AMQP.BasicProperties.Builder()
                .deliveryMode(2)
                .messageId(id)
                .contentType("application/octet-stream")
                .build();
    }

    /** One delivered message as received, checked against what was published. */
    private final class Delivery {
        final String queue;
        final boolean redeliver;
        final AMQP.BasicProperties properties;
        final byte[] body;

        Delivery(String queue, boolean redeliver, AMQP.BasicProperties properties, byte[] body) {
            this.queue = queue;
            this.redeliver = redeliver;
            this.properties = properties;
            this.body = body;
        }

        /** The id the body starts with, unchecked, or null. */
        String rawId() {
            int bar = 0;
            while (bar < body.length && bar < 40 && body[bar] != '|') {
                bar++;
            }
            return bar < body.length && body[bar] == '|' ? new String(body, 0, bar, StandardCharsets.US_ASCII) : null;
        }

        /**
         * Adds what is wrong with this delivery to problems; returns its id when it is a message this test
         * published (damaged or not), else null.
         */
        String check(List<String> problems, String where) {
            String text = new String(body, 0, Math.min(body.length, 40), StandardCharsets.US_ASCII);
            int bar = text.indexOf('|');
            int bar2 = bar < 0 ? -1 : text.indexOf('|', bar + 1);
            Matcher m = bar2 < 0 ? null : ID.matcher(text.substring(0, bar));
            if (m == null || !m.matches()) {
                problems.add(where + ": corrupt body in " + queue + " (" + body.length + " bytes, starts with "
                        + printable(text) + ")");
                return null;
            }
            String id = m.group();
            String source = ledger.publishedTo.get(id);
            if (source == null) {
                problems.add(where + ": " + id + " in " + queue + " was never published");
                return null;
            }
            String sizeText = text.substring(bar + 1, bar2);
            int size = sizeText.matches("\\d{1,7}") ? Integer.parseInt(sizeText) : -1;
            if (size < 0 || body.length != bar2 + 1 + size || !Arrays.equals(body, body(id, size))) {
                problems.add(where + ": the body of " + id + " is damaged (" + body.length + " bytes, starts with "
                        + printable(text) + ")");
            }
            if (properties.getDeliveryMode() == null || properties.getDeliveryMode() != 2
                    || !id.equals(properties.getMessageId())
                    || !"application/octet-stream".equals(properties.getContentType())) {
                problems.add(where + ": the properties of " + id + " changed: " + properties);
            }
            Map<String, Object> headers = properties.getHeaders();
            if (queue.equals(DEAD)) {
                checkDeath(id, source, headers, problems, where);
            } else if (!queue.equals(source)) {
                problems.add(where + ": " + id + " was published to " + source + " but came from " + queue);
            } else if (headers != null && headers.containsKey("x-death")) {
                problems.add(where + ": " + id + " in its own queue " + queue + " has an x-death: " + headers);
            } else if (queue.equals(REJECTS) && !where.startsWith("the rejecting") && !redeliver
                    && ledger.deliveredToRejecter.contains(id)) {
                problems.add(where + ": " + id + " was delivered to the rejecting consumer before the kill but "
                        + "came back in " + REJECTS + " without the redelivered flag");
            }
            return id;
        }

        /** One death, in the queue the message was published to, for that queue's reason. */
        private void checkDeath(String id, String source, Map<String, Object> headers, List<String> problems,
                                String where) {
            String reason = source.equals(WORK) ? "expired" : "rejected";
            Object deaths = headers == null ? null : headers.get("x-death");
            if (!(deaths instanceof List<?> list) || list.size() != 1 || !(list.get(0) instanceof Map<?, ?> death)) {
                problems.add(where + ": " + id + " in " + DEAD + " does not have exactly one x-death entry: " + headers);
                return;
            }
            boolean right = source.equals(String.valueOf(death.get("queue")))
                    && reason.equals(String.valueOf(death.get("reason")))
                    && "1".equals(String.valueOf(death.get("count")))
                    && "".equals(String.valueOf(death.get("exchange")))
                    && List.of(source).toString().equals(String.valueOf(death.get("routing-keys")))
                    && source.equals(String.valueOf(headers.get("x-first-death-queue")))
                    && reason.equals(String.valueOf(headers.get("x-first-death-reason")));
            if (!right) {
                problems.add(where + ": " + id + " (published to " + source + ") should have died once there, "
                        + reason + ", but its headers are " + headers);
            }
        }
    }

    // ------------------------------------------------------------------------------------------- helpers

    private ConnectionFactory factory(int port) {
        return CrashTestSupport.factory(port, CLIENT_TIMEOUT_MS, killing, clientErrors);
    }

    private void failWith(int cycle, List<String> problems) throws IOException {
        Path report = workDir.resolve("failure.txt");
        StringBuilder full = new StringBuilder("seed " + seed + ", cycle " + cycle + "\n");
        problems.forEach(p -> full.append(p).append('\n'));
        Files.writeString(report, full.toString(), StandardCharsets.UTF_8);
        String shown = String.join("\n  ", problems.subList(0, Math.min(problems.size(), 15)));
        fail("cycle " + cycle + " of " + KILL_CYCLES + " (seed " + seed + ", rerun with -Dwarren.dlxcrash.seed=" + seed
                + "), " + problems.size() + " problem(s):\n  " + shown
                + (problems.size() > 15 ? "\n  ..." : "") + "\nall of them in " + report + ", broker log " + brokerLog
                + ", data directory kept in " + dataDir);
    }

    private static void log(String line) {
        System.out.println("[DeadLetterCrashProcessIT] " + line);
    }
}
