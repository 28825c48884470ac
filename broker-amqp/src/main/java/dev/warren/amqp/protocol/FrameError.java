package dev.warren.amqp.protocol;

import dev.warren.core.AmqpException;

/**
 * Emitted by {@link FrameDecoder} instead of a frame when the byte stream is broken; after it the decoder
 * discards everything, because frame boundaries can no longer be trusted.
 */
public record FrameError(AmqpException error) {
}
