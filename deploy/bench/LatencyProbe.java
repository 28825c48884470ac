import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Publish-to-delivery latency at a fixed rate, with the tail PerfTest does not print (p99.9, max). A single-file
 * program run with the RabbitMQ Java client and HdrHistogram from PerfTest's class path:
 *
 * <pre>java -cp "deploy/bench/.cache/perftest-2.22.1/lib/*" deploy/bench/LatencyProbe.java \
 *     --port 5672 [--rate 10000] [--seconds 30] [--warmup 10] [--size 16]</pre>
 *
 * One publishing and one consuming connection (as PerfTest's -x 1 -y 1), a server-named exclusive queue, auto-ack.
 * Each body starts with System.nanoTime() taken just before basic.publish; both ends are in this JVM, so the
 * difference is the time through the broker and both sockets. Publishes are paced on a schedule (a late
 * publisher catches up at once, as PerfTest's rate limiter does). The first --warmup seconds are not recorded.
 * Prints {@code RESULT rate=.. sent=.. received=.. p50_us=.. p90_us=.. p99_us=.. p999_us=.. max_us=..}.
 */
public final class LatencyProbe {
    public static void main(String[] args) throws Exception {
        int port = 5672;
        int rate = 10_000;
        int seconds = 30;
        int warmup = 10;
        int size = 16;
        for (int i = 0; i + 1 < args.length; i += 2) {
            int value = Integer.parseInt(args[i + 1]);
            switch (args[i]) {
                case "--port" -> port = value;
                case "--rate" -> rate = value;
                case "--seconds" -> seconds = value;
                case "--warmup" -> warmup = value;
                case "--size" -> size = value;
                default -> {
                    System.err.println("unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        ConnectionFactory factory = new ConnectionFactory();
        factory.setPort(port);
        factory.setAutomaticRecoveryEnabled(false);
        Histogram histogram = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        long recordFrom = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmup);
        try (Connection consuming = factory.newConnection("latency-consumer");
             Connection publishing = factory.newConnection("latency-publisher")) {
            Channel in = consuming.createChannel();
            String queue = in.queueDeclare("", false, true, true, null).getQueue();
            in.basicConsume(queue, true, new DefaultConsumer(in) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                    long sentAt = ByteBuffer.wrap(body).getLong();
                    if (sentAt >= recordFrom) {
                        synchronized (histogram) {
                            histogram.recordValue(Math.max(0, (System.nanoTime() - sentAt) / 1_000));
                        }
                    }
                }
            });
            Channel out = publishing.createChannel();
            byte[] body = new byte[Math.max(8, size)];
            long interval = 1_000_000_000L / rate;
            long start = System.nanoTime();
            long end = recordFrom + TimeUnit.SECONDS.toNanos(seconds);
            long sent = 0;
            for (long next = start; next < end; next += interval) {
                long now;
                while ((now = System.nanoTime()) < next) {
                    LockSupport.parkNanos(next - now);
                }
                ByteBuffer.wrap(body).putLong(System.nanoTime());
                out.basicPublish("", queue, null, body);
                if (next >= recordFrom) {
                    sent++;
                }
            }
            long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < drainUntil) {
                synchronized (histogram) {
                    if (histogram.getTotalCount() >= sent) {
                        break;
                    }
                }
                Thread.sleep(10);
            }
            synchronized (histogram) {
                System.out.printf("RESULT rate=%d sent=%d received=%d p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d%n",
                    rate, sent, histogram.getTotalCount(), histogram.getValueAtPercentile(50),
                    histogram.getValueAtPercentile(90), histogram.getValueAtPercentile(99),
                    histogram.getValueAtPercentile(99.9), histogram.getMaxValue());
            }
        }
    }
}
