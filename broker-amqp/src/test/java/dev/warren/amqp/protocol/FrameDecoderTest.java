package dev.warren.amqp.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.core.ReplyCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {
    private static final byte[] HEADER = {'A', 'M', 'Q', 'P', 0, 0, 9, 1};

    /**
     * A channel whose decoder hands its frames on down the pipeline as {@link Frame}s, so that a test reads them with
     * the decoder's events, in the order the two reached the connection.
     */
    static EmbeddedChannel decoderChannel(int frameMax) {
        ChannelHandlerContext[] decoderContext = new ChannelHandlerContext[1];
        FrameDecoder decoder = new FrameDecoder(frameMax,
                (type, channel, payload) -> decoderContext[0].fireChannelRead(new Frame(type, channel, payload)));
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        decoderContext[0] = channel.pipeline().context(decoder);
        return channel;
    }

    @Test
    void acceptsTheProtocolHeaderThenSplitsFrames() {
        EmbeddedChannel channel = decoderChannel(4096);
        ByteBuf in = Unpooled.buffer().writeBytes(HEADER);
        writeFrame(in, Frame.METHOD, 1, new byte[] {1, 2, 3});
        writeFrame(in, Frame.HEARTBEAT, 0, new byte[0]);
        channel.writeInbound(in);

        assertSame(FrameDecoder.PROTOCOL_HEADER_ACCEPTED, channel.readInbound());
        Frame method = channel.readInbound();
        assertEquals(Frame.METHOD, method.type());
        assertEquals(1, method.channel());
        assertEquals(3, method.payload().readableBytes());
        method.payload().release();
        Frame heartbeat = channel.readInbound();
        assertEquals(Frame.HEARTBEAT, heartbeat.type());
        heartbeat.payload().release();
        assertFalse(channel.finish());
    }

    @Test
    void aSmallPayloadIsCopiedSoItDoesNotHoldTheReadBufferWhileALargeOneIsASliceOfIt() {
        EmbeddedChannel channel = decoderChannel(4096);
        channel.writeInbound(Unpooled.wrappedBuffer(HEADER));
        assertSame(FrameDecoder.PROTOCOL_HEADER_ACCEPTED, channel.readInbound());

        ByteBuf small = Unpooled.buffer();
        writeFrame(small, Frame.BODY, 1, new byte[FrameDecoder.COPY_LIMIT]);
        channel.writeInbound(small);
        Frame kept = channel.readInbound();
        assertEquals(0, small.refCnt(), "the read buffer is free although the small body is still held");
        assertEquals(FrameDecoder.COPY_LIMIT, kept.payload().readableBytes());
        kept.payload().release();

        ByteBuf large = Unpooled.buffer();
        byte[] body = new byte[FrameDecoder.COPY_LIMIT + 1];
        body[FrameDecoder.COPY_LIMIT] = 42;
        writeFrame(large, Frame.BODY, 1, body);
        channel.writeInbound(large);
        Frame sliced = channel.readInbound();
        assertEquals(1, large.refCnt(), "the large body is a slice that keeps the read buffer");
        assertEquals(42, sliced.payload().getByte(sliced.payload().readerIndex() + FrameDecoder.COPY_LIMIT));
        sliced.payload().release();
        assertEquals(0, large.refCnt());
        assertFalse(channel.finish());
    }

    @Test
    void waitsForAFrameSplitAcrossReads() {
        EmbeddedChannel channel = decoderChannel(4096);
        channel.writeInbound(Unpooled.wrappedBuffer(HEADER));
        assertSame(FrameDecoder.PROTOCOL_HEADER_ACCEPTED, channel.readInbound());
        ByteBuf frame = Unpooled.buffer();
        writeFrame(frame, Frame.BODY, 7, "hello".getBytes(StandardCharsets.US_ASCII));
        channel.writeInbound(frame.readRetainedSlice(5));
        assertNull(channel.readInbound());
        channel.writeInbound(frame);
        Frame body = channel.readInbound();
        assertEquals("hello", body.payload().toString(StandardCharsets.US_ASCII));
        body.payload().release();
        assertFalse(channel.finish());
    }

    @Test
    void wrongProtocolHeaderIsAnsweredWithOursAndTheSocketClosed() {
        EmbeddedChannel channel = decoderChannel(4096);
        channel.writeInbound(Unpooled.wrappedBuffer("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII)));
        ByteBuf reply = channel.readOutbound();
        byte[] bytes = new byte[reply.readableBytes()];
        reply.readBytes(bytes);
        reply.release();
        assertEquals(new String(HEADER, StandardCharsets.ISO_8859_1), new String(bytes, StandardCharsets.ISO_8859_1));
        assertFalse(channel.isOpen());
    }

    @Test
    void rejectsFrameLargerThanFrameMax() {
        EmbeddedChannel channel = decoderChannel(4096);
        ByteBuf in = Unpooled.buffer().writeBytes(HEADER);
        in.writeByte(Frame.BODY).writeShort(1).writeInt(4096 + 1);
        channel.writeInbound(in);
        channel.readInbound();
        FrameError error = assertInstanceOf(FrameError.class, channel.readInbound());
        assertEquals(ReplyCode.FRAME_ERROR, error.error().replyCode());
        assertTrue(error.error().replyText().contains("frame-max"), error.error().replyText());
        assertFalse(channel.finish());
    }

    @Test
    void acceptsPayloadOfExactlyFrameMaxAsRabbitMqDoes() {
        EmbeddedChannel channel = decoderChannel(4096);
        ByteBuf in = Unpooled.buffer().writeBytes(HEADER);
        writeFrame(in, Frame.BODY, 1, new byte[4096]);
        channel.writeInbound(in);
        channel.readInbound();
        Frame frame = channel.readInbound();
        assertEquals(4096, frame.payload().readableBytes());
        frame.payload().release();
        assertFalse(channel.finish());
    }

    @Test
    void rejectsWrongEndOctetAndDiscardsWhatFollows() {
        EmbeddedChannel channel = decoderChannel(4096);
        ByteBuf in = Unpooled.buffer().writeBytes(HEADER);
        in.writeByte(Frame.METHOD).writeShort(1).writeInt(2).writeShort(0).writeByte(0x00);
        writeFrame(in, Frame.METHOD, 1, new byte[] {1});
        channel.writeInbound(in);
        channel.readInbound();
        FrameError error = assertInstanceOf(FrameError.class, channel.readInbound());
        assertTrue(error.error().replyText().contains("frame-end"), error.error().replyText());
        assertNull(channel.readInbound());
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
        assertNull(channel.readInbound());
        assertFalse(channel.finish());
    }

    @Test
    void aReadWhileAutoReadIsOffAsksForNoFurtherRead() {
        AtomicInteger readsRequested = new AtomicInteger();
        ChannelOutboundHandlerAdapter readCounter = new ChannelOutboundHandlerAdapter() {
            @Override
            public void read(ChannelHandlerContext ctx) {
                readsRequested.incrementAndGet();
                ctx.read();
            }
        };
        List<Frame> frames = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(readCounter,
                new FrameDecoder(4096, (type, id, payload) -> frames.add(new Frame(type, id, payload))));
        channel.writeInbound(Unpooled.wrappedBuffer(HEADER));
        assertSame(FrameDecoder.PROTOCOL_HEADER_ACCEPTED, channel.readInbound());
        channel.config().setAutoRead(false); // as a connection does to stop reading a publisher
        int before = readsRequested.get();

        ByteBuf in = Unpooled.buffer();
        writeFrame(in, Frame.METHOD, 1, new byte[] {1});
        channel.writeInbound(in);

        assertEquals(1, frames.size());
        assertEquals(before, readsRequested.get(), "the decoder asked for another read although reading was paused");
        frames.forEach(frame -> frame.payload().release());
        assertFalse(channel.finish());
    }

    @Test
    void framesBeforeABrokenOneArriveBeforeItsError() {
        EmbeddedChannel channel = decoderChannel(4096);
        ByteBuf in = Unpooled.buffer().writeBytes(HEADER);
        writeFrame(in, Frame.METHOD, 1, new byte[] {1});
        writeFrame(in, Frame.HEADER, 1, new byte[] {2});
        writeFrame(in, 5, 1, new byte[] {3});
        channel.writeInbound(in);
        assertSame(FrameDecoder.PROTOCOL_HEADER_ACCEPTED, channel.readInbound());
        Frame method = channel.readInbound();
        assertEquals(Frame.METHOD, method.type());
        method.payload().release();
        Frame header = channel.readInbound();
        assertEquals(Frame.HEADER, header.type());
        header.payload().release();
        assertInstanceOf(FrameError.class, channel.readInbound());
        assertNull(channel.readInbound());
        assertFalse(channel.finish());
    }

    @Test
    void rejectsUnknownFrameType() {
        EmbeddedChannel channel = decoderChannel(4096);
        ByteBuf in = Unpooled.buffer().writeBytes(HEADER);
        writeFrame(in, 5, 1, new byte[] {1});
        channel.writeInbound(in);
        channel.readInbound();
        FrameError error = assertInstanceOf(FrameError.class, channel.readInbound());
        assertEquals(ReplyCode.FRAME_ERROR, error.error().replyCode());
        assertFalse(channel.finish());
    }

    private static void writeFrame(ByteBuf out, int type, int channel, byte[] payload) {
        out.writeByte(type).writeShort(channel).writeInt(payload.length).writeBytes(payload).writeByte(Frame.END);
    }
}
