package dev.warren.core.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.core.quorum.QuorumEffect.DeadReason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuorumQueueStateTest {
    private static final ConsumerKey ALICE = new ConsumerKey("warren@a", 1, "alice");
    private static final ConsumerKey BOB = new ConsumerKey("warren@b", 7, "bob");

    private final QuorumQueueState queue = new QuorumQueueState(2, true);
    private long index;

    private List<QuorumEffect> apply(QuorumCommand command) {
        List<QuorumEffect> effects = new ArrayList<>();
        queue.apply(++index, command, effects::add);
        return effects;
    }

    private long publish(String body) {
        apply(new QuorumCommand.Enqueue(body.getBytes(StandardCharsets.UTF_8)));
        return index;
    }

    private static String body(QuorumEffect effect) {
        return new String(((QuorumEffect.Deliver) effect).message(), StandardCharsets.UTF_8);
    }

    @Test
    void consumersTakeTurnsWithinTheirCredit() {
        apply(new QuorumCommand.Checkout(ALICE, 1));
        apply(new QuorumCommand.Checkout(BOB, 2));
        publish("m1");
        publish("m2");
        publish("m3");
        List<QuorumEffect> fourth = apply(new QuorumCommand.Enqueue("m4".getBytes(StandardCharsets.UTF_8)));
        assertTrue(fourth.isEmpty(), "both consumers are full: " + fourth);
        assertEquals(1, queue.readyCount());
        assertEquals(3, queue.checkedOutCount());
    }

    @Test
    void aReturnedMessageGoesOutBeforeNewOnesRedeliveredWithItsDeliveryCount() {
        long first = publish("first");
        publish("second");
        List<QuorumEffect> out = apply(new QuorumCommand.Checkout(ALICE, 1));
        assertEquals("first", body(out.get(0)));
        List<QuorumEffect> again = apply(new QuorumCommand.Return(ALICE, new long[] {first}));
        QuorumEffect.Deliver redelivery = (QuorumEffect.Deliver) again.get(0);
        assertEquals("first", body(redelivery));
        assertTrue(redelivery.redelivered());
        assertEquals(1, redelivery.deliveryCount());
    }

    @Test
    void aMessageReturnedPastTheDeliveryLimitIsDeadLetteredUntilTheLeaderReportsIt() {
        long id = publish("poison");
        apply(new QuorumCommand.Checkout(ALICE, 1));
        apply(new QuorumCommand.Return(ALICE, new long[] {id}));
        apply(new QuorumCommand.Return(ALICE, new long[] {id}));
        List<QuorumEffect> third = apply(new QuorumCommand.Return(ALICE, new long[] {id}));
        QuorumEffect.DeadLetter dead = (QuorumEffect.DeadLetter) third.get(0);
        assertEquals(DeadReason.DELIVERY_LIMIT, dead.reason());
        assertEquals(3, dead.deliveryCount());
        assertEquals(1, queue.totalCount(), "kept until dead-lettered (at least once)");
        assertEquals(0, queue.readyCount());
        apply(new QuorumCommand.DeadLettered(new long[] {id}));
        assertEquals(0, queue.totalCount());
    }

    @Test
    void aCancelledConsumerKeepsWhatItHoldsUntilItsChannelSettlesIt() {
        long id = publish("m");
        apply(new QuorumCommand.Checkout(ALICE, 5));
        apply(new QuorumCommand.Cancel(ALICE));
        assertEquals(0, queue.consumerCount());
        assertTrue(apply(new QuorumCommand.Enqueue(new byte[0])).isEmpty(), "no deliveries after cancel");
        apply(new QuorumCommand.Settle(ALICE, new long[] {id}));
        assertEquals(1, queue.totalCount(), "only the new message is left");
    }

    @Test
    void aLostNodeReturnsWhatItsConsumersHeldToTheOthers() {
        publish("m");
        apply(new QuorumCommand.Checkout(BOB, 1));
        apply(new QuorumCommand.Checkout(ALICE, 1));
        List<QuorumEffect> effects = apply(new QuorumCommand.NodeDown("warren@b"));
        QuorumEffect.Deliver delivery = (QuorumEffect.Deliver) effects.get(0);
        assertEquals(ALICE, delivery.consumer());
        assertTrue(delivery.redelivered());
    }

    @Test
    void basicGetHoldsTheMessageForItsChannelUnlessNoAck() {
        publish("a");
        publish("b");
        ConsumerKey gets = ConsumerKey.forGets("warren@a", 3);
        QuorumEffect.GetResult first = (QuorumEffect.GetResult) apply(new QuorumCommand.Get(gets, false)).get(0);
        assertEquals(1, first.remaining());
        assertFalse(first.redelivered());
        apply(new QuorumCommand.Get(gets, true));
        QuorumEffect.GetResult empty = (QuorumEffect.GetResult) apply(new QuorumCommand.Get(gets, true)).get(0);
        assertNull(empty.message());
        assertEquals(1, queue.totalCount(), "the acked get still held");
        apply(new QuorumCommand.ChannelDown("warren@a", 3));
        assertEquals(1, queue.readyCount(), "its channel closed: back in the queue");
    }

    private static byte[] encoded(String body) {
        return QuorumMessages.encode(new dev.warren.core.message.Message("", "q", io.netty.buffer.Unpooled.EMPTY_BUFFER,
                io.netty.buffer.Unpooled.copiedBuffer(body, StandardCharsets.UTF_8), 0));
    }

    private static String bodyOf(byte[] encoded) {
        return QuorumMessages.decode(encoded).body().toString(StandardCharsets.UTF_8);
    }

    @Test
    void overTheLengthLimitTheOldestReadyMessageIsDeadLetteredWithReasonMaxlen() {
        apply(new QuorumCommand.Configure(2, true, 2, QuorumQueueState.UNLIMITED, false, false));
        long first = publish("m1");
        publish("m2");
        apply(new QuorumCommand.Checkout(ALICE, 1)); // m1 out: only ready messages count
        publish("m3");
        assertTrue(apply(new QuorumCommand.Enqueue("m4".getBytes(StandardCharsets.UTF_8))).stream()
                .anyMatch(e -> e instanceof QuorumEffect.DeadLetter d && d.reason() == DeadReason.MAXLEN
                        && new String(d.message(), StandardCharsets.UTF_8).equals("m2")), "m2, the head, dies");
        assertEquals(2, queue.readyCount());
        assertEquals(1, queue.checkedOutCount(), "m1 stays with its consumer");
        apply(new QuorumCommand.Settle(ALICE, new long[] {first}));
    }

    @Test
    void withoutADeadLetterExchangeTheHeadIsDroppedAndALowerLimitTrimsAtOnce() {
        apply(new QuorumCommand.Configure(2, false));
        for (int i = 1; i <= 5; i++) {
            publish("m" + i);
        }
        List<QuorumEffect> lowered = apply(new QuorumCommand.Configure(2, false, 3, QuorumQueueState.UNLIMITED, false, false));
        assertTrue(lowered.isEmpty(), "dropped, not dead-lettered: " + lowered);
        assertEquals(3, queue.totalCount());
        ConsumerKey gets = ConsumerKey.forGets("warren@a", 3);
        QuorumEffect.GetResult head = (QuorumEffect.GetResult) apply(new QuorumCommand.Get(gets, true)).get(0);
        assertEquals("m3", new String(head.message(), StandardCharsets.UTF_8));
    }

    @Test
    void aFullRejectPublishQueueRefusesTheNewMessageAndKeepsTheOthers() {
        apply(new QuorumCommand.Configure(2, true, 2, QuorumQueueState.UNLIMITED, true, false));
        publish("m1");
        publish("m2");
        List<QuorumEffect> refused = apply(new QuorumCommand.Enqueue("m3".getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of(new QuorumEffect.Rejected()), refused);
        assertEquals(2, queue.totalCount());
        ConsumerKey gets = ConsumerKey.forGets("warren@a", 3);
        apply(new QuorumCommand.Get(gets, true));
        assertTrue(apply(new QuorumCommand.Enqueue("m4".getBytes(StandardCharsets.UTF_8))).isEmpty(), "room again");
        assertEquals(2, queue.readyCount());
    }

    @Test
    void aByteLimitCountsTheReadyBodiesAndSurvivesASnapshot() throws java.io.IOException {
        apply(new QuorumCommand.Configure(2, false, QuorumQueueState.UNLIMITED, 10, true, false));
        apply(new QuorumCommand.Enqueue(encoded("12345")));
        apply(new QuorumCommand.Enqueue(encoded("67890")));
        assertEquals(List.of(new QuorumEffect.Rejected()), apply(new QuorumCommand.Enqueue(encoded("x"))));

        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        queue.writeSnapshot(new java.io.DataOutputStream(bytes));
        QuorumQueueState restored = QuorumQueueState.readSnapshot(
                new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())));
        List<QuorumEffect> effects = new ArrayList<>();
        restored.apply(++index, new QuorumCommand.Enqueue(encoded("y")), effects::add);
        assertEquals(List.of(new QuorumEffect.Rejected()), effects, "the limit and the count came back");
        ConsumerKey gets = ConsumerKey.forGets("warren@a", 3);
        effects.clear();
        restored.apply(++index, new QuorumCommand.Get(gets, true), effects::add);
        assertEquals("12345", bodyOf(((QuorumEffect.GetResult) effects.get(0)).message()));
        effects.clear();
        restored.apply(++index, new QuorumCommand.Enqueue(encoded("abcde")), effects::add);
        assertTrue(effects.isEmpty(), "five bytes freed, five taken: " + effects);
    }

    @Test
    void aSingleActiveConsumerGetsEverythingUntilItGoesThenTheNextTakesOver() {
        apply(new QuorumCommand.Configure(2, false, QuorumQueueState.UNLIMITED, QuorumQueueState.UNLIMITED, false, true));
        apply(new QuorumCommand.Checkout(ALICE, 10));
        apply(new QuorumCommand.Checkout(BOB, 10));
        List<QuorumEffect> out = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            out.addAll(apply(new QuorumCommand.Enqueue(("m" + i).getBytes(StandardCharsets.UTF_8))));
        }
        assertEquals(3, out.size());
        assertTrue(out.stream().allMatch(e -> ((QuorumEffect.Deliver) e).consumer().equals(ALICE)), out.toString());
        assertEquals(ALICE, queue.activeConsumer());

        List<QuorumEffect> takeover = apply(new QuorumCommand.ChannelDown("warren@a", 1));
        assertEquals(BOB, queue.activeConsumer());
        assertEquals(3, takeover.size(), "what Alice held goes to Bob, in order: " + takeover);
        assertEquals("m1", body(takeover.get(0)));
        assertTrue(takeover.stream().allMatch(e -> ((QuorumEffect.Deliver) e).consumer().equals(BOB)));
    }

    @Test
    void aMessageExpiresAtTheHeadOnceATickSaysItsTimeHasComeAndIsDeadLetteredExpired() {
        apply(new QuorumCommand.Enqueue("short".getBytes(StandardCharsets.UTF_8), 1_000));
        apply(new QuorumCommand.Enqueue("long".getBytes(StandardCharsets.UTF_8), 5_000));
        apply(new QuorumCommand.Enqueue("forever".getBytes(StandardCharsets.UTF_8)));
        assertEquals(1_000, queue.nextExpiry());
        assertTrue(apply(new QuorumCommand.Tick(999)).isEmpty(), "not yet");
        List<QuorumEffect> due = apply(new QuorumCommand.Tick(1_000));
        QuorumEffect.DeadLetter dead = (QuorumEffect.DeadLetter) due.get(0);
        assertEquals(DeadReason.EXPIRED, dead.reason());
        assertEquals("short", new String(dead.message(), StandardCharsets.UTF_8));
        assertEquals(1, due.size());
        assertEquals(5_000, queue.nextExpiry());
        assertEquals(2, queue.readyCount());

        apply(new QuorumCommand.Tick(10_000));
        assertEquals(1, queue.readyCount(), "the one without an expiry stays");
        assertEquals(QuorumQueueState.NEVER, queue.nextExpiry());
    }

    @Test
    void aReturnedMessageThatExpiredMeanwhileDiesInsteadOfGoingOutAgain() {
        long id = publishExpiring("late", 2_000);
        apply(new QuorumCommand.Checkout(ALICE, 1));
        apply(new QuorumCommand.Tick(3_000)); // out with Alice: it does not expire there
        assertEquals(1, queue.checkedOutCount());
        List<QuorumEffect> back = apply(new QuorumCommand.Return(ALICE, new long[] {id}));
        assertEquals(1, back.size());
        assertEquals(DeadReason.EXPIRED, ((QuorumEffect.DeadLetter) back.get(0)).reason());
    }

    private long publishExpiring(String body, long expiresAt) {
        apply(new QuorumCommand.Enqueue(body.getBytes(StandardCharsets.UTF_8), expiresAt));
        return index;
    }

    @Test
    void anExclusiveConsumerIsRefusedBesideOthersAndRefusesOthersUntilItGoes() {
        ConsumerKey carol = new ConsumerKey("warren@c", 2, "carol");
        apply(new QuorumCommand.Checkout(ALICE, 1));
        assertEquals(List.of(new QuorumEffect.Rejected()), apply(new QuorumCommand.Checkout(BOB, 1, true, 0)));
        apply(new QuorumCommand.Cancel(ALICE));
        assertTrue(apply(new QuorumCommand.Checkout(BOB, 1, true, 0)).isEmpty(), "alone now: taken");
        assertEquals(List.of(new QuorumEffect.Rejected()), apply(new QuorumCommand.Checkout(carol, 1)));
        assertEquals(1, queue.consumerCount());
    }

    @Test
    void consumersOfAHigherPriorityAreServedFirstAndLowerOnesOnlyWhenTheyAreFull() {
        apply(new QuorumCommand.Checkout(ALICE, 2, false, 0));
        apply(new QuorumCommand.Checkout(BOB, 2, false, 5));
        List<QuorumEffect> out = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            out.addAll(apply(new QuorumCommand.Enqueue(("m" + i).getBytes(StandardCharsets.UTF_8))));
        }
        assertEquals(List.of(BOB, BOB, ALICE), out.stream().map(e -> ((QuorumEffect.Deliver) e).consumer()).toList());
    }

    @Test
    void highPriorityMessagesGoOutTwoForEveryNormalOneWhileBothWait() {
        for (String body : List.of("n1", "n2", "n3")) {
            apply(new QuorumCommand.Enqueue(body.getBytes(StandardCharsets.UTF_8)));
        }
        for (String body : List.of("h1", "h2", "h3")) {
            apply(new QuorumCommand.Enqueue(body.getBytes(StandardCharsets.UTF_8), QuorumQueueState.NEVER, true));
        }
        ConsumerKey gets = ConsumerKey.forGets("warren@a", 3);
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            QuorumEffect.GetResult got = (QuorumEffect.GetResult) apply(new QuorumCommand.Get(gets, true)).get(0);
            order.add(new String(got.message(), StandardCharsets.UTF_8));
        }
        assertEquals(List.of("h1", "h2", "n1", "h3", "n2", "n3"), order);
    }
}
