package dev.warren.amqp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Heartbeats with a 2 s interval: a tick every second, on EmbeddedChannel's clock. */
class HeartbeatsTest {
    private final AtomicInteger silentReports = new AtomicInteger();
    private final AtomicBoolean readingPaused = new AtomicBoolean();
    private final EmbeddedChannel channel = new EmbeddedChannel(
            new Heartbeats(2, readingPaused::get, silentReports::incrementAndGet));

    @Test
    void sendsAHeartbeatFrameOnlyAfterAHalfIntervalWithNothingWritten() {
        channel.writeOutbound(Unpooled.wrappedBuffer(new byte[] {42}));
        ((ByteBuf) channel.readOutbound()).release();
        tick(); // something was written during this half interval
        assertNull(channel.readOutbound());
        tick();
        ByteBuf heartbeat = channel.readOutbound();
        assertEquals(Unpooled.wrappedBuffer(new byte[] {8, 0, 0, 0, 0, 0, 0, (byte) 0xCE}), heartbeat);
        heartbeat.release();
    }

    @Test
    void reportsTheClientSilentOnceAfterTwoIntervalsWithNothingRead() {
        for (int i = 0; i < Heartbeats.SILENT_TICKS - 1; i++) {
            tick();
        }
        assertEquals(0, silentReports.get());
        tick();
        assertEquals(1, silentReports.get());
        tick();
        assertEquals(1, silentReports.get(), "reported once");
    }

    @Test
    void anyReadStartsTheSilenceAgain() {
        for (int i = 0; i < 10; i++) {
            tick();
            tick();
            tick();
            channel.pipeline().fireChannelReadComplete();
        }
        assertEquals(0, silentReports.get());
    }

    @Test
    void silenceWhileTheBrokerIsNotReadingIsNotTheClientsFault() {
        readingPaused.set(true);
        for (int i = 0; i < 3 * Heartbeats.SILENT_TICKS; i++) {
            tick();
        }
        assertEquals(0, silentReports.get());
        readingPaused.set(false);
        for (int i = 0; i < Heartbeats.SILENT_TICKS; i++) {
            tick();
        }
        assertEquals(1, silentReports.get());
    }

    private void tick() {
        channel.advanceTimeBy(1, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
    }

    @AfterEach
    void releaseWhatWasWritten() {
        for (Object frame; (frame = channel.readOutbound()) != null; ) {
            ((ByteBuf) frame).release();
        }
        channel.finishAndReleaseAll();
    }
}
