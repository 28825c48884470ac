package dev.warren.core.quorum;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/** What the property tests of {@link QuorumQueueState} compare replicas by: snapshots, and effects as text. */
final class QuorumStateSnapshots {
    private QuorumStateSnapshots() {
    }

    static byte[] snapshot(QuorumQueueState state) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        state.writeSnapshot(new DataOutputStream(bytes));
        return bytes.toByteArray();
    }

    /** A replica restored from a snapshot of {@code state}. */
    static QuorumQueueState restore(QuorumQueueState state) throws IOException {
        return QuorumQueueState.readSnapshot(new DataInputStream(new ByteArrayInputStream(snapshot(state))));
    }

    /** Effects as text: records compare arrays by identity, so the messages are spelled out. */
    static String describe(List<QuorumEffect> effects) {
        StringBuilder out = new StringBuilder();
        for (QuorumEffect e : effects) {
            out.append(e.getClass().getSimpleName()).append(e).append(' ');
            byte[] message = e instanceof QuorumEffect.Deliver d ? d.message()
                    : e instanceof QuorumEffect.GetResult g ? g.message()
                    : e instanceof QuorumEffect.DeadLetter d ? d.message() : null;
            if (message != null) {
                out.append(Arrays.toString(message));
            }
            out.append('\n');
        }
        return out.toString().replaceAll("\\[B@[0-9a-f]+", "bytes");
    }
}
