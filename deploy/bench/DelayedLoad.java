import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The delayed-message benchmark of delayed-bench.sh: --messages messages, each with a random x-delay
 * uniform in [--min-delay-ms, --max-delay-ms], published with confirms to an x-delayed-message exchange
 * (x-delayed-type direct, durable unless --transient) bound to one queue, and consumed from that queue with
 * auto-ack. Each body carries its publish time and delay; the consumer records how late (or early) each
 * message arrived against publish time + delay. PerfTest cannot give each message its own delay, hence
 * this client (the RabbitMQ Java client from PerfTest's class path):
 *
 * <pre>java -cp "deploy/bench/.cache/perftest-2.22.1/lib/*" deploy/bench/DelayedLoad.java \
 *     --uri amqp://guest:guest@127.0.0.1:5673 --messages 1000000</pre>
 *
 * Prints one progress line every 5 s, then "published: N msg in S s (R msg/s)", "all delivered after: S s"
 * and the lateness percentiles in ms ("lateness ms p50 / p99 / p99.9 / max") and the count of early ones.
 * The exchange and queue are deleted at the end. Exit status: 0 done, 1 a broker error or missing
 * messages, 2 bad usage.
 */
public final class DelayedLoad {

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>(Map.of(
                "--uri", "amqp://guest:guest@127.0.0.1:5672", "--messages", "1000000", "--min-delay-ms", "1000",
                "--max-delay-ms", "60000", "--size", "64", "--exchange", "delayed-bench", "--queue", "delayed-bench-q",
                "--timeout-s", "600", "--in-flight", "2000"));
        boolean durable = true;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--transient")) {
                durable = false;
            } else if (opts.containsKey(args[i]) && i + 1 < args.length) {
                opts.put(args[i], args[++i]);
            } else {
                System.err.println("usage: DelayedLoad [--uri U] [--messages N] [--min-delay-ms A] [--max-delay-ms B] "
                        + "[--size BYTES] [--in-flight N] [--timeout-s S] [--transient]");
                System.exit(2);
            }
        }
        int messages = Integer.parseInt(opts.get("--messages"));
        int minDelay = Integer.parseInt(opts.get("--min-delay-ms"));
        int maxDelay = Integer.parseInt(opts.get("--max-delay-ms"));
        int size = Math.max(12, Integer.parseInt(opts.get("--size")));
        int inFlight = Integer.parseInt(opts.get("--in-flight"));
        String exchange = opts.get("--exchange");
        String queue = opts.get("--queue");

        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(opts.get("--uri"));
        factory.setAutomaticRecoveryEnabled(false);
        try (Connection consumerSide = factory.newConnection("delayed-consumer");
             Connection publisherSide = factory.newConnection("delayed-publisher")) {
            Channel setup = consumerSide.createChannel();
            setup.exchangeDelete(exchange);
            setup.queueDelete(queue);
            setup.exchangeDeclare(exchange, "x-delayed-message", durable, false, Map.of("x-delayed-type", "direct"));
            setup.queueDeclare(queue, durable, false, false, null);
            setup.queueBind(queue, exchange, "k");

            long[] lateness = new long[messages];
            AtomicInteger received = new AtomicInteger();
            AtomicInteger early = new AtomicInteger();
            CountDownLatch all = new CountDownLatch(1);
            Channel consuming = consumerSide.createChannel();
            consuming.basicConsume(queue, true, new DefaultConsumer(consuming) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                    long now = System.currentTimeMillis();
                    ByteBuffer b = ByteBuffer.wrap(body);
                    long late = now - (b.getLong() + b.getInt());
                    if (late < 0) {
                        early.incrementAndGet();
                    }
                    int n = received.getAndIncrement();
                    if (n < lateness.length) {
                        lateness[n] = late;
                    }
                    if (n + 1 == messages) {
                        all.countDown();
                    }
                }
            });

            Channel publishing = publisherSide.createChannel();
            publishing.confirmSelect();
            SplittableRandom random = new SplittableRandom(7);
            long start = System.nanoTime();
            long lastReport = start;
            for (int i = 0; i < messages; i++) {
                int delay = random.nextInt(minDelay, maxDelay + 1);
                Map<String, Object> headers = new HashMap<>();
                headers.put("x-delay", delay);
                AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().deliveryMode(2).headers(headers).build();
                ByteBuffer body = ByteBuffer.allocate(size);
                body.putLong(System.currentTimeMillis()).putInt(delay);
                publishing.basicPublish(exchange, "k", props, body.array());
                if ((i + 1) % inFlight == 0) {
                    publishing.waitForConfirmsOrDie(60_000); // bounded in-flight publishes
                }
                if (System.nanoTime() - lastReport > 5_000_000_000L) {
                    lastReport = System.nanoTime();
                    System.out.printf("published %d, delivered %d%n", i + 1, received.get());
                }
            }
            publishing.waitForConfirmsOrDie(60_000);
            double publishSeconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("published: %d msg in %.1f s (%.0f msg/s)%n", messages, publishSeconds, messages / publishSeconds);

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(opts.get("--timeout-s")));
            while (!all.await(5, TimeUnit.SECONDS)) {
                System.out.printf("delivered %d of %d%n", received.get(), messages);
                if (System.nanoTime() > deadline) {
                    System.out.printf("FAIL: only %d of %d delivered before the timeout%n", received.get(), messages);
                    System.exit(1);
                }
            }
            System.out.printf("all delivered after: %.1f s%n", (System.nanoTime() - start) / 1e9);
            Arrays.sort(lateness);
            System.out.printf("lateness ms p50 / p99 / p99.9 / max: %d / %d / %d / %d; early: %d%n",
                    lateness[messages / 2], lateness[(int) (messages * 0.99)], lateness[(int) (messages * 0.999)],
                    lateness[messages - 1], early.get());
            setup.exchangeDelete(exchange);
            setup.queueDelete(queue);
        }
    }
}
