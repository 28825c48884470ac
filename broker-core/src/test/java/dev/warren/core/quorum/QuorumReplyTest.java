package dev.warren.core.quorum;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class QuorumReplyTest {
    @Test
    void repliesCarryTheIndexAndTheAnswerOfAGetOrAPurge() {
        ConsumerKey holder = ConsumerKey.forGets("warren@a", 7);
        QuorumReply got = QuorumReply.decode(QuorumReply.encode(12, List.of(
                new QuorumEffect.Deliver(new ConsumerKey("warren@b", 1, "c"), 3, new byte[] {1}, false, 0),
                new QuorumEffect.GetResult(holder, 9, new byte[] {4, 5}, true, 2, 41))));
        assertEquals(12, got.index());
        QuorumEffect.GetResult result = (QuorumEffect.GetResult) got.answer();
        assertEquals(holder, result.holder());
        assertEquals(9, result.id());
        assertArrayEquals(new byte[] {4, 5}, result.message());
        assertTrue(result.redelivered());
        assertEquals(2, result.deliveryCount());
        assertEquals(41, result.remaining());

        QuorumReply empty = QuorumReply.decode(QuorumReply.encode(13, List.of(new QuorumEffect.GetResult(holder, -1, null,
                false, 0, 0))));
        assertNull(((QuorumEffect.GetResult) empty.answer()).message());
        assertEquals(5, ((QuorumEffect.Purged) QuorumReply.decode(QuorumReply.encode(14,
                List.of(new QuorumEffect.Purged(5)))).answer()).count());
        assertNull(QuorumReply.decode(QuorumReply.encode(15, List.of())).answer());
    }
}
