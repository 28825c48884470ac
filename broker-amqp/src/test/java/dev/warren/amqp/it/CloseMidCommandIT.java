package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.warren.amqp.it.RawAmqpClient.Args;
import dev.warren.core.testing.LeakRecorder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A channel or connection that closes while one of its commands waits for a queue's answer: what the answer
 * carries (a message taken for basic.get, deliveries to a consumer not yet announced) goes back to its queue,
 * neither lost nor leaked. The frame fuzzer found these as Netty buffer leaks of multi-frame bodies.
 *
 * <p>The queue is declared by the RabbitMQ Java client's connection, so it lives on that connection's event
 * loop; the raw connections that close mid-command alternate between the broker's two loops, so half of
 * them wait for an answer from the other loop, which arrives only after the close was handled (the command
 * and connection.close go out in one write and are read together).
 */
@Timeout(60)
class CloseMidCommandIT {
    /** Over a small frame-max this body takes several body frames: the broker keeps it as a composite buffer. */
    private static final int BODY_SIZE = 10_000;
    private static final int ATTEMPTS = 4;

    private static BrokerFixture broker;

    @BeforeAll
    static void startBroker() throws InterruptedException {
        broker = BrokerFixture.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void aBasicGetAnsweredAfterTheConnectionClosedPutsTheMessageBackUnleaked() throws Exception {
        ConnectionFactory factory = broker.factory();
        factory.setRequestedFrameMax(4096);
        try (Connection connection = factory.newConnection()) {
            Channel channel = connection.createChannel();
            String queue = channel.queueDeclare("close-mid-get", false, false, false, null).getQueue();
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                byte[] body = body(attempt);
                channel.basicPublish("", queue, null, body);
                BrokerFixture.await("the message in the queue", 5_000, () -> messageCount(channel, queue) == 1);

                getThenCloseInOneWrite(queue);

                // (the get may not even have reached the queue yet: the broker answered close-ok without waiting)
                GetResponse[] back = new GetResponse[1];
                BrokerFixture.await("the message back in the queue after attempt " + attempt, 5_000,
                        () -> (back[0] = get(channel, queue)) != null);
                assertArrayEquals(body, back[0].getBody(), "attempt " + attempt);
            }
            channel.queueDelete(queue);
        }
        assertNoLeaks();
    }

    /**
     * Deliveries a queue hands a new consumer before its consume-ok has gone out wait on the channel; when the
     * connection closes in between, they go back to the queue. That takes the close to be read after the first
     * deliveries came in and before the answer to basic.consume did: a race, so this tries it with many
     * messages and several times (it failed within three before the fix), and checks that every message is back after each try.
     */
    @Test
    @Timeout(180)
    void deliveriesHeldForAConsumerNotYetAnnouncedGoBackWhenTheConnectionCloses() throws Exception {
        int messages = 20_000;
        try (Connection connection = broker.connect()) {
            Channel channel = connection.createChannel();
            String queue = channel.queueDeclare("close-mid-consume", false, false, false, null).getQueue();
            channel.confirmSelect();
            for (int i = 0; i < messages; i++) {
                channel.basicPublish("", queue, null, new byte[] {(byte) i});
            }
            channel.waitForConfirmsOrDie(60_000);
            long stopAt = System.nanoTime() + 20_000_000_000L; // a try costs a second or more on a busy machine
            for (int attempt = 0; attempt < 12 && System.nanoTime() < stopAt; attempt++) {
                try (RawAmqpClient raw = RawAmqpClient.connectAndOpen(broker.port())) {
                    raw.openChannel(1);
                    raw.sendRaw(RawAmqpClient.frame(RawAmqpClient.METHOD, 1, RawAmqpClient.methodPayload(60, 20,
                            new Args().shortInt(0).shortstr(queue).shortstr("held").bits(false, false, false, false)
                                    .emptyTable()), RawAmqpClient.FRAME_END));
                    if (attempt % 4 != 0) {
                        Thread.sleep(attempt % 4);
                    }
                    raw.sendRaw(connectionClose());
                    awaitCloseOk(raw);
                }
                int tried = attempt;
                BrokerFixture.await("all " + messages + " messages back in the queue after try " + tried, 5_000,
                        () -> messageCount(channel, queue) == messages);
            }
            channel.queueDelete(queue);
        }
        assertNoLeaks();
    }

    /** basic.get and connection.close in one write on a raw connection; reads until close-ok. */
    private static void getThenCloseInOneWrite(String queue) throws IOException {
        try (RawAmqpClient raw = RawAmqpClient.connectAndOpen(broker.port())) {
            raw.openChannel(1);
            ByteArrayOutputStream both = new ByteArrayOutputStream();
            both.writeBytes(RawAmqpClient.frame(RawAmqpClient.METHOD, 1, RawAmqpClient.methodPayload(60, 70,
                    new Args().shortInt(0).shortstr(queue).bits(false)), RawAmqpClient.FRAME_END));
            both.writeBytes(connectionClose());
            raw.sendRaw(both.toByteArray());
            awaitCloseOk(raw);
        }
    }

    /** Reads past whatever the broker sent before it (consume-ok, deliveries) up to close-ok. */
    private static void awaitCloseOk(RawAmqpClient raw) throws IOException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            RawAmqpClient.RawFrame frame = raw.readFrame(1_000);
            if (frame != null && frame.isMethod(10, 51)) {
                return;
            }
        }
        throw new AssertionError("no connection.close-ok within 30 s");
    }

    private static byte[] connectionClose() {
        return RawAmqpClient.frame(RawAmqpClient.METHOD, 0, RawAmqpClient.methodPayload(10, 50,
                new Args().shortInt(200).shortstr("done").shortInt(0).shortInt(0)), RawAmqpClient.FRAME_END);
    }

    private static byte[] body(int seed) {
        byte[] body = new byte[BODY_SIZE];
        new Random(seed).nextBytes(body);
        return body;
    }

    private static GetResponse get(Channel channel, String queue) {
        try {
            return channel.basicGet(queue, true);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static long messageCount(Channel channel, String queue) {
        try {
            return channel.messageCount(queue);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void assertNoLeaks() {
        LeakRecorder.collect();
        List<String> leaks = LeakRecorder.takeLeaks();
        assertTrue(leaks.isEmpty(), leaks.size() + " Netty buffer leak(s); the first: " + (leaks.isEmpty() ? "" : leaks.get(0)));
    }
}
