package dev.warren.mgmt.metrics;

import dev.warren.core.Broker;
import dev.warren.core.MessageQueue;
import dev.warren.core.VirtualHost;
import dev.warren.core.connection.ClientConnection;
import dev.warren.core.stats.LatencyRecorder;
import dev.warren.core.stats.MessageStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The broker's metrics in Prometheus' text format, names prefixed {@code warren_}: connections, channels,
 * consumers and queues; per-queue ready and unacked messages (rows follow queues being declared and deleted,
 * refreshed on each scrape); message counters; confirm and fsync latency histograms (installed into the
 * broker's {@link MessageStats}); and Micrometer's JVM, processor, uptime and file-descriptor metrics.
 */
public final class BrokerMetrics implements AutoCloseable {
    /** Content type of the Prometheus text exposition format 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final Broker broker;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private final MultiGauge queueReady;
    private final MultiGauge queueUnacked;
    private final MultiGauge queueConsumers;
    private final MultiGauge queueExpired;
    private final MultiGauge queueDeadLettered;
    private final MultiGauge queueDropped;

    public BrokerMetrics(Broker broker) {
        this.broker = broker;
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);

        gauge("warren.connections", "Open client connections", b -> b.connections().count());
        gauge("warren.channels", "Open channels", BrokerMetrics::channels);
        gauge("warren.consumers", "Consumers on all queues", b -> sumOverQueues(b, MessageQueue::consumerCount));
        gauge("warren.queues", "Queues", b -> sumOverQueues(b, q -> 1));
        gauge("warren.vhosts", "Virtual hosts", b -> b.vhosts().size());
        gauge("warren.messages.ready", "Ready messages in all queues",
                b -> sumOverQueues(b, MessageQueue::messageCount));
        gauge("warren.messages.unacked", "Unacknowledged deliveries of all queues",
                b -> sumOverQueues(b, MessageQueue::unacknowledgedCount));
        gauge("warren.disk.alarm", "1 while the disk alarm is raised", b -> b.storage().diskAlarm().raised() ? 1 : 0);
        gauge("warren.memory.alarm", "1 while the memory alarm is raised (memory use above vm_memory_high_watermark)",
                b -> b.storage().memoryAlarm().raised() ? 1 : 0);
        gauge("warren.memory.used.bytes", "Memory the memory alarm counts: heap beyond the young generation, direct buffers, mapped files",
                b -> b.storage().memoryAlarm().used());
        gauge("warren.memory.limit.bytes", "vm_memory_high_watermark in bytes: above it publishers are blocked",
                b -> b.storage().memoryAlarm().limit());
        gauge("warren.memory.budget.used.bytes", "Message bytes held on the heap", b -> b.storage().memory().used());

        queueReady = MultiGauge.builder("warren.queue.messages.ready").description("Ready messages per queue").register(registry);
        queueUnacked = MultiGauge.builder("warren.queue.messages.unacked")
                .description("Unacknowledged deliveries per queue").register(registry);
        queueConsumers = MultiGauge.builder("warren.queue.consumers").description("Consumers per queue").register(registry);
        queueExpired = MultiGauge.builder("warren.queue.messages.expired")
                .description("Messages that expired in the queue (TTL), since it was created or the broker started").register(registry);
        queueDeadLettered = MultiGauge.builder("warren.queue.messages.dead.lettered")
                .description("Messages the queue dead-lettered (any reason) that reached a queue").register(registry);
        queueDropped = MultiGauge.builder("warren.queue.messages.dropped")
                .description("Messages dropped by the queue's limits (length, delivery limit, refused publishes), not dead-lettered")
                .register(registry);

        MessageStats s = broker.stats();
        counter("warren.messages.published", "Messages received from publishers", x -> x.publish.sum());
        counter("warren.messages.confirmed", "Publisher confirms sent", x -> x.confirm.sum());
        counter("warren.messages.delivered", "Messages delivered to consumers or basic.get",
                x -> x.deliver.sum() + x.deliverNoAck.sum() + x.get.sum() + x.getNoAck.sum());
        counter("warren.messages.acked", "Deliveries acknowledged by consumers", x -> x.ack.sum());
        counter("warren.messages.redelivered", "Deliveries with the redelivered flag", x -> x.redeliver.sum());
        counter("warren.messages.returned", "Mandatory messages returned as unroutable", x -> x.returnUnroutable.sum());
        counter("warren.messages.unroutable.dropped", "Messages dropped as unroutable", x -> x.dropUnroutable.sum());
        counter("warren.consumer.timeouts", "Channels closed because a delivery was not acknowledged within the consumer timeout",
                x -> x.consumerTimeouts.sum());

        Timer confirms = latency("warren.confirm.latency", "From a publish arriving to its confirm being sent");
        Timer fsyncs = latency("warren.fsync.latency", "One fsync of the message store");
        s.recordLatenciesWith(recorder(confirms), recorder(fsyncs));
    }

    private void gauge(String name, String help, ToDoubleFunction<Broker> value) {
        Gauge.builder(name, broker, value).description(help).strongReference(true).register(registry);
    }

    /** Micrometer holds the counted object weakly: the stats live as long as the broker this object holds. */
    private void counter(String name, String help, ToDoubleFunction<MessageStats> count) {
        FunctionCounter.builder(name, broker.stats(), count).description(help).register(registry);
    }

    private Timer latency(String name, String help) {
        return Timer.builder(name).description(help)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
    }

    private static LatencyRecorder recorder(Timer timer) {
        return nanos -> timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    private static double channels(Broker b) {
        long n = 0;
        for (ClientConnection c : b.connections().list()) {
            n += c.channelCount();
        }
        return n;
    }

    private static double sumOverQueues(Broker b, ToDoubleFunction<MessageQueue> f) {
        double sum = 0;
        for (VirtualHost v : b.vhosts()) {
            for (MessageQueue q : v.queues()) {
                sum += f.applyAsDouble(q);
            }
        }
        return sum;
    }

    /** The current values in Prometheus' text format; per-queue rows are brought up to date first. */
    public synchronized String scrape() {
        List<MultiGauge.Row<?>> ready = new ArrayList<>();
        List<MultiGauge.Row<?>> unacked = new ArrayList<>();
        List<MultiGauge.Row<?>> consumers = new ArrayList<>();
        List<MultiGauge.Row<?>> expired = new ArrayList<>();
        List<MultiGauge.Row<?>> deadLettered = new ArrayList<>();
        List<MultiGauge.Row<?>> dropped = new ArrayList<>();
        for (VirtualHost v : broker.vhosts()) {
            for (MessageQueue q : v.queues()) {
                Tags tags = Tags.of("vhost", v.name(), "queue", q.name());
                ready.add(MultiGauge.Row.of(tags, q, MessageQueue::messageCount));
                unacked.add(MultiGauge.Row.of(tags, q, MessageQueue::unacknowledgedCount));
                consumers.add(MultiGauge.Row.of(tags, q, MessageQueue::consumerCount));
                expired.add(MultiGauge.Row.of(tags, q, MessageQueue::expiredCount));
                deadLettered.add(MultiGauge.Row.of(tags, q, MessageQueue::deadLetteredCount));
                dropped.add(MultiGauge.Row.of(tags, q, MessageQueue::droppedCount));
            }
        }
        queueReady.register(ready, true);
        queueUnacked.register(unacked, true);
        queueConsumers.register(consumers, true);
        queueExpired.register(expired, true);
        queueDeadLettered.register(deadLettered, true);
        queueDropped.register(dropped, true);
        return registry.scrape();
    }

    /** Stops recording latencies into this registry and releases the JVM listeners. */
    @Override
    public void close() {
        broker.stats().recordLatenciesWith(LatencyRecorder.NONE, LatencyRecorder.NONE);
        gcMetrics.close();
        registry.close();
    }
}
