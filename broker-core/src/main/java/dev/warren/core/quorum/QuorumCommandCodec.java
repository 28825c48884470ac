package dev.warren.core.quorum;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A quorum queue's log entries as bytes: one type byte, then the command's fields (big-endian, strings as
 * modified UTF-8, id lists with their count first, the enqueued message as its length and bytes). The type
 * numbers are on disk in every replica's log: never renumber one, only add.
 */
public final class QuorumCommandCodec {
    private static final int ENQUEUE = 1;
    private static final int CHECKOUT = 2;
    private static final int CANCEL = 3;
    private static final int SETTLE = 4;
    private static final int RETURN = 5;
    private static final int DISCARD = 6;
    private static final int GET = 7;
    private static final int CHANNEL_DOWN = 8;
    private static final int NODE_DOWN = 9;
    private static final int PURGE = 10;
    private static final int DEAD_LETTERED = 11;
    private static final int CONFIGURE = 12;
    private static final int BATCH = 13;
    /**
     * A Configure with length limits and single active consumer (a plain CONFIGURE, from logs written before them,
     * has neither).
     */
    private static final int CONFIGURE_V2 = 14;
    /** An Enqueue of a message that expires or has a high priority, with flags (a plain ENQUEUE has neither). */
    private static final int ENQUEUE_V2 = 15;
    private static final int EXPIRES = 1;
    private static final int HIGH = 2;
    private static final int TICK = 16;
    /** A Checkout that is exclusive or has a priority (one that is neither is a plain CHECKOUT). */
    private static final int CHECKOUT_V2 = 17;

    private QuorumCommandCodec() {
    }

