package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.amqp.it.RawAmqpClient.Args;
import dev.warren.core.MessageQueue;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A consumer that stops reading its socket must not make the broker push every ready message into an
 * ever-growing outbound buffer: once the connection's buffer passes its high-water mark the queue keeps
 * the messages ready, and hands them out again when the client reads.
 */
@Timeout(60)
class BackPressureIT {
    private static final int MESSAGES = 50_000;
    private static final int BODY_SIZE = 1024;
    /**
     * What may sit between the queue and a client that reads nothing: the client's small receive
     * buffer, the server's socket send buffer (Linux autotunes it to at most 4 MiB by default), the
     * connection's outbound buffer up to its high-water mark, and what was in flight when it was
     * crossed — a few thousand 1 KiB messages. Half of all the messages is far beyond that.
     */
    private static final int MIN_STILL_READY = MESSAGES / 2;
    private static BrokerFixture broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = BrokerFixture.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void consumerThatStopsReadingIsNotFloodedAndGetsEverythingOnceItReadsAgain() throws Exception {
        try (Connection publisherConnection = broker.connect();
             StalledConsumer consumer = StalledConsumer.connect(broker.port())) {
            Channel admin = publisherConnection.createChannel();
            String queue = admin.queueDeclare("back-pressure", false, false, false, null).getQueue();
            consumer.consume(queue);

            Channel publisher = publisherConnection.createChannel();
            publisher.confirmSelect();
            byte[] body = new byte[BODY_SIZE];
            for (int i = 0; i < MESSAGES; i++) {
                ByteBuffer.wrap(body).putInt(0, i);
                publisher.basicPublish("", queue, null, body);
                if (i % 5_000 == 4_999) {
                    publisher.waitForConfirmsOrDie(20_000); // keeps the publisher's own backlog bounded
                }
            }
            publisher.waitForConfirmsOrDie(20_000);

            // every message is in the queue now; the stalled consumer may hold only a bounded share of them
            for (int probe = 0; probe < 20; probe++) {
                int ready = admin.queueDeclarePassive(queue).getMessageCount();
                assertTrue(ready >= MIN_STILL_READY, "probe " + probe + ": only " + ready + " of " + MESSAGES
                        + " messages still ready; the broker kept writing to a consumer that reads nothing");
            }

            int received = consumer.readDeliveries(MESSAGES, 40_000);
            assertEquals(MESSAGES, received);
            assertEquals(0, admin.queueDeclarePassive(queue).getMessageCount(), "everything was delivered");
            admin.queueDelete(queue);
        }
    }

