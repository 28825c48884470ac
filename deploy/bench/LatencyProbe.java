import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Publish-to-delivery latency at a fixed rate, with the tail PerfTest does not print (p99.9, max). A single-file
 * program run with the RabbitMQ Java client and HdrHistogram from PerfTest's class path:
 *
 * <pre>java -cp "deploy/bench/.cache/perftest-2.22.1/lib/*" deploy/bench/LatencyProbe.java \
 *     --port 5672 [--port 5673] [--rate 10000] [--seconds 30] [--warmup 10] [--size 16] [--slice 10]</pre>
 *
 * Per broker, one publishing and one consuming connection (as PerfTest's -x 1 -y 1), a server-named exclusive
 * queue, auto-ack. Each body starts with System.nanoTime() taken just before basic.publish; both ends are in this
 * JVM, so the difference is the time through the broker and both sockets. Publishes are paced on a schedule (a late
 * publisher catches up at once, as PerfTest's rate limiter does). The first --warmup seconds are not recorded.
 *
 * <p>With several {@code --port}s the brokers are measured interleaved, so that they share the machine's noise (a
 * neighbour's load, this JVM's own collections and compilations) instead of each having a stretch of time to
 * itself: each broker gets its warm-up in turn, then the measured {@code --seconds} of each are cut into slices of
 * {@code --slice} seconds taken round-robin, one broker at a time. Each prints
 * {@code RESULT port=.. rate=.. sent=.. received=.. p50_us=.. p90_us=.. p99_us=.. p999_us=.. max_us=..} over all its
 * slices, then one {@code SLICE} line per slice; with two brokers, {@code ROUNDS} counts the rounds in which the
 * first one's p99.9 was no higher than the second's. With one port the output is the RESULT line without port.
 */
public final class LatencyProbe {
    /** Body offset of the slice a message was sent in, -1 during the warm-up. */
    private static final int SLICE_OFFSET = 8;
    private static final int MIN_SIZE = SLICE_OFFSET + 4;

    /** One broker under test: its two connections, its queue and what its consumer recorded. */
    private record Target(int port, Connection consuming, Connection publishing, Channel out, String queue,
                          Histogram total) {
    }

    /** A stretch of one target's measured time and the latencies of the messages sent in it. */
    private record Slice(Target target, Histogram latencies, long[] sent) {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> ports = new ArrayList<>();
        int rate = 10_000;
        int seconds = 30;
        int warmup = 10;
        int size = 16;
        int sliceSeconds = 10;
        for (int i = 0; i + 1 < args.length; i += 2) {
            int value = Integer.parseInt(args[i + 1]);
            switch (args[i]) {
                case "--port" -> ports.add(value);
                case "--rate" -> rate = value;
                case "--seconds" -> seconds = value;
                case "--warmup" -> warmup = value;
                case "--size" -> size = value;
                case "--slice" -> sliceSeconds = value;
                default -> {
                    System.err.println("unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        if (ports.isEmpty()) {
            ports.add(5672);
        }
        boolean interleaved = ports.size() > 1;
        int slicesEach = interleaved ? Math.max(1, (seconds + sliceSeconds - 1) / sliceSeconds) : 1;
        List<Slice> slices = new ArrayList<>();
        List<Target> targets = new ArrayList<>();
        try {
            for (int port : ports) {
                targets.add(connect(port, slices));
            }
            byte[] body = new byte[Math.max(MIN_SIZE, size)];
            long interval = 1_000_000_000L / rate;
            for (Target target : targets) {
                publish(target, body, interval, TimeUnit.SECONDS.toNanos(warmup), -1, null);
            }
            long measured = TimeUnit.SECONDS.toNanos(seconds);
            for (int round = 0; round < slicesEach; round++) {
                for (Target target : targets) {
                    Slice slice = new Slice(target, newHistogram(), new long[1]);
                    int index;
                    synchronized (slices) {
                        slices.add(slice);
                        index = slices.size() - 1;
                    }
                    publish(target, body, interval, measured / slicesEach, index, slice.sent());
                }
            }
            awaitDeliveries(slices);
            synchronized (slices) {
                report(targets, slices, rate, interleaved);
            }
        } finally {
            for (Target target : targets) {
                target.publishing().close();
                target.consuming().close();
            }
        }
    }

    private static Histogram newHistogram() {
        return new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    }

    private static Target connect(int port, List<Slice> slices) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setPort(port);
        factory.setAutomaticRecoveryEnabled(false);
        Connection consuming = factory.newConnection("latency-consumer");
        Connection publishing = factory.newConnection("latency-publisher");
        Channel in = consuming.createChannel();
        String queue = in.queueDeclare("", false, true, true, null).getQueue();
        Histogram total = newHistogram();
        in.basicConsume(queue, true, new DefaultConsumer(in) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                long latency = Math.max(0, (System.nanoTime() - ByteBuffer.wrap(body).getLong()) / 1_000);
                int slice = ByteBuffer.wrap(body).getInt(SLICE_OFFSET);
                if (slice >= 0) {
                    synchronized (slices) {
                        slices.get(slice).latencies().recordValue(latency);
                        total.recordValue(latency);
                    }
                }
            }
        });
        return new Target(port, consuming, publishing, publishing.createChannel(), queue, total);
    }

    /** Publishes to one target at the rate for {@code nanos}, marking each body with the slice (-1: not recorded). */
    private static void publish(Target target, byte[] body, long interval, long nanos, int slice, long[] sent)
            throws Exception {
        ByteBuffer.wrap(body).putInt(SLICE_OFFSET, slice);
        long start = System.nanoTime();
        for (long next = start; next < start + nanos; next += interval) {
            long now;
            while ((now = System.nanoTime()) < next) {
                LockSupport.parkNanos(next - now);
            }
            ByteBuffer.wrap(body).putLong(0, System.nanoTime());
            target.out().basicPublish("", target.queue(), null, body);
            if (sent != null) {
                sent[0]++;
            }
        }
    }

    /** Waits up to 10 s for every recorded message to arrive. */
    private static void awaitDeliveries(List<Slice> slices) throws InterruptedException {
        long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < drainUntil) {
            synchronized (slices) {
                if (slices.stream().allMatch(s -> s.latencies().getTotalCount() >= s.sent()[0])) {
                    return;
                }
            }
            Thread.sleep(10);
        }
    }

    private static void report(List<Target> targets, List<Slice> slices, int rate, boolean interleaved) {
        for (Target target : targets) {
            long sent = slices.stream().filter(s -> s.target() == target).mapToLong(s -> s.sent()[0]).sum();
            Histogram h = target.total();
            System.out.printf("RESULT %srate=%d sent=%d received=%d p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d%n",
                interleaved ? "port=" + target.port() + " " : "", rate, sent, h.getTotalCount(),
                h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(99),
                h.getValueAtPercentile(99.9), h.getMaxValue());
        }
        if (!interleaved) {
            return;
        }
        for (int i = 0; i < slices.size(); i++) {
            Histogram h = slices.get(i).latencies();
            System.out.printf("SLICE %d port=%d received=%d p99_us=%d p999_us=%d max_us=%d%n", i,
                slices.get(i).target().port(), h.getTotalCount(), h.getValueAtPercentile(99),
                h.getValueAtPercentile(99.9), h.getMaxValue());
        }
        if (targets.size() == 2) {
            int rounds = slices.size() / 2;
            int firstNoHigher = 0;
            for (int round = 0; round < rounds; round++) {
                firstNoHigher += slices.get(2 * round).latencies().getValueAtPercentile(99.9)
                        <= slices.get(2 * round + 1).latencies().getValueAtPercentile(99.9) ? 1 : 0;
            }
            System.out.printf("ROUNDS port=%d p999 no higher than port=%d's in %d of %d rounds%n",
                targets.get(0).port(), targets.get(1).port(), firstNoHigher, rounds);
        }
    }
}
