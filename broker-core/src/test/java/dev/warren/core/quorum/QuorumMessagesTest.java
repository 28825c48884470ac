package dev.warren.core.quorum;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.warren.core.message.Message;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class QuorumMessagesTest {
    @Test
    void aMessageComesBackWithItsExchangeKeyArrivalPropertiesAndBody() {
        byte[] properties = {(byte) 0x90, 0, 1, 2}; // opaque here: the bytes the publisher sent
        Message published = new Message("orders.é", "eu.paris", Unpooled.wrappedBuffer(properties),
                Unpooled.copiedBuffer("a body", StandardCharsets.UTF_8), 1_765_000_000_123L);
        Message decoded = QuorumMessages.decode(QuorumMessages.encode(published));
        assertEquals("orders.é", decoded.exchange());
        assertEquals("eu.paris", decoded.routingKey());
        assertEquals(1_765_000_000_123L, decoded.arrivedAt());
        assertArrayEquals(properties, ByteBufUtil.getBytes(decoded.properties()));
        assertEquals("a body", decoded.body().toString(StandardCharsets.UTF_8));
    }

    @Test
    void anEmptyMessageWithTheLongestNamesSurvives() {
        String longest = "k".repeat(255);
        Message published = new Message(longest, longest, Unpooled.EMPTY_BUFFER, Unpooled.EMPTY_BUFFER, 0);
        Message decoded = QuorumMessages.decode(QuorumMessages.encode(published));
        assertEquals(longest, decoded.exchange());
        assertEquals(longest, decoded.routingKey());
        assertEquals(0, decoded.bodySize());
    }
}
