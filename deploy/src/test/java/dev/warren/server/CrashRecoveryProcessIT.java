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
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The crash test: runs the packaged broker (target/warren-server.jar with target/lib) as a child process,
 * publishes persistent messages with publisher confirms from several connections to two durable queues,
 * kills the broker with SIGKILL at a random moment while they publish, restarts it on the same data
 * directory and checks that every message the broker confirmed and nobody acknowledged comes back,
 * intact (body, properties, queue), in publish order, and that a message is delivered a second time only
 * with the redelivered flag. Every third cycle a consumer also takes messages from one queue during the
 * publishing, acking most and leaving some unacked when the broker dies: those must come back too.
 *
 * <p>Runs in the integration-test phase (maven-failsafe-plugin), after the jar is packaged. The random
 * kill delays, message sizes and unacked choices come from a seed that is printed at the start and in
 * every failure; rerun with {@code -Dwarren.crash.seed=N} to get the same ones (timing still varies).
 * The broker's console output goes to target/crash-recovery-process-it/broker.log, the data directory
 * stays in target/crash-recovery-process-it/data after a failure, and the full list of problems goes to
 * target/crash-recovery-process-it/failure.txt.
 */
@Timeout(value = 170, unit = TimeUnit.SECONDS) // the issue: under 3 minutes in CI
class CrashRecoveryProcessIT {
    private static final int KILL_CYCLES = 20;
    private static final int PUBLISHERS = 3;
    private static final String[] QUEUES = {"crash-recovery.q1", "crash-recovery.q2"};
    /** The live consumer of every third cycle reads this one. */
    private static final String LIVE_QUEUE = QUEUES[1];
    private static final int MAX_UNCONFIRMED_PER_PUBLISHER = 200;
    /** Keeps the ledger and the drains bounded if the broker is very fast. */
    private static final int MAX_MESSAGES_PER_PUBLISHER_PER_CYCLE = 8_000;
    private static final int MIN_KILL_DELAY_MS = 20;
    private static final int MAX_KILL_DELAY_MS = 600;
    /** Above the default frame_max (131072): such bodies span several frames. */
    private static final int LARGE_BODY = 140_000;
    private static final int SIGKILL_EXIT_CODE = 128 + 9;

    private static final long CLIENT_TIMEOUT_MS = 10_000;
    private static final long DRAIN_TIMEOUT_SECONDS = 30;

    private static final Pattern ID = Pattern.compile("c(\\d+)-p(\\d+)-(\\d+)");

