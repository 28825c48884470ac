package dev.warren.core.stats;

import java.util.ArrayList;
import java.util.List;

/**
 * The message counters of one connection's channels: those of its open channels, and the sum of those that
 * closed, so that the connection's totals never go back when a channel closes.
 *
 * <p>Threading: channels open and close, and count, on the connection's event loop. Opening, closing and the
 * reads here take this object's lock so that a reader never sees a closed channel twice or not at all; the
 * counting itself ({@link OwnedCounters#add}) takes none.
 */
public final class ConnectionCounters {
    private final List<OwnedCounters> open = new ArrayList<>(2);
    private final OwnedCounters closed = new OwnedCounters();

    /** A channel opens: its counters, which the connection's totals include from now on. */
    public synchronized OwnedCounters opened() {
        OwnedCounters channel = new OwnedCounters();
        open.add(channel);
        return channel;
    }

    /** A channel closed: its counts stay in the connection's totals. Connection thread. */
    public synchronized void closed(OwnedCounters channel) {
        for (int i = 0; i < open.size(); i++) {
            if (open.get(i) == channel) {
                open.remove(i);
                closed.addAll(channel);
                return;
            }
        }
    }

    /** The connection's total of one counter: its closed channels' and its open ones'. Any thread. */
    public synchronized long total(Counter counter) {
        long sum = closed.get(counter);
        for (int i = 0; i < open.size(); i++) {
            sum += open.get(i).get(counter);
        }
        return sum;
    }

    /** The counters of the channels open now. Any thread. */
    public synchronized List<OwnedCounters> openChannels() {
        return List.copyOf(open);
    }
}
