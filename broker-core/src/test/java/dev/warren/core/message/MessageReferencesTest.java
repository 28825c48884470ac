package dev.warren.core.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.IllegalReferenceCountException;
import org.junit.jupiter.api.Test;

class MessageReferencesTest {
    private final ByteBuf properties = Unpooled.buffer().writeShort(0);
    private final ByteBuf body = Unpooled.copiedBuffer(new byte[] {1, 2, 3});
    private final Message message = new Message("", "q", properties, body);

    @Test
    void aNewMessageHoldsOneReference() {
        assertEquals(1, message.refCnt());
        assertEquals(1, body.refCnt());
    }

    @Test
    void theLastReleaseFreesBodyAndPropertiesAndNoEarlierOneDoes() {
        message.retain(2);
        assertFalse(message.release());
        assertFalse(message.release());
        assertEquals(1, body.refCnt(), "still held once");
        assertTrue(message.release());
        assertEquals(0, message.refCnt());
        assertEquals(0, body.refCnt());
        assertEquals(0, properties.refCnt());
    }

    @Test
    void releasingMoreThanIsHeldFailsAndFreesNothing() {
        message.retain();
        assertThrows(IllegalReferenceCountException.class, () -> message.release(3));
        assertEquals(2, message.refCnt(), "the failed release is undone");
        assertEquals(1, body.refCnt());
        assertTrue(message.release(2));
    }

    @Test
    void aFreedMessageCannotBeRetainedOrReleasedAgain() {
        assertTrue(message.release());
        assertThrows(IllegalReferenceCountException.class, message::retain);
        assertThrows(IllegalReferenceCountException.class, message::release);
        assertEquals(0, message.refCnt());
    }

    @Test
    void nonPositiveCountsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> message.retain(0));
        assertThrows(IllegalArgumentException.class, () -> message.release(-1));
        assertEquals(1, message.refCnt());
    }
}
