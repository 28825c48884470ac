package dev.warren.amqp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class PublisherFlowTest {

    @Test
    void stopsReadingAtTheHighMarkAndResumesAtTheLowMark() {
        EmbeddedChannel socket = new EmbeddedChannel();
        PublisherFlow flow = new PublisherFlow(new ReadGate(socket), new Outbox(socket.eventLoop(), () -> { }));

        for (int i = 0; i < PublisherFlow.HIGH_WATER_MARK - 1; i++) {
            flow.sent();
        }
        assertTrue(socket.config().isAutoRead(), "still below the high mark");
        flow.sent();
        assertFalse(socket.config().isAutoRead(), "paused at the high mark");

        for (int i = 0; i < PublisherFlow.HIGH_WATER_MARK - PublisherFlow.LOW_WATER_MARK - 1; i++) {
            flow.enqueued();
        }
        assertFalse(socket.config().isAutoRead(), "still paused above the low mark");
        flow.enqueued();
        assertTrue(socket.config().isAutoRead(), "reading again at the low mark");
        socket.finishAndReleaseAll();
    }

    @Test
    void staysPausedWhenMoreArrivedBeforeTheResumeCheck() {
        EmbeddedChannel socket = new EmbeddedChannel();
        PublisherFlow flow = new PublisherFlow(new ReadGate(socket), new Outbox(socket.eventLoop(), () -> { }));
        for (int i = 0; i < PublisherFlow.HIGH_WATER_MARK; i++) {
            flow.sent();
        }
        for (int i = 0; i < PublisherFlow.HIGH_WATER_MARK - PublisherFlow.LOW_WATER_MARK - 1; i++) {
            flow.enqueued();
        }
        flow.sent(); // a message of the last read cycle, processed after the pause
        flow.enqueued(); // back at the mark + 1: no resume yet
        assertFalse(socket.config().isAutoRead());
        flow.enqueued();
        flow.enqueued(); // falls to the low mark again
        assertTrue(socket.config().isAutoRead());
        socket.finishAndReleaseAll();
    }
}
