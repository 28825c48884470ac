package dev.warren.mgmt.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;

/** Exchanges, queues and bindings made in the web UI and seen over AMQP; publishing and getting in the UI. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WebUiExchangesQueuesIT extends SharedBrowserIT {
    @Test
    void anExchangeQueueAndBindingMadeInTheUiRouteAmqpMessages() throws Exception {
        logIn("guest", "guest");
        browser.page("#/exchanges", "Exchanges");
        browser.type("add-exchange", "name", "ui-orders");
        browser.choose("add-exchange", "type", "topic");
        browser.submit("add-exchange", "Exchange ui-orders added");
        browser.awaitText(By.cssSelector("[data-table='exchanges']"), "ui-orders");
        browser.screenshot("exchanges");

        browser.page("#/queues", "Queues");
        browser.type("add-queue", "name", "ui-orders-paid");
        browser.keyValue("add-queue", "arguments", 0, "x-max-length", "1000", "number");
        browser.submit("add-queue", "Queue ui-orders-paid added");
        browser.awaitText(By.cssSelector("[data-table='queues']"), "ui-orders-paid");

        browser.page("#/exchanges/%2F/ui-orders", "Exchange ui-orders");
        browser.choose("add-binding", "destination_type", "q");
        browser.type("add-binding", "destination", "ui-orders-paid");
        browser.type("add-binding", "routing_key", "order.*");
        browser.submit("add-binding", "Bound");
        browser.awaitText(By.cssSelector("main.view"), "order.*");
        browser.screenshot("exchange");

        try (Connection connection = fixture.connectionFactory("guest", "guest").newConnection()) {
            Channel channel = connection.createChannel();
            assertEquals("topic", api.get("/api/exchanges/%2F/ui-orders").json().path("type").asText());
            channel.exchangeDeclarePassive("ui-orders");
            channel.queueDeclarePassive("ui-orders-paid");
            channel.confirmSelect();
            channel.basicPublish("ui-orders", "order.paid", null, "over AMQP".getBytes(StandardCharsets.UTF_8));
            channel.waitForConfirmsOrDie(10_000);
            GetResponse got = channel.basicGet("ui-orders-paid", true);
            assertNotNull(got, "routed by the binding made in the UI");
            assertEquals("over AMQP", new String(got.getBody(), StandardCharsets.UTF_8));
            assertEquals(1000, api.get("/api/queues/%2F/ui-orders-paid").json().path("arguments").path("x-max-length").asInt());
        }
    }

    @Test
    void aMessagePublishedInTheUiIsGotInTheUi() throws Exception {
        api.put("/api/exchanges/%2F/ui-news", "{\"type\":\"direct\"}");
        api.put("/api/queues/%2F/ui-inbox", "{}");
        api.post("/api/bindings/%2F/e/ui-news/q/ui-inbox", "{\"routing_key\":\"today\"}");
        logIn("guest", "guest");
        browser.page("#/exchanges/%2F/ui-news", "Exchange ui-news");
        browser.type("publish", "routing_key", "today");
        browser.keyValue("publish", "headers", 0, "x-origin", "web-ui", "string");
        browser.keyValue("publish", "properties", 0, "message_id", "ui-1", "string");
        browser.type("publish", "payload", "Hello from the web UI");
        browser.submit("publish", "Message published.");

        browser.page("#/queues/%2F/ui-inbox", "Queue ui-inbox");
        browser.awaitText(By.cssSelector("[data-field='messages_ready']"), "1");
        browser.choose("get-messages", "ackmode", "ack_requeue_true");
        browser.submit("get-messages", "1 message(s).");
        String message = browser.visible(By.cssSelector("[data-message='1']")).getText();
        assertTrue(message.contains("Hello from the web UI"), message);
        assertTrue(message.contains("web-ui"), message);
        assertTrue(message.contains("ui-1"), message);
        assertTrue(message.contains("ui-news"), message);
        browser.screenshot("queue");

        browser.choose("get-messages", "ackmode", "ack_requeue_false");
        browser.submit("get-messages", "1 message(s).");
        await("/api/queues/%2F/ui-inbox", q -> q.path("messages").asInt() == 0);
        try (Connection connection = fixture.connectionFactory("guest", "guest").newConnection()) {
            assertNull(connection.createChannel().basicGet("ui-inbox", true), "taken with automatic ack");
        }
    }

    @Test
    void aQueueIsPurgedAndDeletedFromItsPage() throws Exception {
        api.put("/api/queues/%2F/ui-doomed", "{}");
        api.post("/api/exchanges/%2F/amq.default/publish",
                "{\"routing_key\":\"ui-doomed\",\"payload\":\"x\",\"payload_encoding\":\"string\",\"properties\":{}}");
        logIn("guest", "guest");
        browser.page("#/queues/%2F/ui-doomed", "Queue ui-doomed");
        browser.awaitText(By.cssSelector("[data-field='messages_ready']"), "1");
        browser.driver().findElement(By.xpath("//button[text()='Purge messages']")).click();
        browser.driver().switchTo().alert().accept();
        browser.awaitText(By.cssSelector("[data-field='messages_ready']"), "0");
        browser.driver().findElement(By.xpath("//button[text()='Delete queue']")).click();
        browser.driver().switchTo().alert().accept();
        browser.awaitText(By.cssSelector("main.view h1"), "Queues");
        assertEquals(404, api.get("/api/queues/%2F/ui-doomed").status());
        browser.screenshot("queues");
    }
}
