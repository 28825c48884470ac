package dev.warren.amqp;

import dev.warren.amqp.protocol.FrameWriter;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * AMQP heartbeats of one connection: one task every half interval sends a heartbeat frame when nothing was
 * written since the last tick, and reports the client gone once nothing was read for two whole intervals.
 * Netty's IdleStateHandler would do this with two timers and a listener on every write's promise (two
 * objects per delivery); here a write only sets a flag.
 */
final class Heartbeats extends ChannelDuplexHandler {
    /** Ticks without a read before the client counts as gone: each is half an interval, so two intervals. */
    static final int SILENT_TICKS = 4;

    private final long tickMillis;
    private final BooleanSupplier readingPaused;
    private final Runnable onSilentClient;
    private ScheduledFuture<?> ticks;
    private boolean wrote;
    private boolean read;
    private int silentTicks;

    /**
     * @param heartbeatSeconds the negotiated interval
     * @param readingPaused    whether the broker itself is not reading the socket now (the client's heartbeats
     *                         then wait in it, so its silence is not the client's fault)
     * @param onSilentClient   called once nothing was read for two intervals
     */
    Heartbeats(int heartbeatSeconds, BooleanSupplier readingPaused, Runnable onSilentClient) {
        this.tickMillis = Math.max(500, heartbeatSeconds * 500L);
        this.readingPaused = readingPaused;
        this.onSilentClient = onSilentClient;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ticks = ctx.executor().scheduleAtFixedRate(() -> tick(ctx), tickMillis, tickMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        ticks.cancel(false);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ticks.cancel(false);
        ctx.fireChannelInactive();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        wrote = true;
        ctx.write(msg, promise);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        read = true; // bytes arrived, whether or not they completed a frame
        ctx.fireChannelReadComplete();
    }

    private void tick(ChannelHandlerContext ctx) {
        if (!wrote) {
            ctx.writeAndFlush(FrameWriter.heartbeat(ctx.alloc()), ctx.voidPromise());
        }
        wrote = false;
        if (read || readingPaused.getAsBoolean()) {
            silentTicks = 0;
        } else if (++silentTicks == SILENT_TICKS) {
            onSilentClient.run();
        }
        read = false;
    }
}
