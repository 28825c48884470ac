package dev.warren.core.connection;

import java.util.List;

/** A snapshot of one channel: its flow state and its consumers. */
public record ChannelInfo(int number, int prefetchCount, int unacknowledged, boolean confirm, boolean transactional,
                          List<ConsumerInfo> consumers) {
}
