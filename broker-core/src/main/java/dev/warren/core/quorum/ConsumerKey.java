package dev.warren.core.quorum;

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

    boolean sameChannel(String otherNode, long otherChannel) {
        return channel == otherChannel && node.equals(otherNode);
    }
}
