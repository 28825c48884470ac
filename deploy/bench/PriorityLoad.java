import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The priority-random scenario of run-bench.sh: one producer, one consumer, a queue with x-max-priority,
 * every message with a random priority from 0 to the maximum. PerfTest cannot do this (its
 * --message-properties gives every message the same priority), so this small client does, with the
 * RabbitMQ Java client from PerfTest's class path:
 *
 * <pre>java -cp "deploy/bench/.cache/perftest-2.22.1/lib/*" deploy/bench/PriorityLoad.java \
 *     --uri amqp://guest:guest@127.0.0.1:5673 --queue q --seconds 30</pre>
 *
 * The producer publishes as fast as the broker takes it (no confirms, like PerfTest without -c); the
 * consumer, on its own connection, has a prefetch of --qos and acks with multiple=true every
 * --multi-ack messages (as PerfTest's --qos 1000 --multi-ack-every 100). It prints one progress line a
 * second and, at the end, "sending rate avg: N msg/s" and "receiving rate avg: N msg/s" in PerfTest's
 * words, so run-bench.sh reads them as it reads PerfTest's summary; no latency is measured. It also
 * counts deliveries whose priority is higher than the one before ("inversions"): with a backlog these
 * are rare; without one they are normal, since the queue can only sort what it holds.
 *
 * The queue is declared non-durable and deleted at the end. Exit status: 0 done, 1 a broker error,
 * 2 bad usage.
 */
public final class PriorityLoad {

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>(Map.of(
                "--uri", "amqp://guest:guest@127.0.0.1:5672", "--queue", "q-priority-random",
                "--seconds", "30", "--max-priority", "10", "--size", "16", "--qos", "1000", "--multi-ack", "100"));
        for (int i = 0; i < args.length; i += 2) {
            if (!opts.containsKey(args[i]) || i + 1 >= args.length) {
                System.err.println("usage: PriorityLoad.java [" + String.join(" V] [", opts.keySet()) + " V]");
                System.exit(2);
            }
            opts.put(args[i], args[i + 1]);
        }
        String queue = opts.get("--queue");
        int seconds = Integer.parseInt(opts.get("--seconds"));
        int maxPriority = Integer.parseInt(opts.get("--max-priority"));
        byte[] body = new byte[Integer.parseInt(opts.get("--size"))];
        int qos = Integer.parseInt(opts.get("--qos"));
        int multiAck = Integer.parseInt(opts.get("--multi-ack"));

        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(opts.get("--uri"));
        factory.setConnectionTimeout(10_000);
        factory.setHandshakeTimeout(10_000);
        factory.setAutomaticRecoveryEnabled(false);
        try (Connection consumerConnection = factory.newConnection("priority-load-consumer");
                Connection producerConnection = factory.newConnection("priority-load-producer")) {
            Channel consumerChannel = consumerConnection.createChannel();
            consumerChannel.queueDeclare(queue, false, false, false, Map.of("x-max-priority", maxPriority));
            consumerChannel.basicQos(qos);
            AtomicLong received = new AtomicLong();
            AtomicLong inversions = new AtomicLong();
            AtomicBoolean measuring = new AtomicBoolean(true);
            consumerChannel.basicConsume(queue, false, new DefaultConsumer(consumerChannel) {
                private long unacked;
                private int lastPriority = Integer.MAX_VALUE;

                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties,
                        byte[] messageBody) throws java.io.IOException {
                    if (measuring.get()) {
                        received.incrementAndGet();
                        int priority = properties.getPriority() == null ? 0 : properties.getPriority();
                        if (priority > lastPriority) {
                            inversions.incrementAndGet();
                        }
                        lastPriority = priority;
                    }
                    if (++unacked >= multiAck) {
                        getChannel().basicAck(envelope.getDeliveryTag(), true);
                        unacked = 0;
                    }
                }
            });

            Channel producerChannel = producerConnection.createChannel();
            AMQP.BasicProperties[] byPriority = new AMQP.BasicProperties[maxPriority + 1];
            for (int p = 0; p <= maxPriority; p++) {
                byPriority[p] = new AMQP.BasicProperties.Builder().priority(p).build();
            }
            SplittableRandom random = new SplittableRandom();
            long sent = 0;
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(seconds);
            long nextReport = start + TimeUnit.SECONDS.toNanos(1);
            long sentAtReport = 0;
            long receivedAtReport = 0;
            long now;
            while ((now = System.nanoTime()) < end) {
                // the clock is read every 64 messages only; a publish takes well under a microsecond
                for (int i = 0; i < 64; i++) {
                    producerChannel.basicPublish("", queue, byPriority[random.nextInt(maxPriority + 1)], body);
                }
                sent += 64;
                if (now >= nextReport) {
                    long r = received.get();
                    System.out.printf("%ds: sent %d msg/s, received %d msg/s%n",
                            TimeUnit.NANOSECONDS.toSeconds(now - start), sent - sentAtReport, r - receivedAtReport);
                    sentAtReport = sent;
                    receivedAtReport = r;
                    nextReport += TimeUnit.SECONDS.toNanos(1);
                }
            }
            measuring.set(false);
            double elapsed = (System.nanoTime() - start) / 1e9;
            long got = received.get();
            System.out.printf("id: priority-random, max priority %d, %d s, sending rate avg: %d msg/s%n",
                    maxPriority, seconds, Math.round(sent / elapsed));
            System.out.printf("id: priority-random, max priority %d, %d s, receiving rate avg: %d msg/s%n",
                    maxPriority, seconds, Math.round(got / elapsed));
            System.out.printf("sent %d, received %d while measuring, priority inversions %d%n", sent, got,
                    inversions.get());
            producerChannel.queueDelete(queue);
        }
    }
}
