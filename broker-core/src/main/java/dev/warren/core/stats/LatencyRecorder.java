package dev.warren.core.stats;

/** Takes one latency sample; the metrics module puts a histogram behind it. Any thread, must not block. */
@FunctionalInterface
public interface LatencyRecorder {
    LatencyRecorder NONE = nanos -> { };

    void record(long nanos);
}