    private final long seed = Long.getLong("warren.crash.seed", System.nanoTime());
    private final Random random = new Random(seed);
    private final Path workDir = Path.of(System.getProperty("warren.test.output",
            Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "target").toString()))
            .resolve("crash-recovery-process-it");
    private final Path dataDir = workDir.resolve("data");
    private final Path brokerLog = workDir.resolve("broker.log");
    private final Ledger ledger = new Ledger();
    /** Set just before each SIGKILL: client errors after it are expected, errors before it are failures. */
    private final AtomicBoolean killing = new AtomicBoolean();
    /** What the client library reported besides the connections the kill broke. */
    private final List<String> clientErrors = new CopyOnWriteArrayList<>();

    @Test
    void everyConfirmedMessageSurvivesRepeatedSigkillsOfThePackagedBroker() throws Exception {
        if ("surefire".equals(System.getProperty("warren.test.runner"))) {
            fail("this test runs the packaged jar, so failsafe runs it after the package phase; "
                    + "-Dtest=CrashRecoveryProcessIT made surefire run it before. Run it with: mvn verify -pl deploy "
                    + "-Dit.test=CrashRecoveryProcessIT -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false");
        }
        prepareWorkDir();
        log("seed " + seed + " (rerun with -Dwarren.crash.seed=" + seed + "), " + KILL_CYCLES + " kill cycles, "
                + "broker log " + brokerLog);
        long started = System.nanoTime();
        BrokerProcess broker = null;
        try {
            for (int cycle = 0; cycle <= KILL_CYCLES; cycle++) {
                long cycleStarted = System.nanoTime();
                broker = BrokerProcess.start(dataDir, brokerLog, "cycle " + cycle);
                String drained = drainAndVerify(broker, cycle);
                if (cycle == KILL_CYCLES) {
                    log(String.format("cycle %d: %s; %d messages confirmed in all, %d redelivered, %.1f s",
                            cycle, drained, ledger.confirmed.size(), ledger.redeliveries.get(),
                            (System.nanoTime() - started) / 1e9));
                    break;
                }
                String published = publishAndKill(broker, cycle);
                broker = null;
                log(String.format("cycle %d (%d ms): %s; %s", cycle,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cycleStarted), drained, published));
            }
            assertTrue(ledger.confirmed.size() >= 500, "a crash test that confirmed only "
                    + ledger.confirmed.size() + " messages in " + KILL_CYCLES + " cycles proves little; seed " + seed);
        } catch (AssertionError | Exception e) {
            System.out.println("---- last lines of " + brokerLog + " ----");
            System.out.println(TestFiles.tail(brokerLog, 80));
            throw e;
        } finally {
            if (broker != null) {
                broker.killQuietly();
            }
        }
        TestFiles.deleteRecursively(dataDir); // kept for inspection only when the test failed
    }

    // ---------------------------------------------------------------------------------------------- drain

    /**
     * Checks that both queues are still there, then consumes everything they hold and checks it against the
     * ledger: every confirmed message not yet acknowledged is there, nothing is corrupt or unknown, and a
     * message seen before comes back only flagged as redelivered. Acks it all, so the queues end empty.
     */
    private String drainAndVerify(BrokerProcess broker, int cycle) throws Exception {
        List<String> problems = new ArrayList<>();
        List<Delivery> all = new ArrayList<>();
        try (Connection connection = factory(broker.port()).newConnection("crash-test-drain-" + cycle)) {
            for (String queue : QUEUES) {
                if (cycle > 0 && !queueExists(connection, queue)) {
                    problems.add("durable queue " + queue + " (declared before the first kill) is missing after "
                            + "the restart");
                }
                all.addAll(drainQueue(connection, queue, problems));
            }
        }
        Set<String> drainedIds = new HashSet<>();
        Map<String, Long> lastSeqInOrder = new HashMap<>();
        int redelivered = 0;
        for (Delivery d : all) {
            if (!d.check(problems, "drain of cycle " + cycle)) {
                continue;
            }
            if (d.redeliver) {
                redelivered++;
            }
            if (drainedIds.add(d.id)) {
                // a recovered queue keeps publish order, as RabbitMQ's do: one publisher's messages (redelivered
                // or not) come out of a queue in the order they went in
                String stream = d.queue + " " + d.publisher();
                Long previous = lastSeqInOrder.put(stream, d.seq());
                if (previous != null && previous >= d.seq()) {
                    problems.add("out of order in " + d.queue + ": " + d.id + " came after " + d.publisher() + "-"
                            + previous);
                }
            }
        }
        ledger.redeliveries.addAndGet(redelivered);

        TreeSet<String> missing = new TreeSet<>(ID_ORDER);
        for (String id : ledger.confirmed) {
            if (!ledger.acked.contains(id) && !drainedIds.contains(id)) {
                missing.add(id);
            }
        }
        if (!missing.isEmpty()) {
            problems.add(0, missing.size() + " confirmed, never acknowledged messages are missing after the restart "
                    + "(of " + ledger.requiredCount() + " that should be there): " + sample(missing, 20)
                    + "; by cycle and publisher: " + summarize(missing));
        }
        ledger.acked.addAll(drainedIds);
        problems.addAll(clientErrors);
        clientErrors.clear();
        if (!problems.isEmpty()) {
            failWith(cycle, problems);
        }
        return String.format("restarted in %d ms, drained %d (%d redelivered)", broker.startMillis, all.size(),
                redelivered);
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

    private List<Delivery> drainQueue(Connection connection, String queue, List<String> problems)
            throws Exception {
        Channel channel = connection.createChannel();
        // durable, as before the kill: a queue recovered as non-durable would fail this with 406
        int ready = channel.queueDeclare(queue, true, false, false, null).getMessageCount();
        List<Delivery> received = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch enough = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        channel.basicQos(1000);
        String tag = channel.basicConsume(queue, false, new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
                                       byte[] body) throws IOException {
                received.add(new Delivery(queue, envelope.getDeliveryTag(), envelope.isRedeliver(), properties, body));
                if (received.size() >= ready) {
                    enough.countDown();
                }
                // acked as it comes, so the prefetch window never fills; checked against the ledger after the drain
                getChannel().basicAck(envelope.getDeliveryTag(), false);
            }

            @Override
            public void handleCancelOk(String consumerTag) {
                cancelled.countDown(); // dispatched after every delivery that came before the cancel-ok
            }
        });
        if (ready > 0 && !enough.await(DRAIN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            problems.add(queue + " reported " + ready + " ready messages after the restart, but only "
                    + received.size() + " were delivered within " + DRAIN_TIMEOUT_SECONDS + " s");
        }
        channel.basicCancel(tag);
        if (!cancelled.await(CLIENT_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
            problems.add("basic.cancel on " + queue + " got no cancel-ok within " + CLIENT_TIMEOUT_MS + " ms");
        }
        int left = channel.queueDeclarePassive(queue).getMessageCount(); // after the acks, on the same channel
        if (left != 0) {
            problems.add(queue + " still has " + left + " ready messages after the drain, which got "
                    + received.size() + " deliveries and acked them (it had " + ready + " at the start)");
        }
        channel.close();
        synchronized (received) {
            return new ArrayList<>(received);
        }
    }

    // ------------------------------------------------------------------------------------ publish and kill

    /**
     * Starts the publishers (and, every third cycle, a live consumer), kills the broker with SIGKILL after
     * a random delay while they publish, and waits until every client has seen its connection die.
     */
    private String publishAndKill(BrokerProcess broker, int cycle) throws Exception {
        int killDelayMs = MIN_KILL_DELAY_MS + random.nextInt(MAX_KILL_DELAY_MS - MIN_KILL_DELAY_MS);
        boolean liveConsumer = cycle % 3 == 2;
        killing.set(false);
        List<Publisher> publishers = new ArrayList<>();
        LiveConsumer consumer = null;
        long killed = 0;
        try (Connection setup = factory(broker.port()).newConnection("crash-test-setup-" + cycle)) {
            Channel channel = setup.createChannel();
            for (String queue : QUEUES) {
                channel.queueDeclare(queue, true, false, false, null);
            }
        }
        try {
            if (liveConsumer) {
                consumer = new LiveConsumer(broker.port(), cycle, new Random(random.nextLong()));
            }
            for (int p = 0; p < PUBLISHERS; p++) {
                publishers.add(new Publisher(broker.port(), cycle, p, new Random(random.nextLong())));
            }
            for (Publisher publisher : publishers) {
                publisher.thread.start();
            }
            Thread.sleep(killDelayMs); // the random kill moment, not a synchronisation
            killing.set(true);
            broker.kill();
            killed = System.nanoTime();
            for (Publisher publisher : publishers) {
                publisher.awaitConnectionLost();
            }
            if (consumer != null) {
                consumer.awaitConnectionLost();
            }
        } finally {
            for (Publisher publisher : publishers) {
                publisher.stop();
            }
            if (consumer != null) {
                consumer.stop();
            }
        }
        List<String> problems = new ArrayList<>();
        long published = 0;
        long confirmed = 0;
        long nacked = 0;
        for (Publisher publisher : publishers) {
            if (publisher.error != null) {
                problems.add(publisher.name + " failed before the kill: " + publisher.error);
            }
            if (!publisher.returned.isEmpty()) {
                problems.add(publisher.name + ": the broker returned mandatory messages published to declared "
                        + "queues: " + publisher.returned);
            }
            published += publisher.published;
            confirmed += publisher.window.confirmed.get();
            nacked += publisher.window.nacked.get();
        }
        if (consumer != null) {
            problems.addAll(consumer.problems);
        }
        problems.addAll(clientErrors);
        clientErrors.clear();
        if (!problems.isEmpty()) {
            failWith(cycle, problems);
        }
        String live = consumer == null ? "" : String.format(", live consumer got %d and acked %d",
                consumer.delivered.get(), consumer.ackedCount.get());
        return String.format("published %d, confirmed %d, nacked %d%s, killed after %d ms (exit %d), clients "
                + "stopped %d ms later", published, confirmed, nacked, live, killDelayMs, SIGKILL_EXIT_CODE,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
    }

    /** One publishing connection: a channel in confirm mode, at most a window of unconfirmed messages. */
    private final class Publisher {
        final String name;
        final Thread thread;
        final ConfirmWindow window = new ConfirmWindow(MAX_UNCONFIRMED_PER_PUBLISHER, ledger.confirmed::addAll);
        volatile long published;
        volatile Throwable error;
        private final int cycle;
        private final int index;
        private final Random random;
        private final Connection connection;
        private final Channel channel;
        private final CountDownLatch connectionLost = new CountDownLatch(1);
        private final AtomicBoolean stopped = new AtomicBoolean();
        /** mandatory messages the broker returned: it should route every one to its declared queue */
        private final List<String> returned = new CopyOnWriteArrayList<>();

        Publisher(int port, int cycle, int index, Random random) throws Exception {
            this.cycle = cycle;
            this.index = index;
            this.random = random;
            this.name = "publisher " + index + " of cycle " + cycle;
            this.connection = factory(port).newConnection("crash-test-publisher-" + cycle + "-" + index);
            connection.addShutdownListener(cause -> connectionLost.countDown());
            this.channel = connection.createChannel();
            channel.confirmSelect();
            channel.addReturnListener(r -> returned.add(r.getProperties().getMessageId() + " (" + r.getReplyCode()
                    + " " + r.getReplyText() + ")"));
            channel.addConfirmListener(window);
            this.thread = new Thread(this::publish, "crash-test-publisher-" + index);
            thread.setDaemon(true);
        }

        private void publish() {
            try {
                for (long seq = 0; seq < MAX_MESSAGES_PER_PUBLISHER_PER_CYCLE; seq++) {
                    while (!window.reserve(50)) {
                        if (stopped.get() || !channel.isOpen()) {
                            return;
                        }
                    }
                    if (stopped.get() || !channel.isOpen()) {
                        return;
                    }
                    String queue = QUEUES[index < QUEUES.length ? index : (int) (seq % QUEUES.length)];
                    String id = "c" + cycle + "-p" + index + "-" + seq;
                    int size = random.nextInt(50) == 0 ? LARGE_BODY : 1 + random.nextInt(2_000);
                    ledger.publishedTo.put(id, queue);
                    window.sending(channel.getNextPublishSeqNo(), id);
                    channel.basicPublish("", queue, true, properties(id, seq), body(id, size));
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
     * Consumes {@link #LIVE_QUEUE} with manual acks while the publishers run, acking most messages and
     * leaving about one in five unacked, so the kill finds some messages delivered and unacknowledged.
     */
    private final class LiveConsumer {
        final List<String> problems = new CopyOnWriteArrayList<>();
        final AtomicLong delivered = new AtomicLong();
        final AtomicLong ackedCount = new AtomicLong();
        private final Connection connection;
        private final CountDownLatch connectionLost = new CountDownLatch(1);

        LiveConsumer(int port, int cycle, Random random) throws IOException, TimeoutException {
            connection = factory(port).newConnection("crash-test-live-consumer-" + cycle);
            connection.addShutdownListener(cause -> connectionLost.countDown());
            Channel channel = connection.createChannel();
            channel.basicQos(300);
            channel.basicConsume(LIVE_QUEUE, false, new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
                                           byte[] body) {
                    delivered.incrementAndGet();
                    Delivery d = new Delivery(LIVE_QUEUE, envelope.getDeliveryTag(), envelope.isRedeliver(),
                            properties, body);
                    if (!d.check(problems, "live consumer of cycle " + cycle) || random.nextInt(5) == 0) {
                        return; // stays unacked until the broker dies
                    }
                    try {
                        // counted as acknowledged before it is sent: the ack may or may not reach the broker
                        ledger.acked.add(d.id);
                        channel.basicAck(envelope.getDeliveryTag(), false);
                        ackedCount.incrementAndGet();
                    } catch (IOException | ShutdownSignalException e) {
                        if (!killing.get()) {
                            problems.add("the live consumer of cycle " + cycle + " could not ack: " + e);
                        }
                    }
                }
            });
        }

        void awaitConnectionLost() throws InterruptedException {
            if (!connectionLost.await(CLIENT_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                fail("the live consumer did not notice within " + CLIENT_TIMEOUT_MS
                        + " ms that the broker was killed; seed " + seed);
            }
        }

        void stop() {
            connection.abort(1_000);
        }
    }

    // ------------------------------------------------------------------------------- messages and ledger

    /** What the clients know: what was published where, what the broker confirmed, what was acked. */
    private static final class Ledger {
        /** id to the queue it was published to */
        final Map<String, String> publishedTo = new ConcurrentHashMap<>();
        final Set<String> confirmed = ConcurrentHashMap.newKeySet();
        /** sent an ack for (it may not have reached the broker before the kill) */
        final Set<String> acked = ConcurrentHashMap.newKeySet();
        /** delivered at least once */
        final Set<String> delivered = ConcurrentHashMap.newKeySet();
        final AtomicLong redeliveries = new AtomicLong();

        long requiredCount() {
            return confirmed.stream().filter(id -> !acked.contains(id)).count();
        }
    }

    private static AMQP.BasicProperties properties(String id, long seq) {
        return new AMQP.BasicProperties.Builder()
                .deliveryMode(2)
                .messageId(id)
                .contentType("application/octet-stream")
                .headers(Map.of("seq", seq))
                .build();
    }

    /** One delivered message as received, checked against what was published. */
    private final class Delivery {
        final String queue;
        final long deliveryTag;
        final boolean redeliver;
        final AMQP.BasicProperties properties;
        final byte[] body;
        String id;

        Delivery(String queue, long deliveryTag, boolean redeliver, AMQP.BasicProperties properties, byte[] body) {
            this.queue = queue;
            this.deliveryTag = deliveryTag;
            this.redeliver = redeliver;
            this.properties = properties;
            this.body = body;
        }

        String publisher() {
            return id.substring(0, id.lastIndexOf('-'));
        }

        long seq() {
            return Long.parseLong(id.substring(id.lastIndexOf('-') + 1));
        }

        /** Adds what is wrong with this delivery to problems; true when it is a message this test published. */
        boolean check(List<String> problems, String where) {
            String text = new String(body, 0, Math.min(body.length, 40), StandardCharsets.US_ASCII);
            int bar = text.indexOf('|');
            int bar2 = bar < 0 ? -1 : text.indexOf('|', bar + 1);
            if (bar2 < 0 || !ID.matcher(text.substring(0, bar)).matches()) {
                problems.add(where + ": corrupt body in " + queue + " (" + body.length + " bytes, starts with "
                        + printable(text) + ")");
                return false;
            }
            id = text.substring(0, bar);
            String publishedQueue = ledger.publishedTo.get(id);
            if (publishedQueue == null) {
                problems.add(where + ": " + id + " in " + queue + " was never published");
                return false;
            }
            if (!publishedQueue.equals(queue)) {
                problems.add(where + ": " + id + " was published to " + publishedQueue + " but came from " + queue);
            }
            String sizeText = text.substring(bar + 1, bar2);
            int size = sizeText.matches("\\d{1,7}") ? Integer.parseInt(sizeText) : -1;
            if (size < 0 || body.length != bar2 + 1 + size || !Arrays.equals(body, body(id, size))) {
                problems.add(where + ": the body of " + id + " is damaged (" + body.length + " bytes, starts with "
                        + printable(text) + ")");
            }
            if (properties.getDeliveryMode() == null || properties.getDeliveryMode() != 2
                    || !id.equals(properties.getMessageId())
                    || !"application/octet-stream".equals(properties.getContentType())
                    || properties.getHeaders() == null
                    || !String.valueOf(seq()).equals(String.valueOf(properties.getHeaders().get("seq")))) {
                problems.add(where + ": the properties of " + id + " changed: " + properties);
            }
            if (!ledger.delivered.add(id) && !redeliver) {
                problems.add(where + ": " + id + " was delivered again without the redelivered flag");
            }
            return true;
        }
    }

    // ------------------------------------------------------------------------------------------- helpers

    private ConnectionFactory factory(int port) {
        return CrashTestSupport.factory(port, CLIENT_TIMEOUT_MS, killing, clientErrors);
    }

    /** Orders ids by cycle, publisher and sequence number. */
    private static final Comparator<String> ID_ORDER = Comparator
            .<String>comparingLong(id -> idPart(id, 1))
            .thenComparingLong(id -> idPart(id, 2))
            .thenComparingLong(id -> idPart(id, 3))
            .thenComparing(Comparator.naturalOrder());

    private static long idPart(String id, int group) {
        Matcher m = ID.matcher(id);
        return m.matches() ? Long.parseLong(m.group(group)) : -1;
    }

    /** "c3-p0: 12 (seq 140..151)" per cycle and publisher. */
    private static String summarize(TreeSet<String> ids) {
        Map<String, List<Long>> byPublisher = new LinkedHashMap<>();
        for (String id : ids) {
            byPublisher.computeIfAbsent(id.substring(0, id.lastIndexOf('-')), k -> new ArrayList<>())
                    .add(idPart(id, 3));
        }
        List<String> parts = new ArrayList<>();
        byPublisher.forEach((publisher, seqs) -> parts.add(publisher + ": " + seqs.size() + " (seq "
                + seqs.get(0) + ".." + seqs.get(seqs.size() - 1) + ")"));
        return String.join(", ", parts);
    }

    private void failWith(int cycle, List<String> problems) throws IOException {
        Path report = workDir.resolve("failure.txt");
        StringBuilder full = new StringBuilder("seed " + seed + ", cycle " + cycle + "\n");
        problems.forEach(p -> full.append(p).append('\n'));
        Files.writeString(report, full.toString(), StandardCharsets.UTF_8);
        String shown = String.join("\n  ", problems.subList(0, Math.min(problems.size(), 15)));
        fail("cycle " + cycle + " of " + KILL_CYCLES + " (seed " + seed + ", rerun with -Dwarren.crash.seed=" + seed
                + "), " + problems.size() + " problem(s):\n  " + shown
                + (problems.size() > 15 ? "\n  ..." : "") + "\nall of them in " + report + ", broker log " + brokerLog
                + ", data directory kept in " + dataDir);
    }

    private void prepareWorkDir() throws IOException {
        TestFiles.deleteRecursively(workDir);
        Files.createDirectories(dataDir);
    }

    private static void log(String line) {
        System.out.println("[CrashRecoveryProcessIT] " + line);
    }
}
