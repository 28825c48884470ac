package dev.warren.amqp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class PublisherFlowTest {
    private static final int HIGH = 20;
    private static final int LOW = 10;

    private static PublisherFlow flow(EmbeddedChannel socket) {
        return new PublisherFlow(new ReadGate(socket), ReadGate.Reason.PUBLISHER_FLOW,
                new Outbox(socket.eventLoop(), () -> { }), HIGH, LOW);
    }

    @Test
    void stopsReadingAtTheHighMarkAndResumesAtTheLowMark() {
        EmbeddedChannel socket = new EmbeddedChannel();
        PublisherFlow flow = flow(socket);

        for (int i = 0; i < HIGH - 1; i++) {
            flow.add(1);
        }
        assertTrue(socket.config().isAutoRead(), "still below the high mark");
        flow.add(1);
        assertFalse(socket.config().isAutoRead(), "paused at the high mark");

        for (int i = 0; i < HIGH - LOW - 1; i++) {
            flow.remove(1);
        }
        assertFalse(socket.config().isAutoRead(), "still paused above the low mark");
        flow.remove(1);
        assertTrue(socket.config().isAutoRead(), "reading again at the low mark");
        socket.finishAndReleaseAll();
    }

    @Test
    void staysPausedWhenMoreArrivedBeforeTheResumeCheck() {
        EmbeddedChannel socket = new EmbeddedChannel();
        PublisherFlow flow = flow(socket);
        for (int i = 0; i < HIGH; i++) {
            flow.add(1);
        }
        for (int i = 0; i < HIGH - LOW - 1; i++) {
            flow.remove(1);
        }
        flow.add(1); // a message of the last read cycle, processed after the pause
        flow.remove(1); // back at the mark + 1: no resume yet
        assertFalse(socket.config().isAutoRead());
        flow.remove(1);
        flow.remove(1); // falls to the low mark again
        assertTrue(socket.config().isAutoRead());
        socket.finishAndReleaseAll();
    }

    @Test
    void countsBytesAsWellAsMessages() {
        EmbeddedChannel socket = new EmbeddedChannel();
        PublisherFlow flow = flow(socket);
        flow.add(HIGH + 5); // one large persistent message past the mark
        assertFalse(socket.config().isAutoRead());
        flow.remove(HIGH + 5); // written by the journal: straight past the low mark
        assertTrue(socket.config().isAutoRead());
        socket.finishAndReleaseAll();
    }

    @Test
    void readingResumesOnlyWhenEveryReasonHasCleared() {
        EmbeddedChannel socket = new EmbeddedChannel();
        ReadGate gate = new ReadGate(socket);
        gate.pause(ReadGate.Reason.JOURNAL_BACKLOG);
        gate.pause(ReadGate.Reason.RESOURCE_ALARM);
        gate.resume(ReadGate.Reason.JOURNAL_BACKLOG);
        assertFalse(socket.config().isAutoRead(), "the alarm still holds");
        gate.resume(ReadGate.Reason.RESOURCE_ALARM);
        assertTrue(socket.config().isAutoRead());
        socket.finishAndReleaseAll();
    }
}
