package dev.warren.core.quorum;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * What the node that submitted a command hears back once the leader applied it: the command's position in the log
 * ({@link QuorumQueueState#position}: for an enqueue, its message's id) and, for basic.get and queue.purge, the
 * answer the state gave ({@link QuorumEffect.GetResult}, {@link QuorumEffect.Purged}), and for a refused enqueue
 * {@link QuorumEffect.Rejected}; {@code answer} is null for
 * every other command. Carried in the Raft reply (one per command of a batch), so the submitter needs no replica.
 */
public record QuorumReply(long position, QuorumEffect answer) {
    private static final int NONE = 0;
    private static final int GET_RESULT = 1;
    private static final int PURGED = 2;
    private static final int REJECTED = 3;

    /** The log index of the entry the command was in. */
    public long index() {
        return position >>> 16;
    }

    /** The replies to the commands of the entry at {@code index}, given the effects each had, in order. */
    public static byte[] encode(long index, List<List<QuorumEffect>> effectsPerCommand) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16);
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            out.writeLong(index);
            out.writeInt(effectsPerCommand.size());
            for (List<QuorumEffect> effects : effectsPerCommand) {
                writeAnswer(out, effects);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array stream does not fail
        }
        return bytes.toByteArray();
    }

    private static void writeAnswer(DataOutputStream out, List<QuorumEffect> effects) throws IOException {
        QuorumEffect answer = effects.stream()
                .filter(e -> e instanceof QuorumEffect.GetResult || e instanceof QuorumEffect.Purged
                        || e instanceof QuorumEffect.Rejected)
                .findFirst().orElse(null);
        if (answer instanceof QuorumEffect.GetResult g) {
            out.writeByte(GET_RESULT);
            g.holder().writeTo(out);
            out.writeLong(g.id());
            out.writeBoolean(g.redelivered());
            out.writeInt(g.deliveryCount());
            out.writeLong(g.remaining());
            out.writeInt(g.message() == null ? -1 : g.message().length);
            if (g.message() != null) {
                out.write(g.message());
            }
        } else if (answer instanceof QuorumEffect.Purged p) {
            out.writeByte(PURGED);
            out.writeLong(p.count());
        } else if (answer instanceof QuorumEffect.Rejected) {
            out.writeByte(REJECTED);
        } else {
            out.writeByte(NONE);
        }
    }

    /** The replies an entry's bytes hold, one per command, in order. */
    public static List<QuorumReply> decode(byte[] bytes) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            long index = in.readLong();
            int n = in.readInt();
            List<QuorumReply> replies = new java.util.ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                replies.add(new QuorumReply(QuorumQueueState.position(index, i), readAnswer(in)));
            }
            return replies;
        } catch (IOException e) {
            throw new IllegalStateException("a quorum queue reply that cannot be read", e);
        }
    }

    private static QuorumEffect readAnswer(DataInputStream in) throws IOException {
        int kind = in.readUnsignedByte();
        return switch (kind) {
            case GET_RESULT -> {
                ConsumerKey holder = ConsumerKey.readFrom(in);
                long id = in.readLong();
                boolean redelivered = in.readBoolean();
                int deliveryCount = in.readInt();
                long remaining = in.readLong();
                int length = in.readInt();
                byte[] message = null;
                if (length >= 0) {
                    message = new byte[length];
                    in.readFully(message);
                }
                yield new QuorumEffect.GetResult(holder, id, message, redelivered, deliveryCount, remaining);
            }
            case PURGED -> new QuorumEffect.Purged(in.readLong());
            case REJECTED -> new QuorumEffect.Rejected();
            default -> null;
        };
    }
}
