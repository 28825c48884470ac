import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.MessageProperties;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The checker of the cluster chaos run (chaos-run.sh): publishes numbered persistent messages with confirms into
 * one replicated queue through the nodes of a cluster, consumes them with manual acks through another node, and
 * afterwards says whether every confirmed message was consumed. Both sides reconnect to the next node whenever
 * their connection fails (a killed or paused node: heartbeats of 5 s find a paused one). Each number is published
 * at most once, so a message published when its connection failed, before its confirm came, is "unknown": it may
 * or may not be in the queue, and either is correct. A single-file program run with the RabbitMQ Java client
 * from PerfTest's class path:
 *
 * <pre>java -cp "deploy/bench/.cache/perftest-2.22.1/lib/*" deploy/bench/QueueChecker.java \
 *     --ports 5701,5702,5703 --queue chaos --messages 5000 --rate 100 [--queue-type quorum] [--drain-seconds 120]</pre>
 *
 * The nodes are {@code --host} (127.0.0.1) at each of {@code --ports}; an entry {@code HOST:PORT} names its own host
 * (nodes in network namespaces, each with its address).
 *
 * Prints one {@code EVENT} line per reconnect and, at the end, {@code RESULT published=.. confirmed=.. nacked=..
 * unknown=.. received=.. distinct=.. lost=.. duplicates=.. duplicates_not_redelivered=.. unexpected=..
 * longest_confirm_gap_ms=..} and {@code VERDICT ok} or {@code VERDICT FAILED (...)}. Lost means confirmed and
 * never consumed; a duplicate is fine when it came with {@code redelivered} set. Exit status: 0 ok, 1 failed,
 * 2 bad usage.
 */
public final class QueueChecker {
    private static final int HEARTBEAT_SECONDS = 5;
    private static final int IN_FLIGHT = 200;

    /** Each node's AMQP address, in the order the checker tries them. */
    private final String[] hosts;
    private final int[] ports;
    private final String queue;
    private final int messages;
    private final int rate;
    private final String queueType;

    private final BitSet published = new BitSet();
    private final BitSet confirmed = new BitSet();
    private final BitSet nacked = new BitSet();
    private final BitSet unknown = new BitSet();
    private final BitSet received = new BitSet();
    private final AtomicInteger deliveries = new AtomicInteger();
    private final AtomicInteger duplicates = new AtomicInteger();
    private final AtomicInteger duplicatesNotRedelivered = new AtomicInteger();
    private final AtomicInteger unexpected = new AtomicInteger();
    private final AtomicLong lastConfirmNanos = new AtomicLong(System.nanoTime());
    private final AtomicLong longestConfirmGapNanos = new AtomicLong();
    private final AtomicLong lastDeliveryNanos = new AtomicLong(System.nanoTime());
    private volatile boolean publishing = true;

    QueueChecker(String[] hosts, int[] ports, String queue, int messages, int rate, String queueType) {
        this.hosts = hosts;
        this.ports = ports;
        this.queue = queue;
        this.messages = messages;
        this.rate = rate;
        this.queueType = queueType;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>(Map.of("--host", "127.0.0.1", "--ports", "5672",
                "--queue", "chaos", "--messages", "5000", "--rate", "100", "--queue-type", "quorum",
                "--drain-seconds", "120"));
        for (int i = 0; i < args.length; i += 2) {
            if (!opts.containsKey(args[i]) || i + 1 >= args.length) {
                System.err.println("usage: QueueChecker " + opts.keySet() + " (each with a value)");
                System.exit(2);
            }
            opts.put(args[i], args[i + 1]);
        }
        String[] portList = opts.get("--ports").split(",");
        int[] ports = new int[portList.length];
        String[] hosts = new String[portList.length];
        for (int i = 0; i < ports.length; i++) {
            String entry = portList[i].trim();
            int colon = entry.lastIndexOf(':');
            hosts[i] = colon < 0 ? opts.get("--host") : entry.substring(0, colon);
            ports[i] = Integer.parseInt(entry.substring(colon + 1));
        }
        QueueChecker checker = new QueueChecker(hosts, ports, opts.get("--queue"),
                Integer.parseInt(opts.get("--messages")), Integer.parseInt(opts.get("--rate")), opts.get("--queue-type"));
        System.exit(checker.run(Integer.parseInt(opts.get("--drain-seconds"))) ? 0 : 1);
    }

