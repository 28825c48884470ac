import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The idle-queues part of run-bench.sh: what many idle queues cost a broker in memory. A single-file program run
 * with the RabbitMQ Java client from PerfTest's class path:
 *
 * <pre>java -cp "deploy/bench/.cache/perftest-2.22.1/lib/*" deploy/bench/IdleQueues.java \
 *     --port 5672 --queues 100000 --threads 4 --broker-pid 1234 [--settle-seconds 10]</pre>
 *
 * --threads channels (one connection) declare --queues classic queues named idle-T-N (not durable, not
 * exclusive, not auto-delete), with no messages and no consumers; then after --settle-seconds the broker's
 * RSS is read again; then the queues are deleted. Prints {@code RESULT phase=declare queues=N seconds=S
 * rate=R}, {@code RESULT phase=delete ...}, and with --broker-pid {@code RSS before_kib=.. declared_kib=..
 * after_delete_kib=.. per_queue_bytes=..}. Exit status: 0 done, 1 a declare failed, 2 bad usage.
 */
public final class IdleQueues {
    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>(Map.of(
                "--host", "127.0.0.1", "--port", "5672", "--queues", "100000", "--threads", "4",
                "--broker-pid", "0", "--settle-seconds", "10", "--user", "guest", "--pass", "guest"));
        for (int i = 0; i < args.length; i += 2) {
            if (!opts.containsKey(args[i]) || i + 1 >= args.length) {
                System.err.println("usage: IdleQueues " + opts.keySet() + " (each with a value)");
                System.exit(2);
            }
            opts.put(args[i], args[i + 1]);
        }
        int total = Integer.parseInt(opts.get("--queues"));
        int threads = Integer.parseInt(opts.get("--threads"));
        long pid = Long.parseLong(opts.get("--broker-pid"));
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(opts.get("--host"));
        factory.setPort(Integer.parseInt(opts.get("--port")));
        factory.setUsername(opts.get("--user"));
        factory.setPassword(opts.get("--pass"));
        factory.setAutomaticRecoveryEnabled(false);
        factory.setChannelRpcTimeout(120_000);

        long rssBefore = rssKib(pid);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (Connection connection = factory.newConnection("idle-queues")) {
            long t0 = System.nanoTime();
            each(pool, threads, connection, (channel, t) -> {
                for (int n = t; n < total; n += threads) {
                    channel.queueDeclare("idle-" + n, false, false, false, null);
                }
            });
            double declareSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("RESULT phase=declare queues=%d seconds=%.2f rate=%.1f%n", total, declareSeconds,
                    total / declareSeconds);
            Thread.sleep(Long.parseLong(opts.get("--settle-seconds")) * 1000);
            long rssDeclared = rssKib(pid);
            long t1 = System.nanoTime();
            each(pool, threads, connection, (channel, t) -> {
                for (int n = t; n < total; n += threads) {
                    channel.queueDelete("idle-" + n);
                }
            });
            double deleteSeconds = (System.nanoTime() - t1) / 1e9;
            System.out.printf("RESULT phase=delete queues=%d seconds=%.2f rate=%.1f%n", total, deleteSeconds,
                    total / deleteSeconds);
            if (pid > 0) {
                Thread.sleep(5000);
                System.out.printf("RSS before_kib=%d declared_kib=%d after_delete_kib=%d per_queue_bytes=%d%n", rssBefore,
                        rssDeclared, rssKib(pid), (rssDeclared - rssBefore) * 1024 / total);
            }
        } finally {
            pool.shutdown();
        }
    }

    interface ChannelWork {
        void run(Channel channel, int thread) throws Exception;
    }

    /** Runs {@code work} on {@code threads} threads, each with its own channel of {@code connection}. */
    private static void each(ExecutorService pool, int threads, Connection connection, ChannelWork work) throws Exception {
        List<Future<?>> running = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            int t = i;
            running.add(pool.submit(() -> {
                try (Channel channel = connection.createChannel()) {
                    work.run(channel, t);
                }
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get();
        }
    }

    /** VmRSS of the process in KiB, or 0 without a pid. */
    private static long rssKib(long pid) throws Exception {
        if (pid <= 0) {
            return 0;
        }
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }
}
