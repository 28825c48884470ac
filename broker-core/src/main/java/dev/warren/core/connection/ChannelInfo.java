package dev.warren.core.connection;

import dev.warren.core.stats.OwnedCounters;
import java.util.List;

/**
 * A snapshot of one channel: its flow state and its consumers, and its message counters (live, not a
 * snapshot: the same object while the channel is open, so management finds the channel's rates by it).
 */
public record ChannelInfo(int number, int prefetchCount, int unacknowledged, boolean confirm, boolean transactional,
                          List<ConsumerInfo> consumers, OwnedCounters counters) {
}