    boolean run(int drainSeconds) throws Exception {
        declare();
        Thread consumer = new Thread(this::consumeLoop, "checker-consumer");
        consumer.setDaemon(true);
        consumer.start();
        publishLoop();
        publishing = false;
        event("published all; draining");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(drainSeconds);
        // Done when every confirmed message came, or nothing came for 20 s once the publisher stopped.
        while (System.nanoTime() < deadline) {
            boolean allConfirmedReceived;
            synchronized (this) {
                BitSet missing = (BitSet) confirmed.clone();
                missing.andNot(received);
                allConfirmedReceived = missing.isEmpty();
            }
            if (allConfirmedReceived
                    && System.nanoTime() - lastDeliveryNanos.get() > TimeUnit.SECONDS.toNanos(5)) {
                break;
            }
            if (System.nanoTime() - lastDeliveryNanos.get() > TimeUnit.SECONDS.toNanos(20)) {
                break;
            }
            Thread.sleep(200);
        }
        return report();
    }

    private void declare() throws Exception {
        for (int attempt = 0; ; attempt++) {
            try (Connection c = factory(attempt % ports.length).newConnection("checker-declare")) {
                Channel ch = c.createChannel();
                Map<String, Object> arguments = queueType.isEmpty() ? Map.of() : Map.of("x-queue-type", queueType);
                ch.queueDeclare(queue, true, false, false, arguments);
                return;
            } catch (Exception e) {
                if (attempt > 30) {
                    throw e;
                }
                event("declare failed on " + address(attempt % ports.length) + ": " + e);
                Thread.sleep(1000);
            }
        }
    }

    private void publishLoop() throws InterruptedException {
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) / Math.max(1, rate);
        long next = System.nanoTime();
        int node = 0;
        int id = 0;
        while (id < messages) {
            Connection connection = null;
            ConcurrentSkipListMap<Long, Integer> outstanding = new ConcurrentSkipListMap<>();
            Semaphore window = new Semaphore(IN_FLIGHT);
            try {
                connection = factory(node % ports.length).newConnection("checker-publisher");
                Channel channel = connection.createChannel();
                channel.confirmSelect();
                channel.addConfirmListener((seq, multiple) -> settle(outstanding, window, seq, multiple, true),
                        (seq, multiple) -> settle(outstanding, window, seq, multiple, false));
                event("publisher connected to " + address(node % ports.length));
                while (id < messages) {
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    next += intervalNanos;
                    while (!window.tryAcquire(1, TimeUnit.SECONDS)) {
                        if (!connection.isOpen()) {
                            throw new IllegalStateException("connection closed while waiting for confirms");
                        }
                    }
                    long seq = channel.getNextPublishSeqNo();
                    outstanding.put(seq, id);
                    synchronized (this) {
                        published.set(id);
                    }
                    id++;
                    channel.basicPublish("", queue, MessageProperties.PERSISTENT_BASIC,
                            Integer.toString(id - 1).getBytes(StandardCharsets.US_ASCII));
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!outstanding.isEmpty() && connection.isOpen() && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                if (!outstanding.isEmpty()) {
                    throw new IllegalStateException("confirms still outstanding at the end");
                }
            } catch (Exception e) {
                event("publisher lost " + address(node % ports.length) + " (" + e.getClass().getSimpleName() + ": "
                        + e.getMessage() + "); " + outstanding.size() + " unconfirmed become unknown");
                node++;
                next = System.nanoTime();
                Thread.sleep(500);
            } finally {
                synchronized (this) {
                    outstanding.values().forEach(unknown::set);
                    outstanding.clear();
                }
                closeQuietly(connection);
            }
        }
    }

    private void settle(ConcurrentSkipListMap<Long, Integer> outstanding, Semaphore window, long seq, boolean multiple,
                        boolean ack) {
        Map<Long, Integer> done = multiple ? outstanding.headMap(seq, true) : outstanding.subMap(seq, true, seq, true);
        List<Integer> ids = new ArrayList<>(done.values());
        done.clear();
        synchronized (this) {
            for (int id : ids) {
                (ack ? confirmed : nacked).set(id);
            }
        }
        window.release(ids.size());
        long now = System.nanoTime();
        long gap = now - lastConfirmNanos.getAndSet(now);
        longestConfirmGapNanos.accumulateAndGet(gap, Math::max);
    }

