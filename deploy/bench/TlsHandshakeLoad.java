import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.FileInputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * The handshake part of tls-bench.sh: how many new TLS connections a broker's AMQPS listener takes per
 * second. A single-file program run with the RabbitMQ Java client from PerfTest's class path:
 *
 * <pre>java -cp "deploy/bench/.cache/perftest-2.22.1/lib/*" deploy/bench/TlsHandshakeLoad.java \
 *     --port 5671 --truststore trust.p12 --mode tls --seconds 15 --threads 2</pre>
 *
 * Modes:
 * <ul>
 *   <li>{@code tls}: TLS handshakes only: connect, complete the handshake, close (no AMQP);</li>
 *   <li>{@code amqps}: whole AMQPS connections: TLS handshake, AMQP connection open (PLAIN guest/guest),
 *       connection close;</li>
 *   <li>{@code amqp}: plain AMQP connections the same way (--port is then the plain port), a baseline;</li>
 *   <li>{@code probe}: one TLS connection and one AMQPS connection; prints the negotiated protocol and
 *       cipher suite and the server's product and version.</li>
 * </ul>
 * Every connection gets a new SSLContext, so none resumes an earlier session: each is a full handshake
 * (ECDHE and the server's signature), as a fleet of clients starting up would make. --threads loops run
 * side by side for --warmup seconds (not counted: the JIT of both sides), then --seconds counted ones; at
 * the end it prints {@code RESULT mode=M connections=N seconds=S rate=R errors=E} (errors: connections that
 * failed; the first error's message follows), and, with --broker-pid, {@code broker_cpu_us_per_conn=C}: the
 * broker process's user + system CPU time (/proc/PID/stat, in --clk-tck ticks a second) over the counted
 * seconds per counted connection. Exit status: 0 done (even with some errors), 1 nothing succeeded,
 * 2 bad usage.
 */
public final class TlsHandshakeLoad {
    private static final SecureRandom RANDOM = new SecureRandom();

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>(Map.of(
                "--host", "127.0.0.1", "--port", "5671", "--truststore", "", "--password", "changeit",
                "--mode", "tls", "--seconds", "15", "--threads", "2"));
        opts.putAll(Map.of("--warmup", "3", "--broker-pid", "", "--clk-tck", "100"));
        for (int i = 0; i < args.length; i += 2) {
            if (!opts.containsKey(args[i]) || i + 1 >= args.length) {
                System.err.println("usage: TlsHandshakeLoad.java [" + String.join(" V] [", opts.keySet()) + " V]");
                System.exit(2);
            }
            opts.put(args[i], args[i + 1]);
        }
        String host = opts.get("--host");
        int port = Integer.parseInt(opts.get("--port"));
        String mode = opts.get("--mode");
        int seconds = Integer.parseInt(opts.get("--seconds"));
        int threads = Integer.parseInt(opts.get("--threads"));
        int warmup = Integer.parseInt(opts.get("--warmup"));
        String brokerPid = opts.get("--broker-pid");
        int clkTck = Integer.parseInt(opts.get("--clk-tck"));
        TrustManager[] trust = mode.equals("amqp") ? null : trustManagers(opts.get("--truststore"), opts.get("--password"));

        if (mode.equals("probe")) {
            probe(host, port, trust);
            return;
        }
        Attempt attempt = switch (mode) {
            case "tls" -> () -> handshake(host, port, trust);
            case "amqps" -> () -> amqpConnection(host, port, trust);
            case "amqp" -> () -> amqpConnection(host, port, null);
            default -> {
                System.err.println("--mode must be tls, amqps, amqp or probe, got " + mode);
                System.exit(2);
                yield null;
            }
        };

        AtomicLong done = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        long begin = System.nanoTime();
        long end = begin + (warmup + seconds) * 1_000_000_000L;
        List<Thread> loops = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread loop = new Thread(() -> {
                while (System.nanoTime() < end) {
                    try {
                        attempt.run();
                        done.incrementAndGet();
                    } catch (Exception e) {
                        errors.incrementAndGet();
                        firstError.compareAndSet(null, e.toString());
                    }
                }
            }, "handshake-" + t);
            loop.start();
            loops.add(loop);
        }
        // warm-up (JIT on both sides), not counted
        sleepUntil(begin + warmup * 1_000_000_000L);
        long start = System.nanoTime();
        long count0 = done.get();
        long errors0 = errors.get();
        long cpu0 = cpuTicks(brokerPid);
        long last = count0;
        for (int s = 1; s <= seconds; s++) {
            sleepUntil(start + s * 1_000_000_000L);
            long now = done.get();
            System.out.printf("%d s: %d connections/s (%d errors so far)%n", s, now - last, errors.get() - errors0);
            last = now;
        }
        long counted = done.get() - count0;
        long failed = errors.get() - errors0;
        long cpu1 = cpuTicks(brokerPid);
        double elapsed = (System.nanoTime() - start) / 1e9;
        String cpu = cpu0 < 0 || cpu1 < 0 || counted == 0 ? ""
                : String.format(" broker_cpu_us_per_conn=%.0f", (cpu1 - cpu0) * 1e6 / clkTck / counted);
        System.out.printf("RESULT mode=%s connections=%d seconds=%.2f rate=%.1f errors=%d%s%n", mode, counted, elapsed,
                counted / elapsed, failed, cpu);
        if (firstError.get() != null) {
            System.out.println("first error: " + firstError.get());
        }
        for (Thread loop : loops) {
            loop.join(30_000);
        }
        System.exit(counted > 0 ? 0 : 1);
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long millis = (nanoTime - System.nanoTime()) / 1_000_000;
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }

    /** utime + stime of a process, in clock ticks, from /proc/PID/stat; -1 when unknown. */
    private static long cpuTicks(String pid) {
        if (pid.isEmpty()) {
            return -1;
        }
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", pid, "stat"));
            // fields after the command name in parentheses (which may hold spaces); utime, stime are 14, 15
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (Exception e) {
            return -1;
        }
    }

    private interface Attempt {
        void run() throws Exception;
    }

    private static TrustManager[] trustManagers(String file, String password) throws Exception {
        if (file.isEmpty()) {
            System.err.println("--truststore is required for TLS modes");
            System.exit(2);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(file)) {
            store.load(in, password.toCharArray());
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return factory.getTrustManagers();
    }

    /** A context of its own for every connection: nothing cached, so no session resumption. */
    private static SSLContext freshContext(TrustManager[] trust) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust, RANDOM);
        return context;
    }

    private static SSLSession handshake(String host, int port, TrustManager[] trust) throws Exception {
        try (SSLSocket socket = (SSLSocket) freshContext(trust).getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress(host, port), 10_000);
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            return socket.getSession();
        }
    }

    private static void amqpConnection(String host, int port, TrustManager[] trust) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(host);
        factory.setPort(port);
        factory.setUsername("guest");
        factory.setPassword("guest");
        factory.setConnectionTimeout(10_000);
        factory.setHandshakeTimeout(10_000);
        factory.setAutomaticRecoveryEnabled(false);
        if (trust != null) {
            factory.useSslProtocol(freshContext(trust));
        }
        try (Connection connection = factory.newConnection("tls-handshake-load")) {
            if (!connection.isOpen()) {
                throw new IllegalStateException("connection not open");
            }
        }
    }

    private static void probe(String host, int port, TrustManager[] trust) throws Exception {
        SSLSession session = handshake(host, port, trust);
        System.out.println("negotiated " + session.getProtocol() + " " + session.getCipherSuite() + ", server certificate "
                + ((java.security.cert.X509Certificate) session.getPeerCertificates()[0]).getSubjectX500Principal());
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(host);
        factory.setPort(port);
        factory.setAutomaticRecoveryEnabled(false);
        factory.useSslProtocol(freshContext(trust));
        try (Connection connection = factory.newConnection("tls-probe")) {
            Map<String, Object> props = connection.getServerProperties();
            System.out.println("AMQPS connection open: server " + props.get("product") + " " + props.get("version"));
        }
    }
}
