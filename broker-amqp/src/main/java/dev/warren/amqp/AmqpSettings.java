package dev.warren.amqp;

/**
 * The limits the AMQP listener negotiates and enforces, validated once at startup.
 *
 * @param channelMax        channels per connection offered in connection.tune (RabbitMQ: 2047)
 * @param frameMax          largest frame offered in connection.tune, overhead included (RabbitMQ: 131072)
 * @param heartbeatSeconds  heartbeat interval offered; a client may ask for less (RabbitMQ: 60)
 * @param maxMessageSize    largest message body accepted (RabbitMQ: 128 MiB)
 * @param handshakeTimeoutMillis time a client has to complete the handshake (RabbitMQ: 10 s)
 * @param closeTimeoutMillis     time the broker waits for connection.close-ok before closing the socket
 * @param consumerTimeoutMillis  time a delivery may wait for its ack before its channel is closed, unless its
 *                               queue's x-consumer-timeout says otherwise (RabbitMQ's consumer_timeout: 30 min)
 * @param authMechanisms    SASL mechanisms offered, in order (RabbitMQ's auth_mechanisms: PLAIN, AMQPLAIN); EXTERNAL
 *                          is offered only on a TLS connection whose client sent a verified certificate
 * @param certLoginFromCommonName  EXTERNAL takes the user name from the certificate's CN instead of its whole
 *                          subject (RabbitMQ's ssl_cert_login_from = common_name | distinguished_name)
 */
public record AmqpSettings(int channelMax, int frameMax, int heartbeatSeconds, long maxMessageSize,
                           long handshakeTimeoutMillis, long closeTimeoutMillis, long consumerTimeoutMillis,
                           java.util.List<String> authMechanisms, boolean certLoginFromCommonName) {
    /** The mechanisms Warren knows. */
    public static final java.util.List<String> KNOWN_MECHANISMS = java.util.List.of("PLAIN", "AMQPLAIN", "EXTERNAL");
    public static final int MIN_FRAME_MAX = 4096;

    public AmqpSettings {
        if (channelMax < 1 || channelMax > 65535) {
            throw new IllegalArgumentException("channel_max must be between 1 and 65535, got " + channelMax);
        }
        if (frameMax < MIN_FRAME_MAX) {
            throw new IllegalArgumentException("frame_max must be at least " + MIN_FRAME_MAX + ", got " + frameMax);
        }
        if (heartbeatSeconds < 0 || heartbeatSeconds > 65535) {
            throw new IllegalArgumentException("heartbeat must be between 0 and 65535 seconds, got " + heartbeatSeconds);
        }
        if (maxMessageSize < 1) {
            throw new IllegalArgumentException("max_message_size must be positive, got " + maxMessageSize);
        }
        if (consumerTimeoutMillis < 1) {
            throw new IllegalArgumentException("consumer_timeout must be positive, got " + consumerTimeoutMillis);
        }
        authMechanisms = java.util.List.copyOf(authMechanisms);
        if (authMechanisms.isEmpty() || !KNOWN_MECHANISMS.containsAll(authMechanisms)) {
            throw new IllegalArgumentException("auth_mechanisms must be some of " + KNOWN_MECHANISMS + ", got " + authMechanisms);
        }
    }

    public static AmqpSettings defaults() {
        return new AmqpSettings(2047, 131072, 60, 128L * 1024 * 1024, 10_000, 1_000, 1_800_000,
                java.util.List.of("PLAIN", "AMQPLAIN"), false);
    }

    public AmqpSettings withHeartbeat(int seconds) {
        return new AmqpSettings(channelMax, frameMax, seconds, maxMessageSize, handshakeTimeoutMillis, closeTimeoutMillis,
                consumerTimeoutMillis, authMechanisms, certLoginFromCommonName);
    }

    public AmqpSettings withChannelMax(int max) {
        return new AmqpSettings(max, frameMax, heartbeatSeconds, maxMessageSize, handshakeTimeoutMillis, closeTimeoutMillis,
                consumerTimeoutMillis, authMechanisms, certLoginFromCommonName);
    }

    public AmqpSettings withFrameMax(int max) {
        return new AmqpSettings(channelMax, max, heartbeatSeconds, maxMessageSize, handshakeTimeoutMillis, closeTimeoutMillis,
                consumerTimeoutMillis, authMechanisms, certLoginFromCommonName);
    }

    public AmqpSettings withConsumerTimeout(long millis) {
        return new AmqpSettings(channelMax, frameMax, heartbeatSeconds, maxMessageSize, handshakeTimeoutMillis,
                closeTimeoutMillis, millis, authMechanisms, certLoginFromCommonName);
    }

    public AmqpSettings withMaxMessageSize(long bytes) {
        return new AmqpSettings(channelMax, frameMax, heartbeatSeconds, bytes, handshakeTimeoutMillis,
                closeTimeoutMillis, consumerTimeoutMillis, authMechanisms, certLoginFromCommonName);
    }

    public AmqpSettings withAuthMechanisms(java.util.List<String> mechanisms, boolean loginFromCommonName) {
        return new AmqpSettings(channelMax, frameMax, heartbeatSeconds, maxMessageSize, handshakeTimeoutMillis,
                closeTimeoutMillis, consumerTimeoutMillis, mechanisms, loginFromCommonName);
    }
}