    private void consumeLoop() {
        int node = 1;
        while (true) {
            Connection connection = null;
            try {
                connection = factory(node % ports.length).newConnection("checker-consumer");
                Channel channel = connection.createChannel();
                channel.basicQos(50);
                channel.basicConsume(queue, false, new DefaultConsumer(channel) {
                    @Override
                    public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties,
                                               byte[] body) throws java.io.IOException {
                        received(new String(body, StandardCharsets.US_ASCII), envelope.isRedeliver());
                        getChannel().basicAck(envelope.getDeliveryTag(), false);
                    }
                });
                event("consumer connected to " + address(node % ports.length));
                while (connection.isOpen()) {
                    Thread.sleep(200);
                }
                throw new IllegalStateException("connection closed: " + connection.getCloseReason());
            } catch (Exception e) {
                event("consumer lost " + address(node % ports.length) + " (" + e.getClass().getSimpleName() + ": "
                        + e.getMessage() + ")");
                closeQuietly(connection);
                node++;
                try {
                    Thread.sleep(500);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    private synchronized void received(String body, boolean redelivered) {
        lastDeliveryNanos.set(System.nanoTime());
        deliveries.incrementAndGet();
        int id;
        try {
            id = Integer.parseInt(body);
        } catch (NumberFormatException e) {
            unexpected.incrementAndGet();
            return;
        }
        if (!published.get(id)) {
            unexpected.incrementAndGet();
            return;
        }
        if (received.get(id)) {
            duplicates.incrementAndGet();
            if (!redelivered) {
                duplicatesNotRedelivered.incrementAndGet();
            }
        }
        received.set(id);
    }

    private synchronized boolean report() {
        BitSet lost = (BitSet) confirmed.clone();
        lost.andNot(received);
        BitSet nackedButReceived = (BitSet) nacked.clone();
        nackedButReceived.and(received);
        System.out.printf("RESULT published=%d confirmed=%d nacked=%d unknown=%d received=%d distinct=%d lost=%d "
                        + "duplicates=%d duplicates_not_redelivered=%d unexpected=%d nacked_but_received=%d "
                        + "longest_confirm_gap_ms=%d%n",
                published.cardinality(), confirmed.cardinality(), nacked.cardinality(), unknown.cardinality(),
                deliveries.get(), received.cardinality(), lost.cardinality(), duplicates.get(),
                duplicatesNotRedelivered.get(), unexpected.get(), nackedButReceived.cardinality(),
                TimeUnit.NANOSECONDS.toMillis(longestConfirmGapNanos.get()));
        List<String> failures = new ArrayList<>();
        if (!lost.isEmpty()) {
            failures.add("lost " + lost.cardinality() + ", first " + lost.stream().limit(10).boxed().toList());
        }
        if (duplicatesNotRedelivered.get() > 0) {
            failures.add(duplicatesNotRedelivered.get() + " duplicates without redelivered");
        }
        if (unexpected.get() > 0) {
            failures.add(unexpected.get() + " unexpected messages");
        }
        if (confirmed.isEmpty()) {
            failures.add("nothing confirmed");
        }
        System.out.println(failures.isEmpty() ? "VERDICT ok" : "VERDICT FAILED (" + String.join("; ", failures) + ")");
        return failures.isEmpty();
    }

    private String address(int node) {
        return hosts[node] + ":" + ports[node];
    }

    private ConnectionFactory factory(int node) {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(hosts[node]);
        factory.setPort(ports[node]);
        factory.setAutomaticRecoveryEnabled(false);
        factory.setRequestedHeartbeat(HEARTBEAT_SECONDS);
        factory.setConnectionTimeout(5_000);
        factory.setHandshakeTimeout(10_000);
        factory.setShutdownTimeout(0);
        return factory;
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.abort(2_000);
            } catch (RuntimeException ignored) {
                // already gone
            }
        }
    }

    private static void event(String what) {
        System.out.println("EVENT " + LocalTime.now() + " " + what);
    }
}
