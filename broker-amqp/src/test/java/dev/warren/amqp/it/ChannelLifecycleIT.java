package dev.warren.amqp.it;

import static dev.warren.amqp.it.RawAssertions.assertReadableReplyText;
import static dev.warren.amqp.it.RawAssertions.channelClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.warren.amqp.it.RawAmqpClient.Args;
import dev.warren.amqp.it.RawAmqpClient.CloseReason;
import dev.warren.amqp.it.RawAmqpClient.Tune;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Opening and closing channels, channel-max and channel errors. */
@Timeout(60)
class ChannelLifecycleIT {
    private static BrokerFixture broker;

    @BeforeAll
    static void startBroker() throws InterruptedException {
        broker = BrokerFixture.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    // ---- many channels ----

    @Test
    void everyChannelNumberUpToChannelMaxCanBeOpenAtOnceAndClosedAgain() throws Exception {
        try (Connection connection = broker.connect()) {
            List<Channel> channels = new ArrayList<>();
            for (int i = 1; i <= 2047; i++) {
                Channel channel = connection.createChannel();
                assertNotNull(channel, "channel " + i + " of 2047 could not be opened");
                channels.add(channel);
            }
            assertNull(connection.createChannel(), "the client should have no channel number left above 2047");
            Channel last = channels.get(channels.size() - 1);
            String queue = last.queueDeclare("", false, true, true, null).getQueue();
            last.basicPublish("", queue, null, "on the last channel".getBytes(StandardCharsets.UTF_8));
            assertNotNull(getWithin(last, queue, 5_000));
            for (Channel channel : channels) {
                channel.close();
                assertFalse(channel.isOpen());
            }
            assertTrue(connection.isOpen());
            RawAssertions.assertPublishesAndConsumes(connection, 10);
        }
    }

    @Test
    void theHighestChannelNumberWorksAsTheFirstChannelOpened() throws Exception {
        try (Connection connection = broker.connect()) {
            Channel top = connection.createChannel(2047);
            Channel low = connection.createChannel(3);
            for (Channel channel : List.of(top, low)) {
                String queue = channel.queueDeclare().getQueue();
                channel.basicPublish("", queue, null, new byte[] {1});
                assertTrue(channel.basicGet(queue, true) != null, "channel " + channel.getChannelNumber() + " round trip");
            }
            top.close();
            assertTrue(low.isOpen());
        }
    }

    @Test
    void openingAndClosingChannelsRepeatedlyKeepsTheConnectionHealthy() throws Exception {
        try (Connection connection = broker.connect()) {
            for (int round = 0; round < 1000; round++) {
                Channel channel = connection.createChannel();
                assertNotNull(channel, "round " + round);
                if (round % 100 == 0) {
                    channel.queueDeclare("", false, true, true, null);
                }
                channel.close();
            }
            assertTrue(connection.isOpen());
            RawAssertions.assertPublishesAndConsumes(connection, 10);
        }
    }

    // ---- channel-max ----

    /**
     * A Java client with {@code setRequestedChannelMax(0)} negotiates the server's 2047 and then refuses to
     * go above it itself, so a raw client (sending the same tune-ok) tries channel 2048.
     */
    @Test
    void openingAChannelAboveTheNegotiatedChannelMaxClosesTheConnectionWith504() throws Exception {
        ConnectionFactory factory = broker.factory();
        factory.setRequestedChannelMax(0);
        try (Connection javaClient = factory.newConnection()) {
            assertEquals(2047, javaClient.getChannelMax());
        }
        try (RawAmqpClient client = RawAmqpClient.connect(broker.port())) {
            Tune offered = client.startAndLogin("guest", "guest");
            client.tuneOk(offered.channelMax(), offered.frameMax(), 0);
            client.openVhost("/");
            client.openChannel(2047);
            client.sendChannelOpen(2048);
            CloseReason close = client.expectConnectionClose(5_000);
            assertEquals(AMQP.CHANNEL_ERROR, close.replyCode(), close.toString());
            assertReadableReplyText(close.replyText());
            client.sendConnectionCloseOk();
            assertTrue(client.awaitSocketClosed(5_000));
        }
    }

    // ---- channel errors ----

    @Test
    void secondChannelOpenOnAnOpenChannelClosesTheConnectionWith504() throws Exception {
        try (RawAmqpClient client = RawAmqpClient.connectAndOpen(broker.port())) {
            client.openChannel(1);
            client.sendChannelOpen(1);
            CloseReason close = client.expectConnectionClose(5_000);
            assertEquals(AMQP.CHANNEL_ERROR, close.replyCode(), close.toString());
            assertEquals(20, close.classId(), "class of the offending method (channel)");
            assertEquals(10, close.methodId(), "the offending method (channel.open)");
            assertReadableReplyText(close.replyText());
        }
    }

    @Test
    void methodOnAChannelThatWasNeverOpenedClosesTheConnectionWith504() throws Exception {
        try (RawAmqpClient client = RawAmqpClient.connectAndOpen(broker.port())) {
            client.sendMethod(5, 50, 10, new Args().shortInt(0).shortstr("q").bits(false, false, false, true, false).emptyTable());
            CloseReason close = client.expectConnectionClose(5_000);
            assertEquals(AMQP.CHANNEL_ERROR, close.replyCode(), close.toString());
            assertReadableReplyText(close.replyText());
        }
    }

    @Test
    void brokerClosingOneChannelLeavesTheConnectionAndItsOtherChannelsUsable() throws Exception {
        try (Connection connection = broker.connect()) {
            Channel doomed = connection.createChannel();
            Channel survivor = connection.createChannel();
            String queue = survivor.queueDeclare("", false, true, true, null).getQueue();

            IOException e = assertThrows(IOException.class, () -> doomed.queueDeclarePassive("no-such-queue-" + System.nanoTime()));
            AMQP.Channel.Close close = channelClose(e);
            assertEquals(AMQP.NOT_FOUND, close.getReplyCode(), close.getReplyText());
            assertReadableReplyText(close.getReplyText());
            assertFalse(doomed.isOpen());

            assertTrue(connection.isOpen(), "a channel error must not close the connection");
            assertTrue(survivor.isOpen());
            survivor.basicPublish("", queue, null, "still here".getBytes(StandardCharsets.UTF_8));
            GetResponse got = getWithin(survivor, queue, 5_000);
            assertNotNull(got);
            assertEquals("still here", new String(got.getBody(), StandardCharsets.UTF_8));

            Channel fresh = connection.createChannel();
            assertTrue(fresh.isOpen());
            fresh.queueDeclarePassive(queue);
            RawAssertions.assertPublishesAndConsumes(connection, 10);
        }
    }

    @Test
    void channelClosedByTheBrokerCanBeReopenedWithTheSameNumberAfterCloseOk() throws Exception {
        try (RawAmqpClient client = RawAmqpClient.connectAndOpen(broker.port())) {
            client.openChannel(1);
            client.openChannel(2);
            declarePassiveOfAMissingQueue(client, 1);
            CloseReason close = client.expectChannelClose(1, 5_000);
            assertEquals(AMQP.NOT_FOUND, close.replyCode(), close.toString());
            assertEquals(50, close.classId());
            assertEquals(10, close.methodId());
            assertReadableReplyText(close.replyText());
            client.sendMethod(1, 20, 41, new Args()); // channel.close-ok

            assertChannelTwoWorksAndOneOpensAgain(client);
        }
    }

    @Test
    void clientChannelCloseIsAnsweredWithCloseOk() throws Exception {
        try (RawAmqpClient client = RawAmqpClient.connectAndOpen(broker.port())) {
            client.openChannel(3);
            client.sendMethod(3, 20, 40, new Args().shortInt(200).shortstr("bye").shortInt(0).shortInt(0));
            client.expectMethod(3, 20, 41, 5_000);
            // the number is free again
            client.openChannel(3);
        }
        try (Connection connection = broker.connect()) {
            Channel channel = connection.createChannel();
            channel.close(); // waits for close-ok; throws on timeout
            assertFalse(channel.isOpen());
            assertTrue(connection.isOpen());
        }
    }

    /**
     * The client closes a channel while the broker's channel.close for an error on it is on the way (amqp091-go's
     * TestChannelExceptionWithCloseIssue43): each side answers the other's close with close-ok, and the channel is
     * done only when the broker has the client's close-ok, as in RabbitMQ. The connection stays open.
     */
    @Test
    void closesCrossingEachOtherAreBothAnsweredAndTheConnectionStaysOpen() throws Exception {
        try (RawAmqpClient client = RawAmqpClient.connectAndOpen(broker.port())) {
            client.openChannel(1);
            client.openChannel(2);
            declarePassiveOfAMissingQueue(client, 1);
            // and channel.close before the broker's close can arrive
            client.sendMethod(1, 20, 40, new Args().shortInt(200).shortstr("bye").shortInt(0).shortInt(0));
            CloseReason close = client.expectChannelClose(1, 5_000);
            assertEquals(AMQP.NOT_FOUND, close.replyCode(), close.toString());
            client.expectMethod(1, 20, 41, 5_000); // the broker's close-ok for the client's close
            client.sendMethod(1, 20, 41, new Args()); // the client's close-ok for the broker's close

            assertChannelTwoWorksAndOneOpensAgain(client);
        }
    }

    /** queue.declare, passive, of a queue that does not exist: the broker closes the channel with 404. */
    private static void declarePassiveOfAMissingQueue(RawAmqpClient client, int channel) throws IOException {
        client.sendMethod(channel, 50, 10, new Args().shortInt(0).shortstr("missing-" + System.nanoTime())
                .bits(true, false, false, false, false).emptyTable());
    }

    /** After channel 1 was closed by the broker: channel 2 is unaffected, and number 1 can be opened again. */
    private static void assertChannelTwoWorksAndOneOpensAgain(RawAmqpClient client) throws IOException {
        client.sendMethod(2, 50, 10, new Args().shortInt(0).shortstr("").bits(false, false, true, true, false).emptyTable());
        client.expectMethod(2, 50, 11, 5_000);
        client.openChannel(1);
        client.sendMethod(1, 50, 10, new Args().shortInt(0).shortstr("").bits(false, false, true, true, false).emptyTable());
        client.expectMethod(1, 50, 11, 5_000);
    }

    // channel.flow from the client is ClientSuiteConformanceIT's: RabbitMQ refuses active=false (540).

    // ---- helpers ----

    private static long messageCount(Channel channel, String queue) {
        try {
            return channel.queueDeclarePassive(queue).getMessageCount();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static GetResponse getWithin(Channel channel, String queue, long millis) throws Exception {
        long deadline = System.nanoTime() + millis * 1_000_000;
        GetResponse got = null;
        while (got == null && System.nanoTime() < deadline) {
            got = channel.basicGet(queue, true);
        }
        return got;
    }
}
