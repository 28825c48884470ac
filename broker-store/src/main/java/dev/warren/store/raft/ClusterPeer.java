package dev.warren.store.raft;

/**
 * A cluster node as configuration names it, {@code NAME@HOST:PORT} (RabbitMQ's classic_config lists node names;
 * Warren adds the inter-node port, as several nodes may share a host): its node name ({@code NAME@HOST}), and the
 * host and port its inter-node (Raft) listener is on.
 */
public record ClusterPeer(String name, String host, int port) {

    /**
     * @throws IllegalArgumentException saying what is wrong
     */
    public static ClusterPeer parse(String text) {
        String s = text.strip();
        int at = s.indexOf('@');
        int colon = s.lastIndexOf(':');
        if (at <= 0 || colon < at + 2 || colon == s.length() - 1) {
            throw new IllegalArgumentException("expected NAME@HOST:PORT");
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected NAME@HOST:PORT with a port number");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("expected NAME@HOST:PORT with a port from 1 to 65535");
        }
        String host = s.substring(at + 1, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new ClusterPeer(s.substring(0, colon), host, port);
    }

    /** The Raft listener's address as Ratis takes it. */
    String address() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return name + ":" + port;
    }
}
