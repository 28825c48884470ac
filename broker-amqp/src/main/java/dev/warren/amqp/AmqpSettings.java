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
 */
public record AmqpSettings(int channelMax, int frameMax, int heartbeatSeconds, long maxMessageSize,
                           long handshakeTimeoutMillis, long closeTimeoutMillis, long consumerTimeoutMillis) {
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
    }

    public static AmqpSettings defaults() {
        return new AmqpSettings(2047, 131072, 60, 128L * 1024 * 1024, 10_000, 1_000, 1_800_000);
    }

    public AmqpSettings withHeartbeat(int seconds) {
        return new AmqpSettings(channelMax, frameMax, seconds, maxMessageSize, handshakeTimeoutMillis, closeTimeoutMillis,
                consumerTimeoutMillis);
    }

    public AmqpSettings withChannelMax(int max) {
        return new AmqpSettings(max, frameMax, heartbeatSeconds, maxMessageSize, handshakeTimeoutMillis, closeTimeoutMillis,
                consumerTimeoutMillis);
    }

    public AmqpSettings withFrameMax(int max) {
        return new AmqpSettings(channelMax, max, heartbeatSeconds, maxMessageSize, handshakeTimeoutMillis, closeTimeoutMillis,
                consumerTimeoutMillis);
    }

    public AmqpSettings withConsumerTimeout(long millis) {
        return new AmqpSettings(channelMax, frameMax, heartbeatSeconds, maxMessageSize, handshakeTimeoutMillis,
                closeTimeoutMillis, millis);
    }
}
