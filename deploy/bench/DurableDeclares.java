import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What durable declares cost as the definitions grow (issue 16): one connection, one channel, --queues durable
 * queues declared one after another (each waits for its declare-ok, which waits for the definitions to be on
 * disk). A single-file program run with the RabbitMQ Java client from PerfTest's class path:
 *
 * <pre>java -cp "deploy/bench/.cache/perftest-2.22.1/lib/*" deploy/bench/DurableDeclares.java \
 *     --port 5672 --queues 10000 --broker-pid 1234 [--prefix dur] [--delete true]</pre>
 *
 * Prints {@code STEP declared=N rate=R} for every tenth of the run (the rate of that tenth), then
 * {@code RESULT phase=declare queues=N seconds=S rate=R}, with --broker-pid {@code RSS before_kib=..
 * after_kib=.. growth_kib=..} (VmRSS of the broker), and with --delete true the same for deleting them.
 * Exit status: 0 done, 1 a declare failed, 2 bad usage.
 */
public final class DurableDeclares {
    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>(Map.of(
                "--host", "127.0.0.1", "--port", "5672", "--queues", "10000", "--prefix", "dur",
                "--broker-pid", "0", "--delete", "false", "--user", "guest", "--pass", "guest"));
        for (int i = 0; i < args.length; i += 2) {
            if (!opts.containsKey(args[i]) || i + 1 >= args.length) {
                System.err.println("usage: DurableDeclares " + opts.keySet() + " (each with a value)");
                System.exit(2);
            }
            opts.put(args[i], args[i + 1]);
        }
        int total = Integer.parseInt(opts.get("--queues"));
        String prefix = opts.get("--prefix");
        long pid = Long.parseLong(opts.get("--broker-pid"));
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(opts.get("--host"));
        factory.setPort(Integer.parseInt(opts.get("--port")));
        factory.setUsername(opts.get("--user"));
        factory.setPassword(opts.get("--pass"));
        factory.setAutomaticRecoveryEnabled(false);
        factory.setChannelRpcTimeout(120_000);

        long rssBefore = rssKib(pid);
        try (Connection connection = factory.newConnection("durable-declares");
             Channel channel = connection.createChannel()) {
            int step = Math.max(1, total / 10);
            long t0 = System.nanoTime();
            long stepStart = t0;
            for (int n = 0; n < total; n++) {
                channel.queueDeclare(prefix + "-" + n, true, false, false, null);
                if ((n + 1) % step == 0) {
                    long now = System.nanoTime();
                    System.out.printf("STEP declared=%d rate=%.1f rss_kib=%d%n", n + 1, step / ((now - stepStart) / 1e9),
                            rssKib(pid));
                    stepStart = now;
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("RESULT phase=declare queues=%d seconds=%.2f rate=%.1f%n", total, seconds, total / seconds);
            long rssDeclared = rssKib(pid);
            if (pid > 0) {
                System.out.printf("RSS before_kib=%d after_kib=%d growth_kib=%d%n", rssBefore, rssDeclared,
                        rssDeclared - rssBefore);
            }
            if (Boolean.parseBoolean(opts.get("--delete"))) {
                long t1 = System.nanoTime();
                for (int n = 0; n < total; n++) {
                    channel.queueDelete(prefix + "-" + n);
                }
                double deleteSeconds = (System.nanoTime() - t1) / 1e9;
                System.out.printf("RESULT phase=delete queues=%d seconds=%.2f rate=%.1f%n", total, deleteSeconds,
                        total / deleteSeconds);
                if (pid > 0) {
                    System.out.printf("RSS after_delete_kib=%d%n", rssKib(pid));
                }
            }
        } catch (java.io.IOException e) {
            System.err.println("a declare failed: " + e);
            System.exit(1);
        }
    }

    /** VmRSS of a process in KiB (0 without a pid or on a system without /proc). */
    private static long rssKib(long pid) {
        if (pid <= 0) {
            return 0;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception e) {
            // the broker is gone or this is not Linux
        }
        return 0;
    }
}