    @Test
    void consumerThatSubscribesToAFullQueueOnAnotherLoopAndReadsNothingTakesOnlyABoundedShare() throws Exception {
        EventLoop queueLoop = new DefaultEventLoop(); // the queue lives apart from the consumer's connection
        try (Connection publisherConnection = broker.connect()) {
            MessageQueue full = broker.broker().vhost("/")
                    .declareQueue("full-before-consume", false, false, false, Map.of(), null, queueLoop);
            Channel publisher = publisherConnection.createChannel();
            publisher.confirmSelect();
            byte[] body = new byte[BODY_SIZE];
            for (int i = 0; i < MESSAGES; i++) {
                ByteBuffer.wrap(body).putInt(0, i);
                publisher.basicPublish("", full.name(), null, body);
                if (i % 5_000 == 4_999) {
                    publisher.waitForConfirmsOrDie(20_000);
                }
            }
            publisher.waitForConfirmsOrDie(20_000);

            try (StalledConsumer consumer = StalledConsumer.connect(broker.port())) {
                consumer.consume(full.name()); // the whole backlog is ready at once: only the window may leave
                // the queue's thread hands over deliveries in one go; let it finish, then count what is left
                full.call(q -> null).get(10, java.util.concurrent.TimeUnit.SECONDS);
                for (int probe = 0; probe < 20; probe++) {
                    int ready = publisher.queueDeclarePassive(full.name()).getMessageCount();
                    assertTrue(ready >= MIN_STILL_READY, "probe " + probe + ": only " + ready + " of " + MESSAGES
                            + " messages still ready; a no-ack consumer that reads nothing pulled the backlog onto the heap");
                }
                assertEquals(MESSAGES, consumer.readDeliveries(MESSAGES, 40_000), "and everything arrives once it reads");
            }
        } finally {
            queueLoop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /**
     * A raw consumer on a socket with a small receive buffer, connected without heartbeats (it will be
     * silent for a while) and consuming with no-ack, that reads nothing until told to.
     */
    static final class StalledConsumer implements AutoCloseable {
        private final Socket socket;
        private final DataInputStream in;
        private final OutputStream out;

        private StalledConsumer(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
            this.out = socket.getOutputStream();
        }

        static StalledConsumer connect(int port) throws IOException {
            Socket socket = new Socket();
            socket.setReceiveBufferSize(4096); // before connect, so the advertised window stays small
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            StalledConsumer client = new StalledConsumer(socket);
            try {
                client.handshake();
            } catch (IOException | RuntimeException | Error e) {
                client.close();
                throw e;
            }
            return client;
        }

        private void handshake() throws IOException {
            out.write(RawAmqpClient.PROTOCOL_HEADER);
            out.flush();
            expectMethod(0, 10, 10); // connection.start
            Map<String, Object> capabilities = new LinkedHashMap<>();
            capabilities.put("consumer_cancel_notify", true);
            Map<String, Object> properties = new LinkedHashMap<>();
            properties.put("product", "BackPressureIT");
            properties.put("capabilities", capabilities);
            sendMethod(0, 10, 11, new Args().table(properties).shortstr("PLAIN")
                    .longstr("\0guest\0guest".getBytes(StandardCharsets.UTF_8)).shortstr("en_US"));
            byte[] tune = expectMethod(0, 10, 30);
            Args.Reader r = new Args.Reader(tune, 4);
            int channelMax = r.shortInt();
            long frameMax = r.longInt();
            sendMethod(0, 10, 31, new Args().shortInt(channelMax).longInt(frameMax).shortInt(0)); // no heartbeats
            sendMethod(0, 10, 40, new Args().shortstr("/").shortstr("").bits(false));
            expectMethod(0, 10, 41);
            sendMethod(1, 20, 10, new Args().shortstr(""));
            expectMethod(1, 20, 11);
        }

        void consume(String queue) throws IOException {
            sendMethod(1, 60, 20, new Args().shortInt(0).shortstr(queue).shortstr("stalled")
                    .bits(false, true, false, false).emptyTable()); // no-ack
            expectMethod(1, 60, 21);
        }

        /** Reads until {@code expected} deliveries arrived, checking they come in publish order. */
        int readDeliveries(int expected, long timeoutMillis) throws IOException {
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
            int deliveries = 0;
            int bodies = 0;
            while (bodies < expected) {
                if (System.nanoTime() > deadline) {
                    fail("only " + bodies + " of " + expected + " messages arrived before the deadline");
                }
                byte[][] frame = readFrame();
                int type = frame[0][0];
                byte[] payload = frame[1];
                if (type == RawAmqpClient.METHOD) {
                    int classId = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
                    int methodId = ((payload[2] & 0xFF) << 8) | (payload[3] & 0xFF);
                    if (classId != 60 || methodId != 60) {
                        fail("expected basic.deliver, got method " + classId + "." + methodId);
                    }
                    deliveries++;
                } else if (type == RawAmqpClient.BODY) {
                    int index = ByteBuffer.wrap(payload).getInt(0);
                    assertEquals(bodies, index, "messages arrive in publish order");
                    assertEquals(BODY_SIZE, payload.length, "body size");
                    bodies++;
                } else if (type != RawAmqpClient.HEADER && type != RawAmqpClient.HEARTBEAT) {
                    fail("unexpected frame type " + type);
                }
            }
            assertEquals(expected, deliveries, "one basic.deliver per body");
            return bodies;
        }

        private byte[] expectMethod(int channel, int classId, int methodId) throws IOException {
            while (true) {
                byte[][] frame = readFrame();
                if (frame[0][0] == RawAmqpClient.HEARTBEAT) {
                    continue;
                }
                byte[] payload = frame[1];
                int gotClass = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
                int gotMethod = ((payload[2] & 0xFF) << 8) | (payload[3] & 0xFF);
                if (frame[0][0] != RawAmqpClient.METHOD || frame[0][1] != channel || gotClass != classId || gotMethod != methodId) {
                    fail("expected method " + classId + "." + methodId + " on channel " + channel + ", got frame type "
                            + frame[0][0] + " method " + gotClass + "." + gotMethod + " on channel " + frame[0][1]);
                }
                return payload;
            }
        }

        /** One frame: {{type, channel}, payload}; every read bounded by the socket timeout. */
        private byte[][] readFrame() throws IOException {
            socket.setSoTimeout(10_000);
            try {
                int type = in.readUnsignedByte();
                int channel = in.readUnsignedShort();
                int size = in.readInt();
                if (size < 0 || size > 1024 * 1024) {
                    throw new IOException("implausible frame size " + size);
                }
                byte[] payload = new byte[size];
                in.readFully(payload);
                int end = in.readUnsignedByte();
                if (end != RawAmqpClient.FRAME_END) {
                    throw new IOException("frame does not end with 0xCE: " + end);
                }
                return new byte[][] {{(byte) type, (byte) channel}, payload};
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no data from the broker for 10 s", e);
            } catch (EOFException e) {
                throw new AssertionError("the broker closed the connection", e);
            }
        }

        private void sendMethod(int channel, int classId, int methodId, Args args) throws IOException {
            out.write(RawAmqpClient.frame(RawAmqpClient.METHOD, channel, RawAmqpClient.methodPayload(classId, methodId, args),
                    RawAmqpClient.FRAME_END));
            out.flush();
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a test socket
            }
        }
    }
}
