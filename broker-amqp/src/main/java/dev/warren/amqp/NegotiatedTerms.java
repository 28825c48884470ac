package dev.warren.amqp;

import dev.warren.core.VirtualHost;
import dev.warren.core.auth.User;
import java.util.Map;

/**
 * What the handshake settled: who the client is, the virtual host it opened, and the connection's limits
 * and capabilities.
 *
 * @param consumerCancelNotify the client understands server-sent basic.cancel
 * @param blockedNotifications the client understands connection.blocked / unblocked
 */
record NegotiatedTerms(User user, String authMechanism, Map<String, Object> clientProperties, VirtualHost vhost,
                       int channelMax, int frameMax, int heartbeat, boolean consumerCancelNotify,
                       boolean blockedNotifications) {
}
