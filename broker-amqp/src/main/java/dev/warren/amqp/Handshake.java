package dev.warren.amqp;

import dev.warren.amqp.protocol.Method;
import dev.warren.amqp.protocol.Methods;
import dev.warren.amqp.tls.TlsPeer;
import dev.warren.core.AmqpException;
import dev.warren.core.Broker;
import dev.warren.core.ReplyCode;
import dev.warren.core.VirtualHost;
import dev.warren.core.auth.ResourceAccess;
import dev.warren.core.auth.User;
import dev.warren.core.limits.Limits;
import java.net.InetAddress;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection handshake after the protocol header: start / start-ok (authentication), tune / tune-ok
 * (limits), open / open-ok (virtual host). Each step checks what the client sent as RabbitMQ does; the
 * last returns the {@link NegotiatedTerms}. Which step comes next is the connection's state machine.
 * Connection thread only.
 */
final class Handshake {
    private static final Logger LOG = LoggerFactory.getLogger(Handshake.class);

    private final Broker broker;
    private final AmqpSettings settings;
    private final String peer;
    private final InetAddress remote;
    private User user;
    private String mechanism;
    private TlsPeer tls;
    /** The mechanisms connection.start offered. */
    private java.util.List<String> offered = java.util.List.of();
    private Map<String, Object> clientProperties = Map.of();
    private boolean consumerCancelNotify;
    private boolean blockedNotifications;
    private boolean authenticationFailureClose;
    private int channelMax;
    private int frameMax;
    private int heartbeat;

    Handshake(Broker broker, AmqpSettings settings, String peer, InetAddress remote) {
        this.broker = broker;
        this.settings = settings;
        this.peer = peer;
        this.remote = remote;
    }

    /** Whether the client said it understands a 403 connection.close for a refused login. */
    boolean authenticationFailureClose() {
        return authenticationFailureClose;
    }

    /**
     * The connection.start: the configured mechanisms, EXTERNAL only on a TLS connection whose client sent a
     * verified certificate (as RabbitMQ's rabbitmq_auth_mechanism_ssl offers it).
     */
    Method start(TlsPeer tls) {
        this.tls = tls;
        offered = settings.authMechanisms().stream()
                .filter(m -> !m.equals(SaslResponse.EXTERNAL) || (tls != null && tls.certificate() != null))
                .toList();
        return Methods.CONNECTION_START.with(0, 9, ServerProperties.table(), String.join(" ", offered), "en_US");
    }

    /** Authenticates the client; returns the tune to send. */
    Method startOk(Method startOk) {
        clientProperties = startOk.table("client-properties");
        if (clientProperties.get("capabilities") instanceof Map<?, ?> capabilities) {
            consumerCancelNotify = Boolean.TRUE.equals(capabilities.get("consumer_cancel_notify"));
            blockedNotifications = Boolean.TRUE.equals(capabilities.get("connection.blocked"));
            authenticationFailureClose = Boolean.TRUE.equals(capabilities.get("authentication_failure_close"));
        }
        mechanism = startOk.string("mechanism");
        if (AmqpSettings.KNOWN_MECHANISMS.contains(mechanism) && !offered.contains(mechanism)) {
            throw AmqpException.of(ReplyCode.COMMAND_INVALID, "invalid authentication mechanism '%s'", mechanism);
        }
        String username;
        if (mechanism.equals(SaslResponse.EXTERNAL)) {
            // the verified client certificate names the user; no password (RabbitMQ's EXTERNAL)
            username = tls.loginName(settings.certLoginFromCommonName());
            user = broker.users().user(username)
                    .filter(u -> !broker.users().loopbackOnly(u.name()) || (remote != null && remote.isLoopbackAddress()))
                    .orElse(null);
        } else {
            SaslResponse credentials = SaslResponse.parse(mechanism, startOk.bytes("response"));
            username = credentials.username();
            user = broker.users().authenticate(credentials.username(), credentials.password(), remote).orElse(null);
        }
        if (user == null) {
            LOG.warn("Login refused for user '{}' from {} (mechanism {})", username, peer, mechanism);
            throw AmqpException.of(ReplyCode.ACCESS_REFUSED,
                    "Login was refused using authentication mechanism %s. For details see the broker logfile.", mechanism);
        }
        return Methods.CONNECTION_TUNE.with(settings.channelMax(), (long) settings.frameMax(), settings.heartbeatSeconds());
    }

