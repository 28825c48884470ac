package dev.warren.core.cluster;

import dev.warren.core.AmqpException;
import dev.warren.core.ReplyCode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A home node's answer to a {@link HomeRequest}: done (with up to two counts and, for a get, a message), refused (a
 * full queue refusing a publish: a nack, not an error), or an error with its AMQP reply code and text, which the
 * asking node raises on its client's channel as if it had happened there.
 *
 * @param error    null unless {@link Status#ERROR}
 * @param message  a get's message (QuorumMessages' encoding), or null
 */
public record HomeReply(Status status, long count, long secondCount, long thirdCount, byte[] message,
                        boolean redelivered, AmqpException error) {
    public enum Status { DONE, REFUSED, ERROR }

    public static HomeReply done(long count, long secondCount) {
        return new HomeReply(Status.DONE, count, secondCount, 0, null, false, null);
    }

    /** A queue's counts for management: ready, unacknowledged ({@link #secondCount}), consumers ({@link #thirdCount}). */
    public static HomeReply stats(long ready, long unacknowledged, long consumers) {
        return new HomeReply(Status.DONE, ready, unacknowledged, consumers, null, false, null);
    }

    /** A got message, held for an ack under {@code id} (its {@link #secondCount}; 0 for a no-ack get). */
    public static HomeReply got(byte[] message, boolean redelivered, long remaining, long id) {
        return new HomeReply(Status.DONE, remaining, id, 0, message, redelivered, null);
    }

    public static HomeReply refused() {
        return new HomeReply(Status.REFUSED, 0, 0, 0, null, false, null);
    }

    public static HomeReply failed(AmqpException error) {
        return new HomeReply(Status.ERROR, 0, 0, 0, null, false, error);
    }

    /** This reply's counts, or its error thrown as the home node raised it. */
    public HomeReply orThrow() {
        if (status == Status.ERROR) {
            throw error;
        }
        return this;
    }

    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(message != null ? message.length + 32 : 32);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(status.ordinal());
            out.writeLong(count);
            out.writeLong(secondCount);
            out.writeLong(thirdCount);
            out.writeBoolean(redelivered);
            out.writeInt(message == null ? -1 : message.length);
            if (message != null) {
                out.write(message);
            }
            if (error != null) {
                out.writeShort(error.replyCode().code());
                // the detail only: the reply text is rebuilt from the code's name
                out.writeUTF(error.getMessage().substring(error.replyCode().name().length() + 3));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static HomeReply decode(byte[] bytes) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            Status status = Status.values()[in.readByte()];
            long count = in.readLong();
            long secondCount = in.readLong();
            long thirdCount = in.readLong();
            boolean redelivered = in.readBoolean();
            int length = in.readInt();
            byte[] message = length < 0 ? null : in.readNBytes(length);
            AmqpException error = null;
            if (status == Status.ERROR) {
                int code = in.readShort();
                String detail = in.readUTF();
                error = new AmqpException(replyCode(code), detail);
            }
            return new HomeReply(status, count, secondCount, thirdCount, message, redelivered, error);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("a home node's reply could not be read", e);
        }
    }

    private static ReplyCode replyCode(int code) {
        for (ReplyCode c : ReplyCode.values()) {
            if (c.code() == code) {
                return c;
            }
        }
        return ReplyCode.INTERNAL_ERROR;
    }
}
