package dev.warren.server.bench;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How durable declares affect everyone else on the broker: publishers with confirms measure their
 * round trip (publish, then wait for the confirm) for a few seconds alone, then while declaring
 * connections declare durable queues as fast as they can. Prints the declare rate and the publishers'
 * latency percentiles in both phases. Not a test: run it by hand against a running broker, e.g.
 * <pre>
 *   java -cp deploy/target/test-classes:$(cat /tmp/cp.txt) dev.warren.server.bench.DurableDeclareBench 5672 1000 4 2
 * </pre>
 * (arguments: AMQP port, durable queues to declare, declaring connections, publishing connections).
 * The queues it declares are deleted afterwards.
 */
public final class DurableDeclareBench {
    private DurableDeclareBench() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int declares = Integer.parseInt(args[1]);
        int declarers = Integer.parseInt(args[2]);
        int publishers = Integer.parseInt(args[3]);
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(port);
        factory.setUsername("guest");
        factory.setPassword("guest");

        AtomicBoolean declaring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        List<Long> alone = Collections.synchronizedList(new ArrayList<>());
        List<Long> during = Collections.synchronizedList(new ArrayList<>());
        List<Thread> publishing = new ArrayList<>();
        List<Connection> connections = new ArrayList<>();
        for (int p = 0; p < publishers; p++) {
            Connection connection = factory.newConnection("publisher-" + p);
            connections.add(connection);
            Channel channel = connection.createChannel();
            String queue = channel.queueDeclare().getQueue();
            channel.confirmSelect();
            Thread t = new Thread(() -> {
                try {
                    byte[] body = new byte[16];
                    while (!stop.get()) {
                        long started = System.nanoTime();
                        channel.basicPublish("", queue, null, body);
                        channel.waitForConfirmsOrDie(30_000);
                        (declaring.get() ? during : alone).add(System.nanoTime() - started);
                        channel.basicGet(queue, true);
                    }
                } catch (Exception e) {
                    System.err.println("publisher failed: " + e);
                }
            });
            t.start();
            publishing.add(t);
        }
        Thread.sleep(3000); // publishers alone

        List<Connection> declaringConnections = new ArrayList<>();
        for (int d = 0; d < declarers; d++) {
            declaringConnections.add(factory.newConnection("declarer-" + d));
        }
        CountDownLatch done = new CountDownLatch(declarers);
        declaring.set(true);
        long started = System.nanoTime();
        for (int d = 0; d < declarers; d++) {
            Connection connection = declaringConnections.get(d);
            int first = d * (declares / declarers);
            int count = declares / declarers;
            new Thread(() -> {
                try {
                    Channel channel = connection.createChannel();
                    for (int i = first; i < first + count; i++) {
                        channel.queueDeclare("bench-durable-" + i, true, false, false, null);
                    }
                } catch (Exception e) {
                    System.err.println("declarer failed: " + e);
                } finally {
                    done.countDown();
                }
            }).start();
        }
        done.await(10, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - started) / 1e9;
        declaring.set(false);
        stop.set(true);
        for (Thread t : publishing) {
            t.join(30_000);
        }
        try (Channel cleanup = declaringConnections.get(0).createChannel()) {
            for (int i = 0; i < declares; i++) {
                cleanup.queueDelete("bench-durable-" + i);
            }
        }
        for (Connection c : declaringConnections) {
            c.close();
        }
        for (Connection c : connections) {
            c.close();
        }
        System.out.printf("%d durable queue declares on %d connections: %.2f s, %.0f declares/s%n",
                declares, declarers, seconds, declares / seconds);
        System.out.println("publisher confirm round trip, alone:          " + percentiles(alone));
        System.out.println("publisher confirm round trip, during declares: " + percentiles(during));
    }

    private static String percentiles(List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        if (sorted.isEmpty()) {
            return "no samples";
        }
        Collections.sort(sorted);
        return String.format("n=%d p50 %.2f ms, p99 %.2f ms, max %.2f ms", sorted.size(),
                at(sorted, 0.50), at(sorted, 0.99), sorted.get(sorted.size() - 1) / 1e6);
    }

    private static double at(List<Long> sorted, double quantile) {
        return sorted.get(Math.min(sorted.size() - 1, (int) (quantile * sorted.size()))) / 1e6;
    }
}
