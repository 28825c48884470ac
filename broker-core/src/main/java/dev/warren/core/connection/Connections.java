package dev.warren.core.connection;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/** The broker's open client connections, once they have opened a virtual host. Any thread. */
public final class Connections {
    private final ConcurrentHashMap<String, ClientConnection> open = new ConcurrentHashMap<>();

    public void add(ClientConnection connection) {
        open.put(connection.info().name(), connection);
    }

    public void remove(ClientConnection connection) {
        open.remove(connection.info().name(), connection);
    }

    public Optional<ClientConnection> named(String name) {
        return Optional.ofNullable(open.get(name));
    }

    /** Every open connection, in the order they connected. */
    public List<ClientConnection> list() {
        List<ClientConnection> all = new ArrayList<>(open.values());
        all.sort(Comparator.comparingLong((ClientConnection c) -> c.info().connectedAt()).thenComparing(c -> c.info().name()));
        return all;
    }

    public int count() {
        return open.size();
    }

    /** How many open connections match (unsorted, no copy: limits check it on every connection.open). */
    public long countWhere(Predicate<ConnectionInfo> which) {
        long n = 0;
        for (ClientConnection c : open.values()) {
            n += which.test(c.info()) ? 1 : 0;
        }
        return n;
    }

    /** The channels open on the connections that match. */
    public long channelsWhere(Predicate<ConnectionInfo> which) {
        long n = 0;
        for (ClientConnection c : open.values()) {
            n += which.test(c.info()) ? c.channelCount() : 0;
        }
        return n;
    }

    /** Force-closes every connection that matches; returns how many. */
    public int closeWhere(Predicate<ConnectionInfo> which, String reason) {
        int closed = 0;
        for (ClientConnection c : open.values()) {
            if (which.test(c.info())) {
                c.forceClose(reason);
                closed++;
            }
        }
        return closed;
    }
}
