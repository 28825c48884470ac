package dev.warren.mgmt.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/** The overview page: totals, the message rate and queued message charts, node facts and alarms. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WebUiOverviewIT extends SharedBrowserIT {
    private static final By PUBLISH_RATE = By.cssSelector("[data-chart='message-rates'] [data-series='publish']");
    private static final By RATE_CHART = By.cssSelector("[data-chart='message-rates']");
    /** Longer than two of the broker's 5 s sampling intervals, with room for a loaded machine. */
    private static final Duration SAMPLED = Duration.ofSeconds(40);
    private static final By QUEUED_CHART = By.cssSelector("[data-chart='queued-messages']");

    @Test
    void theMessageRateChartMovesWhileAPublisherRuns() throws Exception {
        api.put("/api/queues/%2F/overview-chart", "{}");
        logIn("guest", "guest");
        new Select(browser.visible(By.cssSelector("select[name='refresh']"))).selectByValue("1");
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService publisher = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> published = publisher.submit(() -> publish("overview-chart", stop));
            int before = points(RATE_CHART);
            // the broker samples every 5 s (collect_statistics_interval): a rate and each new point take that long
            double rate = browser.await(SAMPLED, d -> {
                double r = rateOf(d.findElement(PUBLISH_RATE));
                return r > 0 ? r : null;
            });
            assertTrue(rate > 0);
            int during = points(RATE_CHART);
            browser.await(SAMPLED, d -> points(RATE_CHART) > during); // a new point while the publisher runs
            assertTrue(points(RATE_CHART) > before);
            browser.await(SAMPLED, d -> !d.findElement(By.cssSelector("[data-chart='queued-messages'] [data-series='messages_ready']"))
                    .getText().equals("0"));
            assertTrue(points(QUEUED_CHART) > 1);
            browser.await(SAMPLED, d -> points(RATE_CHART) >= 3); // a line, for the screenshot
            browser.screenshot("overview");
            stop.set(true);
            assertTrue(published.get(30, TimeUnit.SECONDS) > 0);
        } finally {
            stop.set(true);
            publisher.shutdownNow();
            new Select(browser.visible(By.cssSelector("select[name='refresh']"))).selectByValue("5");
        }
    }

    @Test
    void theOverviewShowsTotalsNodeFactsAndListeners() {
        logIn("guest", "guest");
        browser.awaitText(By.cssSelector("[data-total='exchanges']"), "7");
        String node = browser.visible(By.cssSelector("dl.facts")).getText();
        assertTrue(node.contains("Uptime"), node);
        assertTrue(node.contains("Memory"), node);
        assertTrue(node.contains("File descriptors"), node);
        browser.awaitText(By.cssSelector("main.view"), String.valueOf(fixture.amqpPort()));
    }

    @Test
    void aMemoryAlarmIsShownInRedOnEveryPage() {
        logIn("guest", "guest");
        try {
            assertEquals(200, api.put("/api/warren/vm_memory_high_watermark", "{\"absolute\": 1}").status());
            browser.page("#/queues", "Queues");
            WebElement banner = browser.visible(By.cssSelector(".alarms"));
            assertTrue(banner.getText().contains("Memory alarm"), banner.getText());
            assertEquals("rgba(185, 28, 28, 1)", banner.getCssValue("background-color"));
            browser.screenshot("memory-alarm");
        } finally {
            api.put("/api/warren/vm_memory_high_watermark", "{\"relative\": 0.6}");
        }
        browser.page("#/", "Overview");
        browser.await(d -> !d.findElement(By.cssSelector(".alarms")).isDisplayed());
    }

    @Test
    void chartsDrawTheBrokersSamplesInRabbitMqsShapeWhenItSendsThem() {
        logIn("guest", "guest");
        // newest first, as RabbitMQ sends them: 10 more messages every 5 s is 2/s
        Object result = browser.runModule("samples.js", """
                const stats = { publish: 30, publish_details: { rate: 2.0, samples: [
                  { timestamp: 15000, sample: 30 }, { timestamp: 10000, sample: 20 }, { timestamp: 5000, sample: 10 }] } };
                const samples = new m.SampleHistory().samples(stats, 'publish');
                return { points: m.points(samples, true), rate: m.currentRate(stats, 'publish', samples) };
                """);
        assertEquals("{\"points\":[[10000,2],[15000,2]],\"rate\":2}", result);
    }

    @Test
    void withoutTheBrokersSamplesChartsKeepTheirOwnFromEachRefresh() {
        logIn("guest", "guest");
        Object result = browser.runModule("samples.js", """
                const history = new m.SampleHistory(600000);
                history.samples({ messages: 4 }, 'messages', 1000);
                history.samples({ messages: 9 }, 'messages', 2000);
                const kept = history.samples({ messages: 7 }, 'messages', 3000);
                const lengths = m.points(kept, false);
                const later = history.samples({ messages: 1 }, 'messages', 700000); // ten minutes on: the old ones go
                return { lengths, afterTenMinutes: later.length };
                """);
        assertEquals("{\"lengths\":[[1000,4],[2000,9],[3000,7]],\"afterTenMinutes\":1}", result);
    }

    /** Publishes with confirms until told to stop (or 60 s pass); returns how many. */
    private static int publish(String queue, AtomicBoolean stop) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int n = 0;
        try (Connection connection = fixture.connectionFactory("guest", "guest").newConnection()) {
            // a consumer slower than the publisher: deliver and ack lines, and a queue that grows
            Channel consumer = connection.createChannel();
            consumer.basicQos(2);
            consumer.basicConsume(queue, false, (tag, delivery) -> {
                long deliveryTag = delivery.getEnvelope().getDeliveryTag();
                if (deliveryTag % 2 == 0) {
                    sleep(5);
                    consumer.basicAck(deliveryTag, true);
                }
            }, tag -> { });
            Channel channel = connection.createChannel();
            channel.confirmSelect();
            while (!stop.get() && System.nanoTime() < deadline) {
                for (int i = 0; i < 20; i++) {
                    channel.basicPublish("", queue, null, ("m" + n++).getBytes(StandardCharsets.UTF_8));
                }
                channel.waitForConfirmsOrDie(10_000);
                Thread.sleep(10); // a steady trickle, not a flood: the browser shares the machine
            }
        }
        return n;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int points(By chart) {
        return Integer.parseInt(browser.driver().findElement(chart).getAttribute("data-points"));
    }

    private static double rateOf(WebElement legendValue) {
        String text = legendValue.getText().replace("/s", "").replace(",", "").trim();
        return text.equals("—") || text.isEmpty() ? 0 : Double.parseDouble(text);
    }
}
