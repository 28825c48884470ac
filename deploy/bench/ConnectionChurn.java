import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The connection part of overload-bench.sh: how fast a broker opens and closes many AMQP connections, and what
 * they cost it in memory. A single-file program run with the RabbitMQ Java client from PerfTest's class path:
 *
 * <pre>java -cp "deploy/bench/.cache/perftest-2.22.1/lib/*" deploy/bench/ConnectionChurn.java \
 *     --port 5672 --connections 5000 --threads 8 --broker-pid 1234 [--hold-seconds 0] [--heartbeat 60] [--nio true]
 *     [--shared-executors true] [--settle-seconds 0] [--warmup 0]</pre>
 *
 * --threads openers open --connections connections (PLAIN guest/guest, one channel each; no automatic
 * recovery), all held open (after --warmup connections opened and closed the same way in this JVM, not
 * counted, so that neither the broker's JIT nor this client's is measured); then, after --hold-seconds (checking every second that all are still open), the
 * same number of threads close them all. Prints {@code RESULT phase=open connections=N seconds=S rate=R
 * errors=E}, the same for {@code phase=close}, and with --broker-pid the broker's RSS (VmRSS of
 * /proc/PID/status) before, with all open, and 5 s after the close: {@code RSS before_kib=.. open_kib=..
 * after_kib=.. per_connection_bytes=..}; with --settle-seconds S the broker is first left idle S seconds before
 * "before" is read, and "settled_kib" is read S seconds after the close (both idle alike: a broker may give memory
 * back only once it is quiet, as Warren's idle heap trim does after 20 s without a collection); and its CPU (user + system, --clk-tck ticks a second) per opened and
 * per closed connection. With --shared-executors true (the default) all connections share one consumer work pool
 * (which also runs their shutdown work) and one heartbeat scheduler, as an application holding many connections should configure the client: otherwise
 * the client starts and stops three threads per connection, and that (4 ms of its CPU per close on this machine,
 * against the broker's 0.2-0.6 ms) set the close rate for either broker. Exit status: 0 done, 1 nothing opened,
 * 2 bad usage.
 */
public final class ConnectionChurn {
    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>(Map.of(
                "--host", "127.0.0.1", "--port", "5672", "--connections", "5000", "--threads", "8",
                "--broker-pid", "0", "--hold-seconds", "0", "--heartbeat", "60", "--clk-tck", "100",
                "--user", "guest", "--pass", "guest"));
        opts.put("--nio", "false");
        opts.put("--shared-executors", "true");
        opts.put("--settle-seconds", "0");
        opts.put("--warmup", "0");
        for (int i = 0; i < args.length; i += 2) {
            if (!opts.containsKey(args[i]) || i + 1 >= args.length) {
                System.err.println("usage: ConnectionChurn " + opts.keySet() + " (each with a value)");
                System.exit(2);
            }
            opts.put(args[i], args[i + 1]);
        }
        int total = Integer.parseInt(opts.get("--connections"));
        int threads = Integer.parseInt(opts.get("--threads"));
        long pid = Long.parseLong(opts.get("--broker-pid"));
        int clkTck = Integer.parseInt(opts.get("--clk-tck"));
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(opts.get("--host"));
        factory.setPort(Integer.parseInt(opts.get("--port")));
        factory.setUsername(opts.get("--user"));
        factory.setPassword(opts.get("--pass"));
        factory.setRequestedHeartbeat(Integer.parseInt(opts.get("--heartbeat")));
        factory.setAutomaticRecoveryEnabled(false);
        factory.setConnectionTimeout(30_000);
        factory.setHandshakeTimeout(30_000);
        factory.setShutdownTimeout(0);
        ExecutorService sharedWork = null;
        java.util.concurrent.ScheduledExecutorService sharedHeartbeats = null;
        if (Boolean.parseBoolean(opts.get("--shared-executors"))) {
            sharedWork = Executors.newFixedThreadPool(2 * threads);
            sharedHeartbeats = Executors.newScheduledThreadPool(2);
            factory.setSharedExecutor(sharedWork);
            factory.setHeartbeatExecutor(sharedHeartbeats);
            factory.setShutdownExecutor(sharedWork); // else the client starts a "shutdown monitor" thread per close
        }
        if (Boolean.parseBoolean(opts.get("--nio"))) {
            factory.useNio(); // a few I/O threads for all connections, not a thread each
        }

        ExecutorService pool = Executors.newFixedThreadPool(threads);
        int warmup = Integer.parseInt(opts.get("--warmup"));
        if (warmup > 0) {
            warmUp(pool, threads, factory, warmup);
        }
        int settle = Integer.parseInt(opts.get("--settle-seconds"));
        Thread.sleep(settle * 1000L);
        long rssBefore = rssKib(pid);
        ConcurrentLinkedQueue<Connection> open = new ConcurrentLinkedQueue<>();
        AtomicInteger errors = new AtomicInteger();
        AtomicReference<String> firstError = new AtomicReference<>();
        long cpu0 = cpuTicks(pid);
        long t0 = System.nanoTime();
        openAll(pool, threads, factory, total, open, errors, firstError);
        double openSeconds = (System.nanoTime() - t0) / 1e9;
        long cpu1 = cpuTicks(pid);
        int opened = open.size();
        System.out.printf("RESULT phase=open connections=%d seconds=%.2f rate=%.1f errors=%d%n", opened, openSeconds,
                opened / openSeconds, errors.get());
        if (firstError.get() != null) {
            System.out.println("first error: " + firstError.get());
        }
        if (opened == 0) {
            System.exit(1);
        }
        long rssOpen = rssKib(pid);
        int hold = Integer.parseInt(opts.get("--hold-seconds"));
        int lost = 0;
        for (int s = 0; s < hold; s++) {
            Thread.sleep(1000);
            lost = (int) open.stream().filter(c -> !c.isOpen()).count();
            if (s % 30 == 29 || s == hold - 1) {
                System.out.printf("HOLD seconds=%d open=%d lost=%d rss_kib=%d%n", s + 1, opened - lost, lost, rssKib(pid));
            }
        }
        List<Connection> toClose = new ArrayList<>(open);
        AtomicInteger closeErrors = new AtomicInteger();
        long cpu2 = cpuTicks(pid);
        long t1 = System.nanoTime();
        closeAll(pool, threads, toClose, closeErrors);
        double closeSeconds = (System.nanoTime() - t1) / 1e9;
        long cpu3 = cpuTicks(pid);
        pool.shutdown();
        if (sharedWork != null) {
            sharedWork.shutdown(); // non-daemon threads: the JVM would not exit
            sharedHeartbeats.shutdown();
        }
        System.out.printf("RESULT phase=close connections=%d seconds=%.2f rate=%.1f errors=%d lost_while_held=%d%n",
                toClose.size(), closeSeconds, toClose.size() / closeSeconds, closeErrors.get(), lost);
        if (pid > 0) {
            Thread.sleep(5000);
            long rssAfter = rssKib(pid);
            Thread.sleep(Math.max(0, settle - 5) * 1000L);
            long rssSettled = rssKib(pid);
            System.out.printf("RSS before_kib=%d open_kib=%d after_kib=%d settled_kib=%d per_connection_bytes=%d%n",
                    rssBefore, rssOpen, rssAfter, rssSettled, (rssOpen - rssBefore) * 1024 / opened);
            System.out.printf("CPU open_us_per_conn=%.0f close_us_per_conn=%.0f%n",
                    (cpu1 - cpu0) * 1e6 / clkTck / opened, (cpu3 - cpu2) * 1e6 / clkTck / toClose.size());
        }
    }

    /**
     * Opens and closes {@code count} connections the same way, not measured: the JIT of both the broker and this
     * client's JVM (a cold client spends its CPU compiling, on the same cores as the broker).
     */
    private static void warmUp(ExecutorService pool, int threads, ConnectionFactory factory, int count) throws Exception {
        ConcurrentLinkedQueue<Connection> open = new ConcurrentLinkedQueue<>();
        AtomicInteger errors = new AtomicInteger();
        openAll(pool, threads, factory, count, open, errors, new AtomicReference<>());
        closeAll(pool, threads, new ArrayList<>(open), errors);
        System.out.printf("WARMUP connections=%d errors=%d%n", count, errors.get());
    }

    /** {@code threads} openers open {@code count} connections with a channel each into {@code open}. */
    private static void openAll(ExecutorService pool, int threads, ConnectionFactory factory, int count,
                                ConcurrentLinkedQueue<Connection> open, AtomicInteger errors,
                                AtomicReference<String> firstError) throws Exception {
        AtomicInteger remaining = new AtomicInteger(count);
        run(pool, threads, () -> {
            while (remaining.getAndDecrement() > 0) {
                try {
                    Connection c = factory.newConnection();
                    c.createChannel();
                    open.add(c);
                } catch (Exception e) {
                    errors.incrementAndGet();
                    firstError.compareAndSet(null, e.toString());
                }
            }
        });
    }

    /** {@code threads} closers close every connection in {@code toClose}. */
    private static void closeAll(ExecutorService pool, int threads, List<Connection> toClose, AtomicInteger errors)
            throws Exception {
        AtomicInteger next = new AtomicInteger();
        run(pool, threads, () -> {
            for (int i = next.getAndIncrement(); i < toClose.size(); i = next.getAndIncrement()) {
                try {
                    toClose.get(i).close(30_000);
                } catch (Exception e) {
                    errors.incrementAndGet();
                }
            }
        });
    }

    private static void run(ExecutorService pool, int threads, Runnable task) throws Exception {
        List<Future<?>> running = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            running.add(pool.submit(task));
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

    /** utime + stime of the process (fields 14 and 15 of /proc/PID/stat), or 0 without a pid. */
    private static long cpuTicks(long pid) throws Exception {
        if (pid <= 0) {
            return 0;
        }
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