    public static byte[] encode(QuorumCommand command) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(command instanceof QuorumCommand.Enqueue e
                ? e.message().length + 16 : command instanceof QuorumCommand.Batch b ? b.commands().size() * 64 : 64);
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            if (command instanceof QuorumCommand.Configure c) {
                out.writeByte(CONFIGURE_V2);
                out.writeInt(c.deliveryLimit());
                out.writeBoolean(c.deadLettering());
                out.writeLong(c.maxLength());
                out.writeLong(c.maxLengthBytes());
                out.writeBoolean(c.rejectPublish());
                out.writeBoolean(c.singleActiveConsumer());
            } else if (command instanceof QuorumCommand.Enqueue e) {
                int flags = (e.expiresAt() != QuorumQueueState.NEVER ? EXPIRES : 0) | (e.high() ? HIGH : 0);
                out.writeByte(flags == 0 ? ENQUEUE : ENQUEUE_V2);
                out.writeInt(e.message().length);
                out.write(e.message());
                if (flags != 0) {
                    out.writeByte(flags);
                    if ((flags & EXPIRES) != 0) {
                        out.writeLong(e.expiresAt());
                    }
                }
            } else if (command instanceof QuorumCommand.Tick t) {
                out.writeByte(TICK);
                out.writeLong(t.now());
            } else if (command instanceof QuorumCommand.Checkout c) {
                boolean plain = !c.exclusive() && c.priority() == 0;
                out.writeByte(plain ? CHECKOUT : CHECKOUT_V2);
                c.consumer().writeTo(out);
                out.writeInt(c.credit());
                if (!plain) {
                    out.writeBoolean(c.exclusive());
                    out.writeInt(c.priority());
                }
            } else if (command instanceof QuorumCommand.Cancel c) {
                out.writeByte(CANCEL);
                c.consumer().writeTo(out);
            } else if (command instanceof QuorumCommand.Settle s) {
                out.writeByte(SETTLE);
                s.consumer().writeTo(out);
                writeIds(out, s.ids());
            } else if (command instanceof QuorumCommand.Return r) {
                out.writeByte(RETURN);
                r.consumer().writeTo(out);
                writeIds(out, r.ids());
            } else if (command instanceof QuorumCommand.Discard d) {
                out.writeByte(DISCARD);
                d.consumer().writeTo(out);
                writeIds(out, d.ids());
            } else if (command instanceof QuorumCommand.Get g) {
                out.writeByte(GET);
                g.holder().writeTo(out);
                out.writeBoolean(g.noAck());
            } else if (command instanceof QuorumCommand.ChannelDown d) {
                out.writeByte(CHANNEL_DOWN);
                out.writeUTF(d.node());
                out.writeLong(d.channel());
            } else if (command instanceof QuorumCommand.NodeDown d) {
                out.writeByte(NODE_DOWN);
                out.writeUTF(d.node());
            } else if (command instanceof QuorumCommand.Purge) {
                out.writeByte(PURGE);
            } else if (command instanceof QuorumCommand.DeadLettered d) {
                out.writeByte(DEAD_LETTERED);
                writeIds(out, d.ids());
            } else if (command instanceof QuorumCommand.Batch b) {
                out.writeByte(BATCH);
                out.writeInt(b.commands().size());
                for (QuorumCommand one : b.commands()) {
                    byte[] encoded = encode(one);
                    out.writeInt(encoded.length);
                    out.write(encoded);
                }
            } else {
                throw new IllegalArgumentException("no encoding for " + command);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array stream does not fail
        }
        return bytes.toByteArray();
    }

    /** The command these bytes hold; an IOException when they hold none (truncated, unknown type). */
    public static QuorumCommand decode(byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        int type = in.readUnsignedByte();
        QuorumCommand command = switch (type) {
            case ENQUEUE, ENQUEUE_V2 -> {
                int length = in.readInt();
                if (length < 0 || length > bytes.length) {
                    throw new IOException("enqueue of " + length + " bytes in an entry of " + bytes.length);
                }
                byte[] message = new byte[length];
                in.readFully(message);
                int flags = type == ENQUEUE ? 0 : in.readUnsignedByte();
                yield new QuorumCommand.Enqueue(message, (flags & EXPIRES) != 0 ? in.readLong() : QuorumQueueState.NEVER,
                        (flags & HIGH) != 0);
            }
            case TICK -> new QuorumCommand.Tick(in.readLong());
            case CHECKOUT -> new QuorumCommand.Checkout(ConsumerKey.readFrom(in), in.readInt());
            case CHECKOUT_V2 -> new QuorumCommand.Checkout(ConsumerKey.readFrom(in), in.readInt(), in.readBoolean(),
                    in.readInt());
            case CANCEL -> new QuorumCommand.Cancel(ConsumerKey.readFrom(in));
            case SETTLE -> new QuorumCommand.Settle(ConsumerKey.readFrom(in), readIds(in));
            case RETURN -> new QuorumCommand.Return(ConsumerKey.readFrom(in), readIds(in));
            case DISCARD -> new QuorumCommand.Discard(ConsumerKey.readFrom(in), readIds(in));
            case GET -> new QuorumCommand.Get(ConsumerKey.readFrom(in), in.readBoolean());
            case CHANNEL_DOWN -> new QuorumCommand.ChannelDown(in.readUTF(), in.readLong());
            case NODE_DOWN -> new QuorumCommand.NodeDown(in.readUTF());
            case PURGE -> new QuorumCommand.Purge();
            case DEAD_LETTERED -> new QuorumCommand.DeadLettered(readIds(in));
            case CONFIGURE -> new QuorumCommand.Configure(in.readInt(), in.readBoolean());
            case CONFIGURE_V2 -> new QuorumCommand.Configure(in.readInt(), in.readBoolean(), in.readLong(), in.readLong(),
                    in.readBoolean(), in.readBoolean());
            case BATCH -> readBatch(in, bytes.length);
            default -> throw new IOException("unknown quorum queue command type " + type);
        };
        if (in.available() > 0) {
            throw new IOException(in.available() + " bytes after a quorum queue command of type " + type);
        }
        return command;
    }

    private static QuorumCommand.Batch readBatch(DataInputStream in, int entryLength) throws IOException {
        int n = in.readInt();
        if (n < 1 || n > QuorumQueueState.MAX_BATCH) {
            throw new IOException("a batch of " + n + " commands");
        }
        java.util.List<QuorumCommand> commands = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int length = in.readInt();
            if (length < 1 || length > in.available()) {
                throw new IOException("a batched command of " + length + " bytes in an entry of " + entryLength);
            }
            byte[] one = new byte[length];
            in.readFully(one);
            QuorumCommand command = decode(one);
            if (command instanceof QuorumCommand.Batch) {
                throw new IOException("a batch inside a batch");
            }
            commands.add(command);
        }
        return new QuorumCommand.Batch(commands);
    }

    private static void writeIds(DataOutputStream out, long[] ids) throws IOException {
        out.writeInt(ids.length);
        for (long id : ids) {
            out.writeLong(id);
        }
    }

    private static long[] readIds(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available() / Long.BYTES) {
            throw new IOException("a list of " + n + " ids in " + in.available() + " bytes");
        }
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = in.readLong();
        }
        return ids;
    }
}
