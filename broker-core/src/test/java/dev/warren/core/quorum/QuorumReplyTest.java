package dev.warren.core.quorum;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class QuorumReplyTest {
    private static final ConsumerKey HOLDER = ConsumerKey.forGets("warren@a", 7);

    @Test
    void eachCommandOfAnEntryHearsItsPositionAndTheAnswerOfAGetOrAPurge() {
        List<QuorumReply> replies = QuorumReply.decode(QuorumReply.encode(12, List.of(
                List.<QuorumEffect>of(new QuorumEffect.Deliver(new ConsumerKey("warren@b", 1, "c"), 3, new byte[] {1},
                        false, 0)),
                List.<QuorumEffect>of(new QuorumEffect.GetResult(HOLDER, 9, new byte[] {4, 5}, true, 2, 41)),
                List.<QuorumEffect>of(new QuorumEffect.GetResult(HOLDER, -1, null, false, 0, 0)),
                List.<QuorumEffect>of(new QuorumEffect.Purged(5)),
                List.of())));
        assertEquals(5, replies.size());
        for (int i = 0; i < replies.size(); i++) {
            assertEquals(QuorumQueueState.position(12, i), replies.get(i).position());
            assertEquals(12, replies.get(i).index());
        }
        assertNull(replies.get(0).answer(), "a delivery is no answer to the submitter");
        QuorumEffect.GetResult got = (QuorumEffect.GetResult) replies.get(1).answer();
        assertEquals(HOLDER, got.holder());
        assertEquals(9, got.id());
        assertArrayEquals(new byte[] {4, 5}, got.message());
        assertTrue(got.redelivered());
        assertEquals(2, got.deliveryCount());
        assertEquals(41, got.remaining());
        assertNull(((QuorumEffect.GetResult) replies.get(2).answer()).message(), "an empty queue");
        assertEquals(5, ((QuorumEffect.Purged) replies.get(3).answer()).count());
        assertNull(replies.get(4).answer());
    }

    @Test
    void aRefusedEnqueueHearsItWasRejected() {
        List<QuorumReply> replies = QuorumReply.decode(QuorumReply.encode(3, List.of(
                List.<QuorumEffect>of(new QuorumEffect.Rejected()), List.of())));
        assertEquals(new QuorumEffect.Rejected(), replies.get(0).answer());
        assertNull(replies.get(1).answer(), "a taken enqueue hears nothing more");
    }
}
