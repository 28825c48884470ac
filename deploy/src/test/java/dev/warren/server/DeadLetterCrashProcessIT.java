package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dead-letter crash test: Warren's promise beyond RabbitMQ's at-most-once classic dead-lettering. A
 * persistent message dead-lettered from a durable queue to a durable queue is moved by one journal record,
 * so a SIGKILL at any moment leaves it in exactly one of the two: never lost, never in both.
 *
 * <p>Each cycle starts the packaged broker ({@link BrokerProcess}) on the same data directory, first
 * settles everything that should still move — the TTL queue empties by itself (expiry is absolute, so it
 * runs on across the restart), the reject queue is emptied by rejecting — and drains the dead-letter queue,
 * checking that every confirmed message arrived there exactly once, with the right x-death. Then it
 * publishes persistent messages with confirms into both sources while their messages expire and are
 * rejected, and kills the broker at a random moment. The seed is printed; rerun with
 * {@code -Dwarren.dlxcrash.seed=N}.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class DeadLetterCrashProcessIT {
    private static final int KILL_CYCLES = 8;
    private static final String EXPIRING = "dlx-crash.work";
    private static final String REJECTING = "dlx-crash.rejects";
    private static final String DEAD = "dlx-crash.dead";
    private static final long SETTLE_TIMEOUT_MS = 40_000;

    private final long seed = Long.getLong("warren.dlxcrash.seed", System.nanoTime());
    private final Random random = new Random(seed);
    private final Path workDir = Path.of(System.getProperty("warren.test.output",
            Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "target").toString()))
            .resolve("dead-letter-crash-process-it");
    private final Path dataDir = workDir.resolve("data");
    private final Path brokerLog = workDir.resolve("broker.log");
    /** Ids whose publish the broker confirmed. */
    private final Set<String> confirmed = ConcurrentHashMap.newKeySet();
    /** Ids taken from the dead-letter queue so far, over all cycles. */
    private final Set<String> dead = new HashSet<>();
    private final List<String> problems = new ArrayList<>();
    private final AtomicBoolean killing = new AtomicBoolean();
    private long deadLettered;

    @Test
    void aDeadLetteredPersistentMessageIsInExactlyOneQueueAfterAnySigkill() throws Exception {
        if ("surefire".equals(System.getProperty("warren.test.runner"))) {
            fail("this test runs the packaged jar under failsafe: mvn verify -pl deploy "
                    + "-Dit.test=DeadLetterCrashProcessIT -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false");
        }
        TestFiles.deleteRecursively(workDir);
        Files.createDirectories(dataDir);
        log("seed " + seed + " (rerun with -Dwarren.dlxcrash.seed=" + seed + "), broker log " + brokerLog);
        BrokerProcess broker = null;
        try {
            for (int cycle = 0; cycle <= KILL_CYCLES; cycle++) {
                broker = BrokerProcess.start(dataDir, brokerLog, "cycle " + cycle);
                if (cycle == 0) {
                    declare(broker.port());
                }
                settleAndVerify(broker.port(), cycle);
                if (cycle == KILL_CYCLES) {
                    break;
                }
                publishAndKill(broker, cycle);
                broker = null;
            }
        } finally {
            if (broker != null) {
                broker.killQuietly();
            }
        }
        log(confirmed.size() + " messages confirmed, " + deadLettered + " dead-lettered, over " + KILL_CYCLES + " kills");
        assertTrue(confirmed.size() >= 200, "only " + confirmed.size() + " confirmed messages prove little; seed " + seed);
        TestFiles.deleteRecursively(dataDir);
    }

    private ConnectionFactory factory(int port) {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(port);
        factory.setConnectionTimeout(10_000);
        factory.setChannelRpcTimeout(10_000);
        factory.setShutdownTimeout(1_000);
        factory.setAutomaticRecoveryEnabled(false);
        return factory;
    }

    private void declare(int port) throws Exception {
        try (Connection connection = factory(port).newConnection()) {
            Channel ch = connection.createChannel();
            ch.queueDeclare(DEAD, true, false, false, null);
            int ttl = 50 + random.nextInt(250);
            ch.queueDeclare(EXPIRING, true, false, false, Map.of("x-message-ttl", ttl,
                    "x-dead-letter-exchange", "", "x-dead-letter-routing-key", DEAD));
            ch.queueDeclare(REJECTING, true, false, false, Map.of(
                    "x-dead-letter-exchange", "", "x-dead-letter-routing-key", DEAD));
            log("TTL " + ttl + " ms");
        }
    }

    /**
     * Lets the expiring queue empty itself, rejects what the reject queue holds, drains the dead-letter queue
     * and checks it: each confirmed message arrived exactly once, with the death its source gives.
     */
    private void settleAndVerify(int port, int cycle) throws Exception {
        try (Connection connection = factory(port).newConnection("verify-" + cycle)) {
            Channel ch = connection.createChannel();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_TIMEOUT_MS);
            List<String> drained = new ArrayList<>();
            while (System.nanoTime() < deadline) {
                for (GetResponse r; (r = ch.basicGet(REJECTING, false)) != null; ) {
                    ch.basicReject(r.getEnvelope().getDeliveryTag(), false);
                }
                for (GetResponse r; (r = ch.basicGet(DEAD, true)) != null; ) {
                    drained.add(check(r, cycle));
                }
                boolean sourcesEmpty = ch.messageCount(EXPIRING) == 0 && ch.messageCount(REJECTING) == 0;
                if (sourcesEmpty && allConfirmedDead(drained)) {
                    break;
                }
                Thread.sleep(20);
            }
            for (GetResponse r; (r = ch.basicGet(DEAD, true)) != null; ) {
                drained.add(check(r, cycle)); // anything still arriving
            }
            for (String id : drained) {
                if (!dead.add(id)) {
                    problems.add("cycle " + cycle + ": " + id + " reached the dead-letter queue twice (it was in both queues)");
                }
            }
            deadLettered += drained.size();
            for (String id : confirmed) {
                if (!dead.contains(id)) {
                    problems.add("cycle " + cycle + ": confirmed " + id + " is in no queue (lost)");
                }
            }
            if (ch.messageCount(EXPIRING) + ch.messageCount(REJECTING) != 0) {
                problems.add("cycle " + cycle + ": the sources did not empty within " + SETTLE_TIMEOUT_MS + " ms");
            }
        }
        if (!problems.isEmpty()) {
            Files.writeString(workDir.resolve("failure.txt"), "seed " + seed + "\n" + String.join("\n", problems));
            fail("seed " + seed + " (rerun with -Dwarren.dlxcrash.seed=" + seed + "), " + problems.size() + " problem(s):\n  "
                    + String.join("\n  ", problems.subList(0, Math.min(15, problems.size())))
                    + "\nbroker log " + brokerLog + ", data directory kept in " + dataDir);
        }
    }

    private boolean allConfirmedDead(List<String> drained) {
        for (String id : confirmed) {
            if (!dead.contains(id) && !drained.contains(id)) {
                return false;
            }
        }
        return true;
    }

    /** The id of a dead-lettered message, after checking its death names the queue it came from. */
    private String check(GetResponse r, int cycle) {
        String id = new String(r.getBody(), StandardCharsets.UTF_8);
        Map<String, Object> headers = r.getProps().getHeaders();
        Object deaths = headers == null ? null : headers.get("x-death");
        if (!(deaths instanceof List<?> list) || list.isEmpty() || !(list.get(0) instanceof Map<?, ?> death)) {
            problems.add("cycle " + cycle + ": " + id + " has no x-death: " + headers);
            return id;
        }
        String queue = String.valueOf(death.get("queue"));
        String reason = String.valueOf(death.get("reason"));
        boolean expected = id.startsWith("e") ? queue.equals(EXPIRING) && reason.equals("expired")
                : queue.equals(REJECTING) && reason.equals("rejected");
        if (!expected) {
            problems.add("cycle " + cycle + ": " + id + " died in " + queue + " (" + reason + ")");
        }
        return id;
    }

    /** Publishes into both sources, with a consumer rejecting, and kills the broker at a random moment. */
    private void publishAndKill(BrokerProcess broker, int cycle) throws Exception {
        killing.set(false);
        Connection publisherConnection = factory(broker.port()).newConnection("publisher-" + cycle);
        Connection consumerConnection = factory(broker.port()).newConnection("rejecter-" + cycle);
        Channel consumer = consumerConnection.createChannel();
        consumer.basicQos(20);
        consumer.basicConsume(REJECTING, false, new DefaultConsumer(consumer) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                    throws IOException {
                consumer.basicReject(envelope.getDeliveryTag(), false);
            }
        });
        Channel publisher = publisherConnection.createChannel();
        publisher.confirmSelect();
        Map<Long, String> outstanding = new ConcurrentHashMap<>();
        publisher.addConfirmListener((tag, multiple) -> settle(outstanding, tag, multiple, true),
                (tag, multiple) -> settle(outstanding, tag, multiple, false));
        Thread killer = new Thread(() -> {
            try {
                Thread.sleep(150 + random.nextInt(650));
                killing.set(true);
                broker.kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "killer");
        killer.start();
        AMQP.BasicProperties persistent = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
        try {
            for (int n = 0; !killing.get() && n < 20_000; n++) {
                boolean expiring = n % 2 == 0;
                String id = (expiring ? "e" : "r") + cycle + "-" + n;
                outstanding.put(publisher.getNextPublishSeqNo(), id);
                publisher.basicPublish("", expiring ? EXPIRING : REJECTING, persistent, id.getBytes(StandardCharsets.UTF_8));
                if (outstanding.size() > 200) {
                    publisher.waitForConfirms(10_000);
                }
            }
        } catch (IOException | RuntimeException | java.util.concurrent.TimeoutException e) {
            if (!killing.get()) {
                throw e;
            }
        }
        killer.join(30_000);
        publisherConnection.abort(1_000);
        consumerConnection.abort(1_000);
        if (!killing.get()) {
            broker.kill();
        }
    }

    private void settle(Map<Long, String> outstanding, long tag, boolean multiple, boolean ack) {
        if (multiple) {
            outstanding.keySet().removeIf(seq -> {
                if (seq <= tag) {
                    String id = outstanding.get(seq);
                    if (ack && id != null) {
                        confirmed.add(id);
                    }
                    return true;
                }
                return false;
            });
        } else {
            String id = outstanding.remove(tag);
            if (ack && id != null) {
                confirmed.add(id);
            }
        }
    }

    private static void log(String line) {
        System.out.println("[DeadLetterCrashProcessIT] " + line);
    }
}
