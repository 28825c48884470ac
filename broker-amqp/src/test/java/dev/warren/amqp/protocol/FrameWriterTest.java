package dev.warren.amqp.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameWriterTest {

    @Test
    void splitsALargeBodyIntoFramesOfAtMostFrameMaxAndDecodesBack() {
        int frameMax = 4096;
        byte[] bodyBytes = new byte[10_000];
        for (int i = 0; i < bodyBytes.length; i++) {
            bodyBytes[i] = (byte) i;
        }
        ByteBuf body = Unpooled.wrappedBuffer(bodyBytes);
        ByteBuf properties = Unpooled.buffer().writeShort(0);
        Method deliver = Methods.BASIC_DELIVER.with("ctag", 1L, false, "ex", "rk");
        ByteBuf wire = FrameWriter.content(ByteBufAllocator.DEFAULT, 3, deliver, properties, body, frameMax);

        List<Frame> frames = decode(wire, frameMax);
        assertEquals(Frame.METHOD, frames.get(0).type());
        assertEquals(Frame.HEADER, frames.get(1).type());
        assertEquals(10_000, frames.get(1).payload().getLong(4));
        ByteBuf reassembled = Unpooled.buffer();
        for (Frame frame : frames.subList(2, frames.size())) {
            assertEquals(Frame.BODY, frame.type());
            assertEquals(3, frame.channel());
            assertFalse(frame.payload().readableBytes() > frameMax - 8);
            reassembled.writeBytes(frame.payload());
        }
        assertEquals(body.resetReaderIndex(), reassembled);
        assertEquals(2 + 3, frames.size()); // method, header, ceil(10000 / 4088) bodies
        frames.forEach(f -> f.payload().release());
        reassembled.release();
        body.release();
        properties.release();
    }

    @Test
    void aContentMethodThatCannotBeEncodedThrowsAndLeavesNoBufferAllocated() {
        ByteBuf body = Unpooled.wrappedBuffer(new byte[] {1, 2, 3});
        ByteBuf properties = Unpooled.buffer().writeShort(0);
        Method tooLong = Methods.BASIC_RETURN.with(312, "NO_ROUTE", "", "é".repeat(128)); // 256 bytes of UTF-8
        assertThrows(IllegalArgumentException.class,
                () -> FrameWriter.content(ByteBufAllocator.DEFAULT, 1, tooLong, properties, body, 4096));
        assertThrows(IllegalArgumentException.class, () -> FrameWriter.method(ByteBufAllocator.DEFAULT, 1, tooLong));
        assertEquals(1, body.refCnt());
        body.release();
        properties.release();
        // the buffers FrameWriter allocated are checked by the leak detector (NoLeaksExtension)
    }

    @Test
    void anEmptyBodyHasNoBodyFrames() {
        ByteBuf body = Unpooled.EMPTY_BUFFER;
        ByteBuf properties = Unpooled.buffer().writeShort(0);
        ByteBuf wire = FrameWriter.content(ByteBufAllocator.DEFAULT, 1, Methods.BASIC_DELIVER.with("c", 1L, false, "", "q"),
                properties, body, 4096);
        List<Frame> frames = decode(wire, 4096);
        assertEquals(2, frames.size());
        frames.forEach(f -> f.payload().release());
        properties.release();
    }

    @Test
    void deliverWritesTheSameBytesAsTheTableDrivenEncodingOfBasicDeliver() {
        ByteBuf properties = Unpooled.buffer().writeShort(0x9000).writeByte(10).writeBytes("text/plain".getBytes())
                .writeByte(2);
        for (int bodySize : new int[] {0, 16, 4095, 4096, 10_000}) {
            for (boolean redelivered : new boolean[] {false, true}) {
                ByteBuf body = Unpooled.wrappedBuffer(new byte[bodySize + 3], 3, bodySize); // a body not at index 0
                Method method = Methods.BASIC_DELIVER.with("amq.ctag-ü", 0x1_0000_0001L, redelivered, "x.é", "rk.ß");
                ByteBuf expected = FrameWriter.content(ByteBufAllocator.DEFAULT, 7, method, properties, body, 4096);
                ByteBuf actual = FrameWriter.deliver(ByteBufAllocator.DEFAULT, 7, "amq.ctag-ü", 0x1_0000_0001L,
                        redelivered, "x.é", "rk.ß", properties, body, 4096);
                assertEquals(expected, actual, "body of " + bodySize + " bytes, redelivered " + redelivered);
                assertEquals(0, properties.readerIndex(), "the properties are copied, not read");
                expected.release();
                actual.release();
                assertEquals(1, body.refCnt());
                body.release();
            }
        }
        properties.release();
    }

    @Test
    void deliverWithANameOverTwoHundredFiftyFiveBytesThrowsAndLeavesNoBufferAllocated() {
        ByteBuf body = Unpooled.wrappedBuffer(new byte[] {1, 2, 3});
        ByteBuf properties = Unpooled.buffer().writeShort(0);
        assertThrows(IllegalArgumentException.class, () -> FrameWriter.deliver(ByteBufAllocator.DEFAULT, 1, "ctag", 1,
                false, "", "é".repeat(128), properties, body, 4096));
        assertEquals(1, body.refCnt());
        body.release();
        properties.release();
    }

    private static List<Frame> decode(ByteBuf wire, int frameMax) {
        EmbeddedChannel channel = FrameDecoderTest.decoderChannel(frameMax);
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {'A', 'M', 'Q', 'P', 0, 0, 9, 1}));
        assertSame(FrameDecoder.PROTOCOL_HEADER_ACCEPTED, channel.readInbound());
        channel.writeInbound(wire);
        List<Frame> frames = new ArrayList<>();
        for (Object o; (o = channel.readInbound()) != null; ) {
            frames.add((Frame) o);
        }
        channel.finish();
        return frames;
    }
}
