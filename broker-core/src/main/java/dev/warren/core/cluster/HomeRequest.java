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

    record Purge(String vhost, String queue) implements HomeRequest {
    }

    record Delete(String vhost, String queue, boolean ifUnused, boolean ifEmpty) implements HomeRequest {
    }

    /** A basic.get with no-ack: the next message, settled at once on the home node. */
    record GetNoAck(String vhost, String queue) implements HomeRequest {
    }

    byte PUBLISH = 1;
    byte COUNTS = 2;
    byte PURGE = 3;
    byte DELETE = 4;
    byte GET_NO_ACK = 5;

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
            default -> throw new IOException("unknown home queue request type " + type);
        };
    }
}
