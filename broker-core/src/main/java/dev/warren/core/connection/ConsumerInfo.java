package dev.warren.core.connection;

import java.util.Map;

/** A consumer on a channel, as basic.consume set it up. */
public record ConsumerInfo(String tag, String queue, boolean ackRequired, boolean exclusive, int prefetchCount,
                           Map<String, Object> arguments) {
}
