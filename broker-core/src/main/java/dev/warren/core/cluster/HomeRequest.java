package dev.warren.core.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * What a node asks of a classic queue on its home node (another cluster node), as it travels over the {@link NodeLink}:
 * an operation on a queue named by virtual host and name.
 */
public sealed interface HomeRequest {
    String vhost();

    String queue();

    /** Take a published message ({@link dev.warren.core.quorum.QuorumMessages}' encoding); answered once it is safe. */
    record Publish(String vhost, String queue, byte[] message) implements HomeRequest {
    }

    /** The queue's message and consumer counts (a declare elsewhere; counts as a use for x-expires). */
    record Counts(String vhost, String queue) implements HomeRequest {
    }

    /** The queue's ready, unacknowledged and consumer counts, for management (not a use, unlike {@link Counts}). */
    record Stats(String vhost, String queue) implements HomeRequest {
    }

    record Purge(String vhost, String queue) implements HomeRequest {
    }

    record Delete(String vhost, String queue, boolean ifUnused, boolean ifEmpty) implements HomeRequest {
    }

    /**
     * A basic.get that needs an ack: the next message, held on the home node for holder {@code holderId} of node
     * {@code node} (one per channel and queue there) until a {@link Settle} or {@link Cancel} with that id.
     */
    record Get(String vhost, String queue, String node, long holderId) implements HomeRequest {
    }

    /** A basic.get with no-ack: the next message, settled at once on the home node. */
    record GetNoAck(String vhost, String queue) implements HomeRequest {
    }

    /**
     * A consumer on node {@code node} (its id there {@code consumerId}): the home node delivers to it with the given
     * prefetch (0: no limit) through {@link Deliveries} requests of its own.
     */
    record Consume(String vhost, String queue, String node, long consumerId, String tag, int prefetch, boolean noAck,
                   boolean exclusive, int priority) implements HomeRequest {
    }

    /** What became of deliveries to a forwarded consumer: acked, requeued or discarded (dead-lettered). */
    record Settle(String vhost, String queue, String node, long consumerId, long[] ids, byte outcome) implements HomeRequest {
    }

    /**
     * A forwarded consumer stops: no more deliveries; with {@code requeue} (its channel closed) what it still holds
     * goes back, else its unacked deliveries wait for their acks as after a basic.cancel.
     */
    record Cancel(String vhost, String queue, String node, long consumerId, boolean requeue) implements HomeRequest {
    }

    /** From the home node to the consumer's node: messages for consumer {@code consumerId}. */
    record Deliveries(String vhost, String queue, long consumerId, long[] ids, boolean[] redelivered, byte[][] messages)
            implements HomeRequest {
    }

    /** From the home node to the consumer's node: the queue went away, the consumer is cancelled. */
    record Cancelled(String vhost, String queue, long consumerId) implements HomeRequest {
    }

    byte ACK = 0;
    byte REQUEUE = 1;
    byte DISCARD = 2;

    byte PUBLISH = 1;
    byte COUNTS = 2;
    byte PURGE = 3;
    byte DELETE = 4;
    byte GET_NO_ACK = 5;
    byte CONSUME = 6;
    byte SETTLE = 7;
    byte CANCEL = 8;
    byte DELIVERIES = 9;
    byte CANCELLED = 10;
    byte GET = 11;
    byte STATS = 12;

