package dev.warren.mgmt.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/** The Admin pages: users, virtual hosts, permissions, policies, limits and definitions, each checked over AMQP or the API. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WebUiAdminIT extends SharedBrowserIT {
    @Test
    void aUserVhostPermissionAndPolicyMadeInTheUiHoldOverAmqp() throws Exception {
        logIn("guest", "guest");
        browser.page("#/admin/users", "Admin");
        browser.type("add-user", "name", "ui-alice");
        browser.type("add-user", "password", "alice-secret");
        browser.type("add-user", "tags", "management");
        browser.submit("add-user", "User ui-alice added");
        browser.awaitText(By.cssSelector("main.view"), "ui-alice");
        browser.screenshot("admin-users");

        browser.page("#/admin/vhosts", "Admin");
        browser.type("add-vhost", "name", "ui-vhost");
        browser.submit("add-vhost", "Virtual host ui-vhost added");
        browser.awaitText(By.cssSelector("main.view table"), "ui-vhost");
        browser.screenshot("admin-vhosts");

        browser.page("#/admin/permissions", "Admin");
        browser.choose("set-permission", "user", "ui-alice");
        browser.choose("set-permission", "vhost", "ui-vhost");
        browser.submit("set-permission", "Permission set for ui-alice in ui-vhost");
        browser.screenshot("admin-permissions");

        ConnectionFactory alice = fixture.connectionFactory("ui-alice", "alice-secret");
        alice.setVirtualHost("ui-vhost");
        try (Connection connection = alice.newConnection()) {
            Channel channel = connection.createChannel();
            channel.queueDeclare("ui-policy-q", false, false, false, null);

            browser.page("#/admin/policies", "Admin");
            browser.choose("add-policy", "vhost", "ui-vhost");
            browser.type("add-policy", "name", "ui-max-one");
            browser.type("add-policy", "pattern", "^ui-policy-");
            browser.keyValue("add-policy", "definition", 0, "max-length", "1", "number");
            browser.submit("add-policy", "Policy ui-max-one saved");
            browser.awaitText(By.cssSelector("main.view"), "ui-max-one");
            browser.screenshot("admin-policies");

            await("/api/queues/ui-vhost/ui-policy-q", q -> "ui-max-one".equals(q.path("policy").asText()));
            channel.confirmSelect();
            for (int i = 0; i < 3; i++) {
                channel.basicPublish("", "ui-policy-q", null, ("m" + i).getBytes(StandardCharsets.UTF_8));
            }
            channel.waitForConfirmsOrDie(10_000);
            assertEquals(1, channel.queueDeclarePassive("ui-policy-q").getMessageCount(), "max-length 1 from the UI's policy");
        }
    }

    @Test
    void tagsAndPasswordsAreChangedAndUsersDeletedOnTheUsersPage() throws Exception {
        api.put("/api/users/ui-bob", "{\"password\":\"old\",\"tags\":\"\"}");
        api.put("/api/permissions/%2F/ui-bob", "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}");
        logIn("guest", "guest");
        browser.page("#/admin/users/ui-bob", "Admin");
        browser.type("update-user", "password", "new-password");
        browser.type("update-user", "tags", "monitoring");
        browser.submit("update-user", "User updated");
        assertEquals("monitoring", api.get("/api/users/ui-bob").json().path("tags").get(0).asText());
        fixture.connectionFactory("ui-bob", "new-password").newConnection().close();
        assertThrows(IOException.class, () -> fixture.connectionFactory("ui-bob", "old").newConnection().close());

        browser.driver().findElement(By.xpath("//button[text()='Delete']")).click();
        browser.driver().switchTo().alert().accept();
        browser.awaitText(By.cssSelector("main.view"), "All users");
        assertEquals(404, api.get("/api/users/ui-bob").status());
    }

    @Test
    void limitsAndTopicPermissionsAreSetInTheUi() {
        api.put("/api/vhosts/ui-limited", "{}");
        api.put("/api/users/ui-carol", "{\"password\":\"c\",\"tags\":\"\"}");
        api.put("/api/permissions/ui-limited/ui-carol", "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}");
        logIn("guest", "guest");
        browser.page("#/admin/limits", "Admin");
        browser.choose("set-vhost-limit", "vhost", "ui-limited");
        browser.choose("set-vhost-limit", "limit", "max-queues");
        browser.type("set-vhost-limit", "value", "7");
        browser.submit("set-vhost-limit", "Limit set");
        browser.awaitText(By.cssSelector("main.view"), "max-queues");
        JsonNode limits = api.get("/api/vhost-limits/ui-limited").json();
        assertEquals(7, limits.get(0).path("value").path("max-queues").asInt(), limits.toString());
        browser.screenshot("admin-limits");

        browser.page("#/admin/permissions", "Admin");
        browser.choose("set-topic-permission", "user", "ui-carol");
        browser.choose("set-topic-permission", "vhost", "ui-limited");
        browser.type("set-topic-permission", "write", "^orders\\.");
        browser.submit("set-topic-permission", "Topic permission set");
        JsonNode topic = api.get("/api/topic-permissions/ui-limited/ui-carol").json();
        assertEquals("^orders\\.", topic.get(0).path("write").asText(), topic.toString());
    }

    @Test
    void definitionsAreImportedFromAnUploadedFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("definitions.json");
        Files.writeString(file, """
                {"vhosts":[{"name":"ui-imported"}],
                 "queues":[{"name":"ui-imported-q","vhost":"ui-imported","durable":true,"auto_delete":false,"arguments":{}}]}""");
        logIn("guest", "guest");
        browser.page("#/admin/definitions", "Admin");
        browser.driver().findElement(By.cssSelector("form[name='import-definitions'] input[type='file']"))
                .sendKeys(file.toAbsolutePath().toString());
        browser.submit("import-definitions", "Definitions imported");
        assertEquals(200, api.get("/api/queues/ui-imported/ui-imported-q").status());
        browser.screenshot("admin-definitions");
    }

    @Test
    void definitionsAreDownloadedAsRabbitMqsJson() throws Exception {
        api.put("/api/vhosts/ui-exported", "{}");
        logIn("guest", "guest");
        browser.page("#/admin/definitions", "Admin");
        browser.driver().findElement(By.cssSelector("button[name='download']")).click();
        Path file = browser.await(d -> {
            try (var files = Files.list(browser.downloads())) {
                return files.filter(f -> f.getFileName().toString().matches("warren-definitions-.*\\.json")).findFirst().orElse(null);
            } catch (IOException e) {
                return null;
            }
        });
        JsonNode definitions = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Files.readString(file));
        assertTrue(names(definitions.path("vhosts"), "name").contains("ui-exported"), definitions.toString());
        assertTrue(names(definitions.path("users"), "name").contains("guest"));
    }
}
