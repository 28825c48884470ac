package dev.warren.mgmt.rates;

import dev.warren.core.Broker;
import dev.warren.core.Exchange;
import dev.warren.core.MessageQueue;
import dev.warren.core.VirtualHost;
import dev.warren.core.connection.ClientConnection;
import dev.warren.core.stats.OwnedCounters;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the broker's counters and queue lengths into the {@link RateHistory} every interval, on one
 * scheduled thread of its own: the broker, every virtual host, queue and exchange, every connection and
 * its open channels. The message path only counts; everything else about rates happens here, once per
 * interval, and in the API threads that read the history.
 *
 * <p>Ticks fall on whole multiples of the interval of the wall clock (as RabbitMQ's samples do), so the
 * samples of every object share their timestamps.
 */
public final class RateSampler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RateSampler.class);

    private final Broker broker;
    private final RateHistory history;
    private final LongSupplier clock;
    private ScheduledExecutorService timer;

    public RateSampler(Broker broker, RateHistory history, LongSupplier clock) {
        this.broker = broker;
        this.history = history;
        this.clock = clock;
    }

    public RateHistory history() {
        return history;
    }

    /** Starts ticking on its own daemon thread, first at the next multiple of the interval. */
    public synchronized void start() {
        if (timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "warren-rates");
            t.setDaemon(true);
            return t;
        });
        long interval = history.intervalMillis();
        long firstIn = interval - Math.floorMod(clock.getAsLong(), interval);
        timer.scheduleAtFixedRate(this::tickSafely, firstIn, interval, TimeUnit.MILLISECONDS);
        LOG.debug("Sampling message rates every {} ms", interval);
    }

    private void tickSafely() {
        try {
            sampleNow();
        } catch (RuntimeException e) {
            // a failed tick must not stop the timer: the next one samples again
            LOG.warn("Sampling message rates failed; trying again next interval", e);
        }
    }

    /** One tick now: every object's series into the history. */
    public void sampleNow() {
        history.tick(clock.getAsLong(), recorder -> {
            recorder.record(broker.stats(), SampledSeries.BROKER);
            for (VirtualHost v : broker.vhosts()) {
                recorder.record(v, SampledSeries.VHOST);
                for (MessageQueue q : v.queues()) {
                    recorder.record(q, SampledSeries.QUEUE);
                }
                for (Exchange e : v.exchanges()) {
                    recorder.record(e, SampledSeries.EXCHANGE);
                }
            }
            for (ClientConnection c : broker.connections().list()) {
                recorder.record(c.counters(), SampledSeries.CONNECTION);
                for (OwnedCounters channel : c.counters().openChannels()) {
                    recorder.record(channel, SampledSeries.CHANNEL);
                }
            }
        });
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }
}
