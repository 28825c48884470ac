package dev.warren.mgmt.ui;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebElement;

/** The connections and channels tables (filter, sort), a connection's page and closing it, and a phone-sized window. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WebUiConnectionsIT extends SharedBrowserIT {
    private static final By CONNECTION_ROWS = By.cssSelector("[data-table='connections'] tbody tr");

    @Test
    void theConnectionsTableFiltersByRegexAndAConnectionIsClosedWithAReason() throws Exception {
        Connection second = fixture.connectionFactory("guest", "guest").newConnection("ui-second");
        try (Connection first = fixture.connectionFactory("guest", "guest").newConnection()) {
            first.createChannel();
            second.createChannel();
            CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
            second.addShutdownListener(closed::complete);
            String secondName = nameOf("ui-second");
            String secondPort = secondName.substring(secondName.indexOf(':') + 1, secondName.indexOf(' '));
            logIn("guest", "guest");
            browser.page("#/connections", "Connections");
            browser.await(d -> d.findElements(CONNECTION_ROWS).size() == 2);
            browser.screenshot("connections");

            browser.visible(By.cssSelector("input[name='filter']")).sendKeys(":" + secondPort + " ->");
            browser.driver().findElement(By.cssSelector("input[name='regex']")).click();
            browser.await(d -> d.findElements(CONNECTION_ROWS).size() == 1);
            assertTrue(browser.driver().findElement(CONNECTION_ROWS).getText().contains(secondName));
            browser.visible(By.cssSelector("input[name='filter']")).sendKeys("[");
            browser.await(d -> d.findElement(By.cssSelector("input[name='filter']")).getAttribute("class").contains("invalid"));

            browser.page("#/channels", "Channels");
            browser.await(d -> d.findElements(By.cssSelector("[data-table='channels'] tbody tr")).size() == 2);
            browser.screenshot("channels");

            browser.page("#/connections/" + secondName.replace(" ", "%20"), "Connection");
            browser.awaitText(By.cssSelector("main.view"), "AMQP 0-9-1");
            browser.type("close-connection", "reason", "closed from the web UI test");
            browser.screenshot("connection");
            browser.driver().findElement(By.cssSelector("form[name='close-connection'] button[type='submit']")).click();
            browser.awaitText(By.cssSelector("main.view h1"), "Connections");
            ShutdownSignalException signal = closed.get(10, TimeUnit.SECONDS);
            assertTrue(signal.getMessage().contains("closed from the web UI test"), signal.getMessage());
            assertTrue(first.isOpen());
        } finally {
            second.abort(); // closed by the test unless it failed first
        }
    }

    @Test
    void theConnectionsTableSortsByAColumnOnTheBroker() throws Exception {
        try (Connection a = fixture.connectionFactory("guest", "guest").newConnection();
             Connection b = fixture.connectionFactory("guest", "guest").newConnection()) {
            a.createChannel();
            b.createChannel();
            b.createChannel();
            logIn("guest", "guest");
            browser.page("#/connections", "Connections");
            browser.await(d -> d.findElements(CONNECTION_ROWS).size() == 2);
            WebElement channelsHeader = browser.driver().findElement(By.xpath("//th/button[starts-with(text(),'Channels')]"));
            channelsHeader.click();
            browser.await(d -> channelCounts().equals(List.of("1", "2")));
            browser.driver().findElement(By.xpath("//th/button[starts-with(text(),'Channels')]")).click();
            browser.await(d -> channelCounts().equals(List.of("2", "1")));
        }
    }

    @Test
    void thePagesFitAPhoneSizedWindow() {
        logIn("guest", "guest");
        try {
            browser.driver().manage().window().setSize(new Dimension(390, 844));
            for (String[] page : new String[][] {{"#/", "Overview"}, {"#/queues", "Queues"}, {"#/admin/users", "Admin"}}) {
                browser.page(page[0], page[1]);
                browser.await(d -> ((Number) browser.script("return document.documentElement.scrollWidth;")).intValue()
                        <= ((Number) browser.script("return window.innerWidth;")).intValue());
                assertTrue(browser.driver().findElement(By.cssSelector("header nav a[data-nav='queues']")).isDisplayed());
            }
            browser.page("#/", "Overview");
            browser.awaitText(By.cssSelector("[data-total='exchanges']"), "7");
            browser.windowScreenshot("overview-phone");
        } finally {
            browser.driver().manage().window().setSize(new Dimension(1280, 800));
        }
    }

    /** The broker's name of the connection a client named {@code clientName} ("127.0.0.1:port -> 127.0.0.1:port"). */
    private static String nameOf(String clientName) throws InterruptedException {
        for (var c : await("/api/connections", list -> list.findValuesAsText("connection_name").contains(clientName))) {
            if (clientName.equals(c.path("client_properties").path("connection_name").asText())) {
                return c.path("name").asText();
            }
        }
        throw new AssertionError("no connection named " + clientName);
    }

    private static List<String> channelCounts() {
        return browser.driver().findElements(CONNECTION_ROWS).stream()
                .map(row -> row.findElements(By.cssSelector("td")).get(6).getText()).toList();
    }
}
