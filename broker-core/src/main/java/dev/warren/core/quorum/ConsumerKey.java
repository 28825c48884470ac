package dev.warren.core.quorum;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * A consumer of a replicated queue as every replica names it: the node it lives on, its channel there (a number
 * the node gives each channel, unique on that node while it runs) and its consumer tag. basic.get's deliveries
 * that await an ack are held under the channel's key with an empty tag.
 */
public record ConsumerKey(String node, long channel, String tag) {
    /** The key under which basic.get holds deliveries for a channel until they are acked. */
    public static ConsumerKey forGets(String node, long channel) {
        return new ConsumerKey(node, channel, "");
    }

    /** As the log and snapshots hold it: node and tag as modified UTF-8, the channel as a long between them. */
    void writeTo(DataOutput out) throws IOException {
        out.writeUTF(node);
        out.writeLong(channel);
        out.writeUTF(tag);
    }

    static ConsumerKey readFrom(DataInput in) throws IOException {
        return new ConsumerKey(in.readUTF(), in.readLong(), in.readUTF());
    }

    boolean sameChannel(String otherNode, long otherChannel) {
        return channel == otherChannel && node.equals(otherNode);
    }
}
