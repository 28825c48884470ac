package dev.warren.amqp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.amqp.UnackedDeliveries.Unacked;
import dev.warren.core.AmqpException;
import dev.warren.core.ReplyCode;
import java.util.List;
import org.junit.jupiter.api.Test;

class UnackedDeliveriesTest {
    private static Unacked delivery(long tag) {
        return new Unacked(tag, null, null, null, 0);
    }

    private static UnackedDeliveries withTags(long... tags) {
        UnackedDeliveries unacked = new UnackedDeliveries();
        for (long tag : tags) {
            unacked.add(delivery(tag));
        }
        return unacked;
    }

    private static List<Long> tags(List<Unacked> deliveries) {
        return deliveries.stream().map(Unacked::tag).toList();
    }

    @Test
    void takesOneTag() {
        UnackedDeliveries unacked = withTags(1, 2, 3);
        assertEquals(List.of(2L), tags(unacked.take(2, false)));
        assertEquals(2, unacked.size());
    }

    @Test
    void multipleTakesEveryTagUpToTheOneNamedInOrder() {
        UnackedDeliveries unacked = withTags(1, 2, 4, 5);
        assertEquals(List.of(1L, 2L, 4L), tags(unacked.take(4, true)));
        assertEquals(List.of(5L), tags(unacked.takeAll()));
    }

    @Test
    void multipleWithTagZeroTakesEverything() {
        UnackedDeliveries unacked = withTags(3, 7);
        assertEquals(List.of(3L, 7L), tags(unacked.take(0, true)));
        assertTrue(unacked.isEmpty());
    }

    @Test
    void anUnknownTagIsPreconditionFailedAndTakesNothing() {
        UnackedDeliveries unacked = withTags(1, 2);
        AmqpException single = assertThrows(AmqpException.class, () -> unacked.take(9, false));
        assertEquals(ReplyCode.PRECONDITION_FAILED, single.replyCode());
        assertEquals("PRECONDITION_FAILED - unknown delivery tag 9", single.replyText());
        assertThrows(AmqpException.class, () -> unacked.take(9, true), "multiple names a tag that is not outstanding");
        assertEquals(2, unacked.size());
    }

    @Test
    void aTagCannotBeTakenTwice() {
        UnackedDeliveries unacked = withTags(1);
        unacked.take(1, false);
        assertThrows(AmqpException.class, () -> unacked.take(1, false));
    }

    @Test
    void restoredDeliveriesGoBackInTagOrder() {
        UnackedDeliveries unacked = withTags(1, 2, 3, 4);
        List<Unacked> taken = unacked.take(3, false);
        List<Unacked> first = unacked.take(1, false);
        unacked.restore(taken);
        unacked.restore(first);
        assertEquals(List.of(1L, 2L, 3L, 4L), tags(unacked.takeAll()));
    }

    @Test
    void theOldestIsTheLowestTagOutstanding() {
        UnackedDeliveries unacked = withTags(1, 2, 3);
        assertEquals(1L, unacked.oldest().tag());
        unacked.take(1, false);
        assertEquals(2L, unacked.oldest().tag());
        List<Unacked> rest = unacked.takeAll();
        assertNull(unacked.oldest());
        unacked.restore(rest);
        assertEquals(2L, unacked.oldest().tag());
    }
}
