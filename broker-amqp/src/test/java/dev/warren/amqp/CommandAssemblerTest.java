package dev.warren.amqp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.amqp.protocol.Frame;
import dev.warren.amqp.protocol.Method;
import dev.warren.amqp.protocol.MethodCodec;
import dev.warren.amqp.protocol.Methods;
import dev.warren.core.AmqpException;
import dev.warren.core.ReplyCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CommandAssemblerTest {
    private final CommandAssembler assembler = new CommandAssembler(UnpooledByteBufAllocator.DEFAULT, 1000);
    private final List<ByteBuf> payloads = new ArrayList<>();

    @AfterEach
    void everyFramePayloadIsReleased() {
        assembler.reset();
        for (ByteBuf payload : payloads) {
            assertEquals(0, payload.refCnt(), "a frame payload leaked");
        }
    }

    private Command accept(Frame frame) {
        return assembler.accept(frame.type(), frame.payload());
    }

    private Frame frame(int type, ByteBuf payload) {
        payloads.add(payload);
        return new Frame(type, 1, payload);
    }

    private Frame method(Method method) {
        ByteBuf payload = Unpooled.buffer();
        MethodCodec.encode(payload, method);
        return frame(Frame.METHOD, payload);
    }

    private Frame header(long bodySize) {
        ByteBuf payload = Unpooled.buffer();
        payload.writeShort(60).writeShort(0).writeLong(bodySize).writeShort(0); // basic, no properties
        return frame(Frame.HEADER, payload);
    }

    private Frame body(String text) {
        return frame(Frame.BODY, Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    private static Method publish() {
        return Methods.BASIC_PUBLISH.with(0, "", "q", false, false);
    }

    @Test
    void aMethodWithoutContentIsACommandAtOnce() {
        Command command = accept(method(Methods.BASIC_QOS.with(0L, 10, false)));
        assertNotNull(command);
        assertTrue(command.method().is(Methods.BASIC_QOS));
        command.release();
    }

    @Test
    void aPublishWaitsForItsHeaderAndEveryBodyFrameAndKeepsTheFramesAsTheBody() {
        assertNull(accept(method(publish())));
        assertNull(accept(header(10)));
        assertNull(accept(body("hello")));
        Command command = accept(body("world"));
        assertNotNull(command);
        assertTrue(command.body() instanceof CompositeByteBuf, "several frames become a composite, not a copy");
        assertEquals("helloworld", command.body().toString(StandardCharsets.UTF_8));
        command.release();
    }

    @Test
    void anEmptyBodyCompletesWithTheHeader() {
        assertNull(accept(method(publish())));
        Command command = accept(header(0));
        assertNotNull(command);
        assertEquals(0, command.body().readableBytes());
        command.release();
    }

    @Test
    void aMessageLargerThanTheLimitIsPreconditionFailedAndTheAssemblerStartsOver() {
        accept(method(publish()));
        AmqpException error = assertThrows(AmqpException.class, () -> accept(header(1001)));
        assertEquals(ReplyCode.PRECONDITION_FAILED, error.replyCode());
        Command next = accept(method(Methods.BASIC_QOS.with(0L, 1, false)));
        assertNotNull(next, "a new command starts cleanly");
        next.release();
    }

    @Test
    void aBodyFrameWhereAMethodIsDueIsUnexpected() {
        AmqpException error = assertThrows(AmqpException.class, () -> accept(body("x")));
        assertEquals(ReplyCode.UNEXPECTED_FRAME, error.replyCode());
    }

    @Test
    void aMethodFrameWhereTheHeaderIsDueIsUnexpected() {
        accept(method(publish()));
        AmqpException error = assertThrows(AmqpException.class, () -> accept(method(publish())));
        assertEquals(ReplyCode.UNEXPECTED_FRAME, error.replyCode());
    }

    @Test
    void moreBodyThanTheHeaderDeclaredIsAFrameError() {
        accept(method(publish()));
        accept(header(3));
        AmqpException error = assertThrows(AmqpException.class, () -> accept(body("four")));
        assertEquals(ReplyCode.FRAME_ERROR, error.replyCode());
    }
}
