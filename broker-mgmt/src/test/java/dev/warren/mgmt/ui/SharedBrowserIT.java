package dev.warren.mgmt.ui;

import dev.warren.mgmt.http.SharedManagementIT;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.openqa.selenium.By;

/**
 * Base of the web UI's browser tests: one broker and one headless Chromium per test class. After each
 * test the browser console must hold no error but those the test said it expects.
 */
abstract class SharedBrowserIT extends SharedManagementIT {
    protected static Browser browser;
    /** Console errors the running test causes on purpose (e.g. the 401 of a wrong password). */
    private final List<Pattern> expectedErrors = new ArrayList<>();

    @BeforeAll
    static void startBrowser() throws Exception {
        browser = Browser.start();
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @AfterEach
    void noJavaScriptErrors() {
        browser.assertNoConsoleErrors(expectedErrors.toArray(Pattern[]::new));
    }

    protected void expectConsoleError(String regex) {
        expectedErrors.add(Pattern.compile(regex));
    }

    /** Opens the UI, logs out whoever is logged in (with the UI's own button) and logs in. */
    protected static void logIn(String user, String password) {
        browser.open(fixture.baseUrl() + "/#/");
        browser.await(d -> !d.findElements(By.cssSelector("form[name='login'], button[name='logout']")).isEmpty());
        if (!browser.driver().findElements(By.cssSelector("button[name='logout']")).isEmpty()) {
            browser.driver().findElement(By.cssSelector("button[name='logout']")).click();
        }
        browser.type("login", "username", user);
        browser.type("login", "password", password);
        browser.driver().findElement(By.cssSelector("form[name='login'] button[type='submit']")).click();
        browser.awaitText(By.cssSelector("header .user"), user);
    }
}
