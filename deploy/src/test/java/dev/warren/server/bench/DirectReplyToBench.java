package dev.warren.server.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.RpcClient;
import com.rabbitmq.client.RpcClientParams;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request/reply round trips through direct reply-to: callers, each on its own connection with the Java
 * client's RpcClient (reply_to amq.rabbitmq.reply-to), send a small request and wait for its reply, again
 * and again; one server connection answers every request. Prints round trips per second. Not a test: run
 * it by hand against a running broker, e.g.
 * <pre>
 *   java -cp deploy/target/test-classes:$(cat /tmp/cp.txt) dev.warren.server.bench.DirectReplyToBench 5672 16 20
 * </pre>
 * (arguments: AMQP port, concurrent callers, seconds).
 */
public final class DirectReplyToBench {
    private static final String REQUESTS = "bench.rpc.requests";

    private DirectReplyToBench() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int callers = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(port);
        try (Connection serverConnection = factory.newConnection("rpc-server")) {
            Channel server = serverConnection.createChannel();
            server.queueDeclare(REQUESTS, false, false, true, null);
            server.basicConsume(REQUESTS, true, new DefaultConsumer(server) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                        throws IOException {
                    server.basicPublish("", properties.getReplyTo(),
                            new AMQP.BasicProperties.Builder().correlationId(properties.getCorrelationId()).build(), body);
                }
            });
            AtomicBoolean stop = new AtomicBoolean();
            LongAdder roundTrips = new LongAdder();
            List<Thread> threads = new ArrayList<>();
            List<Connection> connections = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                Connection connection = factory.newConnection("rpc-caller-" + i);
                connections.add(connection);
                RpcClient client = new RpcClient(new RpcClientParams().channel(connection.createChannel())
                        .exchange("").routingKey(REQUESTS).replyTo("amq.rabbitmq.reply-to").timeout(10_000));
                Thread caller = new Thread(() -> {
                    byte[] request = new byte[16];
                    try {
                        while (!stop.get()) {
                            client.primitiveCall(request);
                            roundTrips.increment();
                        }
                    } catch (Exception e) {
                        if (!stop.get()) {
                            e.printStackTrace();
                        }
                    }
                }, "caller-" + i);
                threads.add(caller);
            }
            long started = System.nanoTime();
            threads.forEach(Thread::start);
            Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
            long done = roundTrips.sum();
            double elapsed = (System.nanoTime() - started) / 1e9;
            stop.set(true);
            for (Thread t : threads) {
                t.join(15_000);
            }
            for (Connection c : connections) {
                c.abort(2_000);
            }
            System.out.printf("callers=%d round_trips=%d seconds=%.1f rate=%.0f/s%n", callers, done, elapsed, done / elapsed);
        }
    }
}
