package dev.warren.core.quorum;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuorumCommandCodecTest {
    private static final ConsumerKey KEY = new ConsumerKey("warren@höst", 42, "amq.ctag-ü");

    @Test
    void everyCommandComesBackAsItWasEncoded() throws IOException {
        List<QuorumCommand> commands = List.of(
                new QuorumCommand.Configure(QuorumQueueState.UNLIMITED, true),
                new QuorumCommand.Configure(20, false, 1000, 1 << 20, true, true),
                new QuorumCommand.Enqueue(new byte[] {1, 2, 3}),
                new QuorumCommand.Enqueue(new byte[0]),
                new QuorumCommand.Enqueue(new byte[] {5}, 1_765_000_000_000L),
                new QuorumCommand.Enqueue(new byte[] {6}, QuorumQueueState.NEVER, true),
                new QuorumCommand.Enqueue(new byte[] {7}, 1_765_000_000_000L, true),
                new QuorumCommand.Tick(1_765_000_000_123L),
                new QuorumCommand.Checkout(KEY, 1000),
                new QuorumCommand.Checkout(KEY, 10, true, -3),
                new QuorumCommand.Cancel(KEY),
                new QuorumCommand.Settle(KEY, new long[] {1, 5, Long.MAX_VALUE}),
                new QuorumCommand.Return(KEY, new long[] {7}),
                new QuorumCommand.Discard(KEY, new long[0]),
                new QuorumCommand.Get(ConsumerKey.forGets("warren@a", 3), true),
                new QuorumCommand.ChannelDown("warren@a", 3),
                new QuorumCommand.NodeDown("warren@b"),
                new QuorumCommand.Purge(),
                new QuorumCommand.DeadLettered(new long[] {9, 10}),
                new QuorumCommand.Batch(List.of(new QuorumCommand.Enqueue(new byte[] {4}), new QuorumCommand.Settle(KEY,
                        new long[] {2}), new QuorumCommand.Purge())));
        for (QuorumCommand command : commands) {
            QuorumCommand decoded = QuorumCommandCodec.decode(QuorumCommandCodec.encode(command));
            assertEquals(text(command), text(decoded));
        }
    }

    @Test
    void aConfigureWrittenBeforeLengthLimitsReadsAsOneWithout() throws IOException {
        byte[] old = {12, 0, 0, 0, 20, 1}; // CONFIGURE, delivery limit 20, dead-lettering
        assertEquals(new QuorumCommand.Configure(20, true, QuorumQueueState.UNLIMITED, QuorumQueueState.UNLIMITED, false, false),
                QuorumCommandCodec.decode(old));
    }

    @Test
    void refusesTruncatedUnknownAndOverlongEntries() {
        byte[] settle = QuorumCommandCodec.encode(new QuorumCommand.Settle(KEY, new long[] {1, 2}));
        assertThrows(IOException.class, () -> QuorumCommandCodec.decode(Arrays.copyOf(settle, settle.length - 1)));
        assertThrows(IOException.class, () -> QuorumCommandCodec.decode(new byte[] {99}));
        assertThrows(IOException.class, () -> QuorumCommandCodec.decode(Arrays.copyOf(settle, settle.length + 1)));
        assertThrows(IOException.class, () -> QuorumCommandCodec.decode(new byte[] {1, 0x7f, 0, 0, 0}));
    }

    @Test
    void anEnqueueCarriesItsMessageBytesUnchanged() throws IOException {
        byte[] message = new byte[70_000];
        for (int i = 0; i < message.length; i++) {
            message[i] = (byte) i;
        }
        QuorumCommand.Enqueue decoded = (QuorumCommand.Enqueue) QuorumCommandCodec.decode(
                QuorumCommandCodec.encode(new QuorumCommand.Enqueue(message)));
        assertArrayEquals(message, decoded.message());
    }

    /** Records compare arrays by identity: spell the id lists and bytes out. */
    private static String text(QuorumCommand c) {
        if (c instanceof QuorumCommand.Enqueue e) {
            return "Enqueue" + Arrays.toString(e.message());
        } else if (c instanceof QuorumCommand.Settle s) {
            return "Settle" + s.consumer() + Arrays.toString(s.ids());
        } else if (c instanceof QuorumCommand.Return r) {
            return "Return" + r.consumer() + Arrays.toString(r.ids());
        } else if (c instanceof QuorumCommand.Discard d) {
            return "Discard" + d.consumer() + Arrays.toString(d.ids());
        } else if (c instanceof QuorumCommand.DeadLettered d) {
            return "DeadLettered" + Arrays.toString(d.ids());
        } else if (c instanceof QuorumCommand.Batch b) {
            return "Batch" + b.commands().stream().map(QuorumCommandCodecTest::text).toList();
        }
        return c.toString();
    }
}
