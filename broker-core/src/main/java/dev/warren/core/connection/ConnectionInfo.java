package dev.warren.core.connection;

import java.net.InetSocketAddress;
import java.util.Map;

/**
 * What a connection agreed on when it opened. {@code name} is RabbitMQ's "peer:port -> local:port".
 *
 * @param connectedAt  epoch milliseconds
 * @param heartbeat    negotiated heartbeat in seconds (0: none)
 * @param tls          the connection's TLS, or null for plain AMQP
 */
public record ConnectionInfo(String name, String user, String vhost, InetSocketAddress peer, InetSocketAddress local,
                             long connectedAt, Map<String, Object> clientProperties, String authMechanism,
                             int frameMax, int channelMax, int heartbeat, TlsInfo tls) {
    public static String nameOf(InetSocketAddress peer, InetSocketAddress local) {
        return address(peer) + " -> " + address(local);
    }

    private static String address(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
