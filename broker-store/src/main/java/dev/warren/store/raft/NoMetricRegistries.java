package dev.warren.store.raft;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.ratis.metrics.LongCounter;
import org.apache.ratis.metrics.MetricRegistries;
import org.apache.ratis.metrics.MetricRegistryInfo;
import org.apache.ratis.metrics.RatisMetricRegistry;
import org.apache.ratis.metrics.Timekeeper;
import org.apache.ratis.util.TimeDuration;

/**
 * Ratis's metrics, unkept: Ratis finds a {@link MetricRegistries} through the service loader and fails without one
 * (its default lives in ratis-metrics-default, which would pull in Dropwizard). Warren's own metrics are Micrometer's.
 */
public final class NoMetricRegistries extends MetricRegistries {
    private static final LongCounter COUNTER = new LongCounter() {
        @Override
        public void inc(long n) {
        }

        @Override
        public void dec(long n) {
        }

        @Override
        public long getCount() {
            return 0;
        }
    };
    private static final Timekeeper TIMER = () -> () -> 0;

    @Override
    public void clear() {
    }

    @Override
    public RatisMetricRegistry create(MetricRegistryInfo info) {
        return new RatisMetricRegistry() {
            @Override
            public Timekeeper timer(String name) {
                return TIMER;
            }

            @Override
            public LongCounter counter(String name) {
                return COUNTER;
            }

            @Override
            public boolean remove(String name) {
                return false;
            }

            @Override
            public <T> void gauge(String name, Supplier<Supplier<T>> supplier) {
            }

            @Override
            public MetricRegistryInfo getMetricRegistryInfo() {
                return info;
            }
        };
    }

    @Override
    public boolean remove(MetricRegistryInfo info) {
        return false;
    }

    @Override
    public Optional<RatisMetricRegistry> get(MetricRegistryInfo info) {
        return Optional.empty();
    }

    @Override
    public Set<MetricRegistryInfo> getMetricRegistryInfos() {
        return Set.of();
    }

    @Override
    public Collection<RatisMetricRegistry> getMetricRegistries() {
        return List.of();
    }

    @Override
    public void addReporterRegistration(Consumer<RatisMetricRegistry> add, Consumer<RatisMetricRegistry> remove) {
    }

    @Override
    public void enableJmxReporter() {
    }

    @Override
    public void enableConsoleReporter(TimeDuration period) {
    }
}
