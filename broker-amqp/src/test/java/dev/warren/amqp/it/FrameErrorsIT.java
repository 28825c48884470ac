package dev.warren.amqp.it;

import static dev.warren.amqp.it.RawAssertions.assertReadableReplyText;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.warren.amqp.it.RawAmqpClient.Args;
import dev.warren.amqp.it.RawAmqpClient.CloseReason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Broken framing from a raw client after a valid handshake: each case closes that connection with the
 * reply code RabbitMQ uses and a readable text, while a connection opened before it keeps working.
 */
@Timeout(60)
class FrameErrorsIT {
    private static final int FRAME_MAX = 131072;
    private static BrokerFixture broker;
    private Connection bystander;
    private RawAmqpClient client;

    @BeforeAll
    static void startBroker() throws InterruptedException {
        broker = BrokerFixture.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @BeforeEach
    void openBystanderThenRawClient() throws Exception {
        bystander = broker.connect();
        client = RawAmqpClient.connectAndOpen(broker.port());
        assertEquals(FRAME_MAX, client.tune().frameMax());
    }

    @AfterEach
    void closeConnections() throws Exception {
        client.close();
        if (bystander.isOpen()) {
            bystander.close();
        }
    }

    // ---- frame level: 501 FRAME_ERROR ----

    @Test
    void frameLargerThanFrameMaxClosesConnectionWith501() throws Exception {
        client.openChannel(1);
        ByteBuffer header = ByteBuffer.allocate(7 + 64);
        header.put((byte) RawAmqpClient.BODY).putShort((short) 1).putInt(FRAME_MAX + 1000);
        client.sendRaw(header.array());
        assertConnectionClosedWith(AMQP.FRAME_ERROR, 10);
    }

    @Test
    void wrongFrameEndOctetClosesConnectionWith501() throws Exception {
        byte[] payload = RawAmqpClient.methodPayload(20, 10, new Args().shortstr(""));
        client.sendRaw(RawAmqpClient.frame(RawAmqpClient.METHOD, 1, payload, 0x00));
        assertConnectionClosedWith(AMQP.FRAME_ERROR, 10);
    }

    @Test
    void unknownFrameTypeClosesConnectionWith501() throws Exception {
        client.sendFrame(9, 0, new byte[0]);
        assertConnectionClosedWith(AMQP.FRAME_ERROR, 10);
    }

    @Test
    void contentBodyLargerThanTheDeclaredSizeClosesConnectionWith501() throws Exception {
        client.openChannel(1);
        sendPublish(1, "nowhere", false);
        client.sendContentHeader(1, 60, 5);
        client.sendFrame(RawAmqpClient.BODY, 1, "0123456789".getBytes(StandardCharsets.US_ASCII));
        assertConnectionClosedWith(AMQP.FRAME_ERROR, 10);
    }

    /** RabbitMQ decodes method fields with a binary pattern; a payload that ends early is "cannot decode" (frame_error). */
    @Test
    void truncatedMethodPayloadClosesConnectionWith501LikeRabbitMQ() throws Exception {
        client.openChannel(1);
        // basic.qos: prefetch-size (long) present, prefetch-count (short) and global (bit) missing
        client.sendMethod(1, 60, 10, new Args().longInt(0));
        assertConnectionClosedWith(AMQP.FRAME_ERROR, 10);
    }

    @Test
    void randomGarbageAfterHandshakeClosesConnectionWith501WhileAnotherConnectionPublishesAndConsumes100Messages() throws Exception {
        byte[] garbage = new byte[64 * 1024];
        new Random(0x5EED).nextBytes(garbage);
        client.sendRaw(garbage);
        CloseReason close = client.expectConnectionClose(5_000);
        assertEquals(AMQP.FRAME_ERROR, close.replyCode(), close.toString());
        assertReadableReplyText(close.replyText());
        client.sendConnectionCloseOk();
        assertTrue(client.awaitSocketClosed(5_000), "socket still open after the frame error");
        RawAssertions.assertPublishesAndConsumes(bystander, 100);
    }

    // ---- content: 502 SYNTAX_ERROR ----

    /** Property bytes whose expiration says 200 bytes when 3 follow: malformed, not a 541 from reading past them. */
    @Test
    void contentHeaderWhoseExpirationRunsPastTheEndClosesConnectionWith502() throws Exception {
        client.openChannel(1);
        sendPublish(1, "nowhere", false);
        byte[] header = ByteBuffer.allocate(12 + 2 + 4).putShort((short) 60).putShort((short) 0).putLong(5)
                .putShort((short) 0x0100).put((byte) 200).put((byte) '1').put((byte) '0').put((byte) '0').array();
        client.sendFrame(RawAmqpClient.HEADER, 1, header);
        client.sendFrame(RawAmqpClient.BODY, 1, "hello".getBytes(StandardCharsets.US_ASCII));
        assertConnectionClosedWith(AMQP.SYNTAX_ERROR, 10);
    }

    // ---- command assembly: 505 UNEXPECTED_FRAME ----

    @Test
    void contentHeaderWithoutAPrecedingPublishClosesConnectionWith505() throws Exception {
        client.openChannel(1);
        client.sendContentHeader(1, 60, 5);
        assertConnectionClosedWith(AMQP.UNEXPECTED_FRAME, 10);
    }

    @Test
    void bodyFrameWhereAMethodIsExpectedClosesConnectionWith505() throws Exception {
        client.openChannel(1);
        client.sendFrame(RawAmqpClient.BODY, 1, "hello".getBytes(StandardCharsets.US_ASCII));
        assertConnectionClosedWith(AMQP.UNEXPECTED_FRAME, 10);
    }

    @Test
    void methodFrameWhereAContentHeaderIsExpectedClosesConnectionWith505() throws Exception {
        client.openChannel(1);
        sendPublish(1, "nowhere", false);
        client.sendMethod(1, 50, 10, new Args().shortInt(0).shortstr("").bits(false, false, true, true, false).emptyTable());
        assertConnectionClosedWith(AMQP.UNEXPECTED_FRAME, 10);
    }

    /** RabbitMQ: a heartbeat frame on a channel other than 0 is an unexpected frame (rabbit_reader:handle_frame). */
    @Test
    void heartbeatFrameOnANonZeroChannelClosesConnectionWith505() throws Exception {
        client.openChannel(1);
        client.sendFrame(RawAmqpClient.HEARTBEAT, 1, new byte[0]);
        assertConnectionClosedWith(AMQP.UNEXPECTED_FRAME, 10);
    }

    // ---- methods: 540 NOT_IMPLEMENTED ----

    @Test
    void unknownMethodIdClosesConnectionWith540() throws Exception {
        client.openChannel(1);
        client.sendMethod(1, 60, 99, new Args().shortInt(0));
        assertConnectionClosedWith(AMQP.NOT_IMPLEMENTED, 10);
    }

    @Test
    void unknownClassIdClosesConnectionWith540() throws Exception {
        client.openChannel(1);
        client.sendMethod(1, 99, 10, new Args().shortInt(0));
        assertConnectionClosedWith(AMQP.NOT_IMPLEMENTED, 10);
    }

    @Test
    void publishWithImmediateTrueClosesConnectionWith540() throws Exception {
        client.openChannel(1);
        sendPublish(1, "anything", true);
        client.sendContentHeader(1, 60, 5);
        client.sendFrame(RawAmqpClient.BODY, 1, "hello".getBytes(StandardCharsets.US_ASCII));
        CloseReason close = assertConnectionClosedWith(AMQP.NOT_IMPLEMENTED, 10);
        assertEquals(60, close.classId(), "class of the offending method (basic)");
        assertEquals(40, close.methodId(), "the offending method (basic.publish)");
    }

    // ---- what must NOT be an error ----

    /**
     * RabbitMQ accepts a frame whose payload is up to frame-max (not frame-max minus the 8 octets of
     * overhead), because "quite a few [clients] get it wrong" (rabbit_reader, FRAME_SIZE_FUDGE).
     */
    @Test
    void bodyFrameWithPayloadOfExactlyFrameMaxIsAcceptedLikeRabbitMQ() throws Exception {
        Channel setup = bystander.createChannel();
        String queue = setup.queueDeclare("fudge-" + System.nanoTime(), false, false, true, null).getQueue();
        client.openChannel(1);
        sendPublish(1, queue, false);
        client.sendContentHeader(1, 60, FRAME_MAX);
        byte[] body = new byte[FRAME_MAX];
        body[FRAME_MAX - 1] = 42;
        client.sendFrame(RawAmqpClient.BODY, 1, body);
        // Frames are handled in order: a declare-ok after the publish means the big frame was accepted
        // (a connection.close instead fails here with the broker's reason).
        client.sendMethod(1, 50, 10, new Args().shortInt(0).shortstr(queue).bits(true, false, false, false, false).emptyTable());
        client.expectMethod(1, 50, 11, 5_000);

        GetResponse got = null;
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (got == null && System.nanoTime() < deadline && bystander.isOpen()) {
            got = setup.basicGet(queue, true);
        }
        assertNotNull(got, "a body frame of frame-max octets was not accepted");
        assertEquals(FRAME_MAX, got.getBody().length);
        assertEquals(42, got.getBody()[FRAME_MAX - 1]);
    }

    /**
     * A routing key that is not UTF-8 (255 bytes cut inside a code point) comes back in basic.return as a
     * short string that fits, not as 541 INTERNAL_ERROR from a name that grew past 255 bytes when decoded.
     */
    @Test
    void mandatoryPublishWithARoutingKeyThatIsNotUtf8IsReturnedNotAnInternalError() throws Exception {
        byte[] routingKey = new byte[255];
        for (int i = 0; i < 254; i += 2) {
            routingKey[i] = (byte) 0xC3; // 'é'
            routingKey[i + 1] = (byte) 0xA9;
        }
        routingKey[254] = (byte) 0xC3; // a code point cut short
        client.openChannel(1);
        client.sendMethod(1, 60, 40, new Args().shortInt(0).shortstr("").octet(255).raw(routingKey).bits(true, false));
        client.sendContentHeader(1, 60, 5);
        client.sendFrame(RawAmqpClient.BODY, 1, "hello".getBytes(StandardCharsets.US_ASCII));
        RawAmqpClient.RawFrame returned = client.expectMethod(1, 60, 50, 5_000);
        Args.Reader fields = returned.arguments();
        assertEquals(AMQP.NO_ROUTE, fields.shortInt());
        assertEquals("NO_ROUTE", fields.shortstr());
        assertEquals("", fields.shortstr());
        assertEquals("é".repeat(127) + "?", fields.shortstr());
        assertEquals(RawAmqpClient.HEADER, client.readFrame(5_000).type(), "the returned message's content header");
        assertEquals(RawAmqpClient.BODY, client.readFrame(5_000).type(), "the returned message's body");
        client.openChannel(2); // the connection is still open
        RawAssertions.assertPublishesAndConsumes(bystander, 10);
    }

    // ---- helpers ----

    private void sendPublish(int channel, String routingKey, boolean immediate) throws Exception {
        client.sendMethod(channel, 60, 40, new Args().shortInt(0).shortstr("").shortstr(routingKey).bits(false, immediate));
    }

    /**
     * Expects connection.close with the code and a readable text, answers close-ok, expects the socket to
     * close, and checks that the bystander connection still publishes and consumes.
     */
    private CloseReason assertConnectionClosedWith(int replyCode, int bystanderMessages) throws Exception {
        CloseReason close = client.expectConnectionClose(5_000);
        assertEquals(replyCode, close.replyCode(), close.toString());
        assertReadableReplyText(close.replyText());
        client.sendConnectionCloseOk();
        assertTrue(client.awaitSocketClosed(5_000), "socket still open after connection.close");
        RawAssertions.assertPublishesAndConsumes(bystander, bystanderMessages);
        return close;
    }
}
