package dev.warren.mgmt.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** Logging in and out of the web UI, and what each user tag lets a user see. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WebUiLoginIT extends SharedBrowserIT {
    @Test
    void anAdministratorLogsInSeesTheOverviewAndLogsOut() {
        logIn("guest", "guest");
        browser.awaitText(By.cssSelector("main.view h1"), "Overview");
        browser.awaitText(By.cssSelector("[data-total='exchanges']"), "7");
        browser.screenshot("overview-after-login");
        browser.driver().findElement(By.cssSelector("button[name='logout']")).click();
        browser.visible(By.cssSelector("form[name='login']"));
        assertEquals(null, browser.script("return sessionStorage.getItem('warren.credentials');"));
    }

    @Test
    void aWrongPasswordIsRefused() {
        expectConsoleError("api/whoami .*401");
        logIn("guest", "guest");
        browser.driver().findElement(By.cssSelector("button[name='logout']")).click();
        browser.type("login", "username", "guest");
        browser.type("login", "password", "not-the-password");
        browser.driver().findElement(By.cssSelector("form[name='login'] button[type='submit']")).click();
        browser.awaitText(By.cssSelector("form[name='login'] .status"), "Login failed");
        assertEquals(null, browser.script("return sessionStorage.getItem('warren.credentials');"));
        assertTrue(browser.driver().findElements(By.cssSelector("header .user")).isEmpty());
        browser.screenshot("login-refused");
    }

    @Test
    void aMonitoringUserSeesNoAdminPagesOrForms() {
        api.put("/api/users/watcher", "{\"password\":\"watch\",\"tags\":\"monitoring\"}");
        api.put("/api/permissions/%2F/watcher", "{\"configure\":\"\",\"write\":\"\",\"read\":\".*\"}");
        logIn("watcher", "watch");
        List<WebElement> nav = browser.driver().findElements(By.cssSelector("header nav a"));
        assertFalse(nav.stream().anyMatch(a -> a.getText().equals("Admin")), "no Admin tab for monitoring");
        browser.page("#/admin/users", "Admin");
        browser.awaitText(By.cssSelector("main.view"), "no administrative tags");
        assertTrue(browser.driver().findElements(By.cssSelector("form[name='add-user']")).isEmpty());
        assertTrue(browser.driver().findElements(By.cssSelector("form[name='set-permission']")).isEmpty());
        browser.screenshot("admin-as-monitoring-user");
    }
}
