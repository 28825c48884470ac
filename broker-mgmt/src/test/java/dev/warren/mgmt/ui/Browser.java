package dev.warren.mgmt.ui;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through Debian's chromedriver, both at fixed paths: Selenium is never
 * left to find or download a driver or a browser. A missing browser fails the test (CI installs it; see
 * .ci/run). Collects the browser console so a test can fail on any JavaScript error, and writes screenshots
 * to target/screenshots/ as build artifacts.
 */
final class Browser implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final Duration WAIT = Duration.ofSeconds(15);
    /** Selenium warns that it has no DevTools protocol module for this Chromium; the tests use none. */
    private static final java.util.logging.Logger CDP_LOG = quiet("org.openqa.selenium.devtools.CdpVersionFinder");

    private final ChromeDriver driver;
    private final Path profile;
    private final Path downloads;
    private final List<LogEntry> console = new ArrayList<>();

    private Browser(ChromeDriver driver, Path profile, Path downloads) {
        this.driver = driver;
        this.profile = profile;
        this.downloads = downloads;
    }

    /** A new browser with a fresh profile in a window of 1280×800. */
    static Browser start() throws IOException {
        for (Path tool : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(tool)) {
                fail(tool + " is missing: the web UI tests need Debian's chromium and chromium-driver packages "
                        + "(apt-get install chromium chromium-driver; .ci/run installs them)");
            }
        }
        Path profile = Files.createTempDirectory("warren-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1280,800");
        Path downloads = Files.createDirectories(profile.resolve("downloads"));
        options.setExperimentalOption("prefs", Map.of("download.default_directory", downloads.toString(),
                "download.prompt_for_download", false));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(new Dimension(1280, 800));
        return new Browser(driver, profile, downloads);
    }

    private static java.util.logging.Logger quiet(String name) {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
        logger.setLevel(Level.OFF);
        return logger;
    }

    /** Where the browser saves downloaded files (in its profile, removed with it). */
    Path downloads() {
        return downloads;
    }

    WebDriver driver() {
        return driver;
    }

    void open(String url) {
        driver.get(url);
    }

    /** Waits, with a deadline, until the condition holds (a non-null, non-false value), and returns it. */
    <T> T await(Function<WebDriver, T> condition) {
        return await(WAIT, condition);
    }

    /** {@link #await(Function)} with a deadline of its own, for what the broker only shows every few seconds. */
    <T> T await(Duration deadline, Function<WebDriver, T> condition) {
        // a table the page refreshes meanwhile replaces its rows: such a look is simply made again
        return new WebDriverWait(driver, deadline).ignoring(StaleElementReferenceException.class).until(condition);
    }

    WebElement visible(By by) {
        return await(ExpectedConditions.visibilityOfElementLocated(by));
    }

    void awaitText(By by, String text) {
        await(ExpectedConditions.textToBePresentInElementLocated(by, text));
    }

    /** Fills a named field of a named form. */
    void type(String form, String field, String text) {
        WebElement input = visible(By.cssSelector("form[name='" + form + "'] [name='" + field + "']"));
        input.clear();
        input.sendKeys(text);
    }

    void choose(String form, String field, String value) {
        new Select(visible(By.cssSelector("form[name='" + form + "'] select[name='" + field + "']"))).selectByValue(value);
    }

    /** Types into the n-th (0-based) row of a form's key/value editor. */
    void keyValue(String form, String editor, int row, String key, String value, String type) {
        String rowCss = "form[name='" + form + "'] [data-kv='" + editor + "'] .kv-row:nth-child(" + (row + 1) + ")";
        visible(By.cssSelector(rowCss + " input[placeholder='key']")).sendKeys(key);
        driver.findElement(By.cssSelector(rowCss + " input[placeholder='value']")).sendKeys(value);
        new Select(driver.findElement(By.cssSelector(rowCss + " select"))).selectByValue(type);
    }

    /** Submits a named form and waits for its status line to say `expected` (or fails with what it said). */
    void submit(String form, String expected) {
        driver.findElement(By.cssSelector("form[name='" + form + "'] button[type='submit']")).click();
        By status = By.cssSelector("form[name='" + form + "'] .status");
        await(d -> {
            String text = d.findElement(status).getText();
            if (d.findElement(status).getAttribute("class").contains("error")) {
                throw new AssertionError("form " + form + " failed: " + text);
            }
            return text.contains(expected);
        });
    }

    /** Goes to a page of the UI (a hash route such as "#/queues") and waits for its heading. */
    void page(String hash, String heading) {
        driver.get(driver.getCurrentUrl().replaceFirst("#.*$", "") + hash);
        awaitText(By.cssSelector("main.view h1"), heading);
    }

    Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    /**
     * Imports one of the UI's modules (as {@code m}) in the page and runs {@code body} with it; returns what
     * the body returns, as JSON.
     */
    Object runModule(String module, String body) {
        // the body is written into the script (the page's CSP allows no eval), in a function of its own
        return ((JavascriptExecutor) driver).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                import('./ui/%s').then(m => done(JSON.stringify((() => { %s })())))
                  .catch(e => done('failed: ' + e));
                """.formatted(module, body));
    }

    /** Writes a screenshot of the whole page (as wide as the window, as tall as the page) to target/screenshots/NAME.png. */
    @SuppressWarnings("unchecked")
    Path screenshot(String name) {
        // Chromium's own capture beyond the viewport: a headless window cannot grow past its screen
        Map<String, Object> size = (Map<String, Object>) driver.executeCdpCommand("Page.getLayoutMetrics", Map.of())
                .get("cssContentSize");
        Map<String, Object> clip = Map.of("x", 0, "y", 0, "scale", 1,
                "width", ((Number) size.get("width")).doubleValue(), "height", ((Number) size.get("height")).doubleValue());
        Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot",
                Map.of("format", "png", "captureBeyondViewport", true, "clip", clip));
        return write(name, Base64.getDecoder().decode((String) shot.get("data")));
    }

    /** Writes a screenshot of the window as it is to target/screenshots/NAME.png. */
    Path windowScreenshot(String name) {
        return write(name, driver.getScreenshotAs(OutputType.BYTES));
    }

    private static Path write(String name, byte[] png) {
        try {
            Files.createDirectories(SCREENSHOTS);
            return Files.write(SCREENSHOTS.resolve(name + ".png"), png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Fails on any SEVERE entry of the browser console since the last call (a JavaScript error, or a failed
     * request), except those matching one of {@code expected} (a request a test makes fail on purpose).
     */
    void assertNoConsoleErrors(Pattern... expected) {
        console.addAll(driver.manage().logs().get(LogType.BROWSER).getAll());
        List<String> errors = console.stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .filter(m -> Stream.of(expected).noneMatch(p -> p.matcher(m).find()))
                .toList();
        console.clear();
        if (!errors.isEmpty()) {
            fail("errors in the browser console:\n" + String.join("\n", errors));
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a leftover profile in the temporary directory is harmless
            }
        }
    }

}
