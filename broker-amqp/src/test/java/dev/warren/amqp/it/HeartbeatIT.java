package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.warren.amqp.AmqpSettings;
import dev.warren.amqp.it.RawAmqpClient.RawFrame;
import dev.warren.amqp.it.RawAmqpClient.Tune;
import java.io.EOFException;
import java.net.SocketException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Heartbeats with a broker that offers a 1 second interval. */
@Timeout(60)
class HeartbeatIT {
    private static BrokerFixture broker;

    @BeforeAll
    static void startBroker() throws InterruptedException {
        broker = BrokerFixture.start(AmqpSettings.defaults().withHeartbeat(1));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void brokerSendsHeartbeatsAndClosesASilentClientAfterAboutTwoIntervals() throws Exception {
        try (RawAmqpClient client = RawAmqpClient.connect(broker.port())) {
            Tune offered = client.startAndLogin("guest", "guest");
            assertEquals(1, offered.heartbeat());
            client.tuneOk(offered.channelMax(), offered.frameMax(), 1);
            client.openVhost("/");
            long silentSince = System.nanoTime();

            int heartbeats = 0;
            long deadline = silentSince + 10_000_000_000L;
            boolean closed = false;
            while (!closed && System.nanoTime() < deadline) {
                try {
                    RawFrame frame = client.readFrame(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                    if (frame == null) {
                        continue;
                    }
                    if (frame.type() == RawAmqpClient.HEARTBEAT) {
                        assertEquals(0, frame.channel(), "heartbeat frames go on channel 0");
                        assertEquals(0, frame.payload().length, "heartbeat frames are empty");
                        heartbeats++;
                    } else if (!frame.isMethod(10, 50)) {
                        fail("unexpected frame while idle: " + frame);
                    }
                } catch (EOFException | SocketException e) {
                    closed = true;
                }
            }
            long silentMillis = (System.nanoTime() - silentSince) / 1_000_000;
            assertTrue(closed, "the broker kept a silent client open for 10 s with a 1 s heartbeat");
            assertTrue(heartbeats >= 1, "no heartbeat frame from the broker before it closed the socket");
            assertTrue(silentMillis >= 1_500, "closed after only " + silentMillis + " ms; expected about two 1 s intervals");
        }
    }

    @Test
    void javaClientWithHeartbeatOneStaysConnectedWhileIdleForFourSeconds() throws Exception {
        ConnectionFactory factory = broker.factory();
        factory.setRequestedHeartbeat(1);
        try (Connection connection = factory.newConnection()) {
            assertEquals(1, connection.getHeartbeat());
            CountDownLatch closed = new CountDownLatch(1);
            connection.addShutdownListener(cause -> closed.countDown());
            assertFalse(closed.await(4, TimeUnit.SECONDS),
                    "an idle connection with heartbeat 1 was closed: " + connection.getCloseReason());
            assertTrue(connection.isOpen());
            RawAssertions.assertPublishesAndConsumes(connection, 5);
        }
    }

    @Test
    void clientThatTunesHeartbeatZeroGetsNoHeartbeatsAndIsNotDisconnected() throws Exception {
        try (RawAmqpClient client = RawAmqpClient.connect(broker.port())) {
            Tune offered = client.startAndLogin("guest", "guest");
            assertEquals(1, offered.heartbeat());
            client.tuneOk(offered.channelMax(), offered.frameMax(), 0);
            client.openVhost("/");
            // Three offered intervals pass in silence: nothing arrives and the socket stays open.
            RawFrame frame = client.readFrame(3_000);
            assertNull(frame, "the broker sent a frame although the client tuned heartbeat 0: " + frame);
            client.openChannel(1);
        }
    }
}