    /** The limits the client chose, checked against ours. */
    void tuneOk(Method tuneOk) {
        int clientChannelMax = tuneOk.intValue("channel-max");
        long clientFrameMax = tuneOk.longValue("frame-max");
        // As RabbitMQ: 0 would mean "no limit", which a server with limits refuses.
        if (clientFrameMax < AmqpSettings.MIN_FRAME_MAX) {
            throw AmqpException.of(ReplyCode.NOT_ALLOWED, "frame_max=%d < %d min size", clientFrameMax, AmqpSettings.MIN_FRAME_MAX);
        }
        if (clientFrameMax > settings.frameMax()) {
            throw AmqpException.of(ReplyCode.NOT_ALLOWED, "frame_max=%d > %d max size", clientFrameMax, settings.frameMax());
        }
        if (clientChannelMax == 0 || clientChannelMax > settings.channelMax()) {
            throw AmqpException.of(ReplyCode.NOT_ALLOWED, "channel_max=%d > %d max", clientChannelMax, settings.channelMax());
        }
        channelMax = clientChannelMax;
        frameMax = (int) clientFrameMax;
        heartbeat = tuneOk.intValue("heartbeat");
    }

    int frameMax() {
        return frameMax;
    }

    int heartbeat() {
        return heartbeat;
    }

    /** Opens the virtual host the client asked for, if the user may; the handshake is then done. */
    NegotiatedTerms open(Method open) {
        String vhostName = open.string("virtual-host");
        VirtualHost vhost = broker.vhost(vhostName);
        if (vhost == null) {
            throw AmqpException.of(ReplyCode.NOT_ALLOWED, "vhost %s not found", vhostName);
        }
        if (!ResourceAccess.mayOpen(broker.users(), user.name(), vhostName)) {
            LOG.warn("Connection from {} refused: user '{}' has no access to vhost '{}'", peer, user.name(), vhostName);
            throw AmqpException.of(ReplyCode.NOT_ALLOWED, "access to vhost '%s' refused for user '%s'", vhostName, user.name());
        }
        checkConnectionLimits(vhost);
        return new NegotiatedTerms(user, mechanism, clientProperties, vhost, channelMax, frameMax, heartbeat,
                consumerCancelNotify, blockedNotifications);
    }

    /** RabbitMQ's vhost and user max-connections, counted over the connections open now (refused with 530). */
    private void checkConnectionLimits(VirtualHost vhost) {
        Limits vhostLimits = vhost.limits();
        Limits userLimits = broker.users().limits(user.name());
        if (vhostLimits.of(Limits.MAX_CONNECTIONS) < 0 && userLimits.of(Limits.MAX_CONNECTIONS) < 0) {
            return;
        }
        if (vhostLimits.reached(Limits.MAX_CONNECTIONS, broker.connections().countWhere(c -> c.vhost().equals(vhost.name())))) {
            throw AmqpException.of(ReplyCode.NOT_ALLOWED, "access to vhost '%s' refused for user '%s': connection limit (%d) is reached",
                    vhost.name(), user.name(), vhostLimits.of(Limits.MAX_CONNECTIONS));
        }
        if (userLimits.reached(Limits.MAX_CONNECTIONS, broker.connections().countWhere(c -> c.user().equals(user.name())))) {
            throw AmqpException.of(ReplyCode.NOT_ALLOWED, "connection refused for user '%s': user connection limit (%d) is reached",
                    user.name(), userLimits.of(Limits.MAX_CONNECTIONS));
        }
    }

    /** The user who logged in, or null before start-ok. */
    User user() {
        return user;
    }
}