    static byte[] encode(HomeRequest request) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(request instanceof Publish p ? p.message().length + 64 : 64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(type(request));
            out.writeUTF(request.vhost());
            out.writeUTF(request.queue());
            if (request instanceof Publish p) {
                out.writeInt(p.message().length);
                out.write(p.message());
            } else if (request instanceof Delete d) {
                out.writeBoolean(d.ifUnused());
                out.writeBoolean(d.ifEmpty());
            } else if (request instanceof Consume c) {
                out.writeUTF(c.node());
                out.writeLong(c.consumerId());
                out.writeUTF(c.tag());
                out.writeInt(c.prefetch());
                out.writeBoolean(c.noAck());
                out.writeBoolean(c.exclusive());
                out.writeInt(c.priority());
            } else if (request instanceof Settle st) {
                out.writeUTF(st.node());
                out.writeLong(st.consumerId());
                out.writeByte(st.outcome());
                out.writeInt(st.ids().length);
                for (long id : st.ids()) {
                    out.writeLong(id);
                }
            } else if (request instanceof Cancel c) {
                out.writeUTF(c.node());
                out.writeLong(c.consumerId());
                out.writeBoolean(c.requeue());
            } else if (request instanceof Deliveries d) {
                out.writeLong(d.consumerId());
                out.writeInt(d.ids().length);
                for (int i = 0; i < d.ids().length; i++) {
                    out.writeLong(d.ids()[i]);
                    out.writeBoolean(d.redelivered()[i]);
                    out.writeInt(d.messages()[i].length);
                    out.write(d.messages()[i]);
                }
            } else if (request instanceof Cancelled c) {
                out.writeLong(c.consumerId());
            } else if (request instanceof Get g) {
                out.writeUTF(g.node());
                out.writeLong(g.holderId());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static byte type(HomeRequest request) {
        if (request instanceof Publish) {
            return PUBLISH;
        } else if (request instanceof Counts) {
            return COUNTS;
        } else if (request instanceof Purge) {
            return PURGE;
        } else if (request instanceof Delete) {
            return DELETE;
        } else if (request instanceof Consume) {
            return CONSUME;
        } else if (request instanceof Settle) {
            return SETTLE;
        } else if (request instanceof Cancel) {
            return CANCEL;
        } else if (request instanceof Deliveries) {
            return DELIVERIES;
        } else if (request instanceof Cancelled) {
            return CANCELLED;
        } else if (request instanceof Get) {
            return GET;
        } else if (request instanceof Stats) {
            return STATS;
        }
        return GET_NO_ACK;
    }

    static HomeRequest decode(byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        byte type = in.readByte();
        String vhost = in.readUTF();
        String queue = in.readUTF();
        return switch (type) {
            case PUBLISH -> new Publish(vhost, queue, in.readNBytes(in.readInt()));
            case COUNTS -> new Counts(vhost, queue);
            case PURGE -> new Purge(vhost, queue);
            case DELETE -> new Delete(vhost, queue, in.readBoolean(), in.readBoolean());
            case GET_NO_ACK -> new GetNoAck(vhost, queue);
            case CONSUME -> new Consume(vhost, queue, in.readUTF(), in.readLong(), in.readUTF(), in.readInt(),
                    in.readBoolean(), in.readBoolean(), in.readInt());
            case SETTLE -> readSettle(vhost, queue, in);
            case CANCEL -> new Cancel(vhost, queue, in.readUTF(), in.readLong(), in.readBoolean());
            case DELIVERIES -> readDeliveries(vhost, queue, in);
            case CANCELLED -> new Cancelled(vhost, queue, in.readLong());
            case GET -> new Get(vhost, queue, in.readUTF(), in.readLong());
            case STATS -> new Stats(vhost, queue);
            default -> throw new IOException("unknown home queue request type " + type);
        };
    }

    private static Settle readSettle(String vhost, String queue, DataInputStream in) throws IOException {
        String node = in.readUTF();
        long consumerId = in.readLong();
        byte outcome = in.readByte();
        long[] ids = new long[in.readInt()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = in.readLong();
        }
        return new Settle(vhost, queue, node, consumerId, ids, outcome);
    }

    private static Deliveries readDeliveries(String vhost, String queue, DataInputStream in) throws IOException {
        long consumerId = in.readLong();
        int count = in.readInt();
        long[] ids = new long[count];
        boolean[] redelivered = new boolean[count];
        byte[][] messages = new byte[count][];
        for (int i = 0; i < count; i++) {
            ids[i] = in.readLong();
            redelivered[i] = in.readBoolean();
            messages[i] = in.readNBytes(in.readInt());
        }
        return new Deliveries(vhost, queue, consumerId, ids, redelivered, messages);
    }
}
