package org.phrcloud.it.support;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.phrcloud.identity.keycloak.DemoUser;
import org.phrcloud.identity.totp.Totp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One headless Chromium (the Debian {@code chromium} with its {@code chromedriver}; override with the system properties
 * {@code phr.it.chromium} and {@code phr.it.chromedriver}) with its own profile, logged in to the
 * portal as one user through Keycloak's real login pages: password, then the TOTP code.
 */
public final class Browser implements AutoCloseable {
    public static final Dimension DESKTOP = new Dimension(1280, 900);
    public static final Dimension PHONE = new Dimension(390, 844);

    public static final Path CHROMIUM = Path.of(System.getProperty("phr.it.chromium", "/usr/bin/chromium"));
    public static final Path CHROMEDRIVER = Path.of(System.getProperty("phr.it.chromedriver", "/usr/bin/chromedriver"));

    /**
     * Whether this machine has the browser. Without it the browser tests are skipped, unless the environment variable
     * {@code PHR_BROWSER_TESTS=required} (set by .ci/run) makes that a failure.
     *
     * @throws IllegalStateException when the browser is missing but required
     */
    public static boolean available() {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present && "required".equals(System.getenv("PHR_BROWSER_TESTS"))) {
            throw new IllegalStateException("PHR_BROWSER_TESTS=required but " + CHROMIUM + " or " + CHROMEDRIVER
                    + " is missing: apt-get install chromium chromium-driver");
        }
        return present;
    }

    private final WebDriver driver;
    private final Path screenshots;

    public Browser(Path work) throws IOException {
        screenshots = Files.createDirectories(work.resolve("screenshots"));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toString());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=" + DESKTOP.width + "," + DESKTOP.height, "--lang=en-US");
        Map<String, Object> prefs = new HashMap<>();
        prefs.put("credentials_enable_service", false);
        prefs.put("profile.password_manager_enabled", false);
        options.setExperimentalOption("prefs", prefs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofMinutes(2));
        driver.manage().timeouts().scriptTimeout(Duration.ofMinutes(2));
    }

    /** Opens a portal URL and, when Keycloak asks, logs in with the user's password and then the current TOTP code. */
    public void login(String portalUrl, DemoUser user) {
        signIn(portalUrl, user);
        waitFor(By.id("signed-in-as"));
    }

    /**
     * Opens a URL that leads to Keycloak's login (a portal page, a SMART app's launch) and signs in with the user's
     * password and then the current TOTP code; returns once the OTP form is submitted.
     */
    public void signIn(String url, DemoUser user) {
        driver.get(url);
        WebElement username = waitFor(By.id("username"));
        username.sendKeys(user.username());
        driver.findElement(By.id("password")).sendKeys(user.password());
        driver.findElement(By.id("kc-login")).click();
        WebElement otp = waitFor(By.id("otp"));
        otp.sendKeys(Totp.code(user.totpSecret(), Instant.now()));
        driver.findElement(By.id("kc-login")).click();
    }

    public WebDriver driver() {
        return driver;
    }

    public WebElement waitFor(By by) {
        return new WebDriverWait(driver, Duration.ofSeconds(60)).until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    public void waitForText(By by, String text) {
        new WebDriverWait(driver, Duration.ofSeconds(60)).until(ExpectedConditions.textToBePresentInElementLocated(by, text));
    }

    public WebElement find(By by) {
        return driver.findElement(by);
    }

    public List<WebElement> all(By by) {
        return driver.findElements(by);
    }

    /** Clicks a Faces button or link and waits until the next page has loaded. */
    public void clickAndWait(By by) {
        WebElement element = driver.findElement(by);
        element.click();
        new WebDriverWait(driver, Duration.ofSeconds(60)).until(d -> detached(element));
        waitFor(By.id("signed-in-as"));
    }

    /**
     * Whether the element left the page. Selenium's {@code stalenessOf} expects a stale element reference error;
     * Chromium 150 answers "Node with given id does not belong to the document" (an unknown error) for an element of a
     * page that was replaced, which means the same.
     */
    private static boolean detached(WebElement element) {
        try {
            element.isEnabled();
            return false;
        } catch (org.openqa.selenium.StaleElementReferenceException | org.openqa.selenium.NoSuchElementException e) {
            return true;
        } catch (org.openqa.selenium.WebDriverException e) {
            if (e.getMessage() != null && e.getMessage().contains("does not belong to the document")) {
                return true;
            }
            throw e;
        }
    }

    public String text() {
        return driver.findElement(By.tagName("body")).getText();
    }

    /**
     * The current page's serious and critical violations of axe-core's WCAG 2.1 A and AA rules (Deque axe-core, run in
     * the page), each as "rule (impact) at selector, ...: help"; empty when there are none.
     */
    public List<String> accessibilityProblems() {
        com.deque.html.axecore.results.Results results = new com.deque.html.axecore.selenium.AxeBuilder()
                .withTags(List.of("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")).analyze(driver);
        return results.getViolations().stream()
                .filter(v -> "serious".equals(v.getImpact()) || "critical".equals(v.getImpact()))
                .map(v -> v.getId() + " (" + v.getImpact() + ") at " + v.getNodes().stream().limit(4)
                        .map(n -> String.valueOf(n.getTarget())).collect(java.util.stream.Collectors.joining(", "))
                        + (v.getNodes().size() > 4 ? " and " + (v.getNodes().size() - 4) + " more" : "") + ": " + v.getHelp())
                .toList();
    }

    /** Saves a screenshot as {@code target/it/screenshots/NAME.png} (a test artifact). */
    public Path screenshot(String name) throws IOException {
        Path file = screenshots.resolve(name + ".png");
        Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        return file;
    }

    public void size(Dimension d) {
        driver.manage().window().setSize(d);
    }

    /**
     * What the browser gets from a download link: fetched by the page itself (same session cookie, same origin), so the
     * test reads the file without depending on where a headless browser saves downloads.
     */
    public String fetch(WebElement link) {
        return (String) ((JavascriptExecutor) driver).executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "fetch(arguments[0].href).then(r => r.ok ? r.text() : 'HTTP ' + r.status).then(done, e => done('ERROR ' + e));", link);
    }

    /** The HTTP status the page's own session gets for {@code path} (same cookies as the page). */
    public long status(String path) {
        return (Long) ((JavascriptExecutor) driver).executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "fetch(arguments[0], {redirect: 'manual'}).then(r => done(r.status), e => done(-1));", path);
    }

    /** As {@link #fetch}, for a binary file: its bytes. */
    public byte[] fetchBytes(WebElement link) {
        String base64 = (String) ((JavascriptExecutor) driver).executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "fetch(arguments[0].href).then(r => r.blob()).then(b => { const f = new FileReader();"
                + "f.onload = () => done(f.result.substring(f.result.indexOf(',') + 1)); f.readAsDataURL(b); }, e => done(''));", link);
        return java.util.Base64.getDecoder().decode(base64);
    }

    /** What a form's submit button answers when the answer is a file (posted by the page itself, with the view state). */
    public String submitForFile(WebElement form, WebElement button) {
        return (String) ((JavascriptExecutor) driver).executeAsyncScript("const [f, b, done] = arguments;"
                + "const data = new FormData(f); data.append(b.name, b.value);"
                + "fetch(f.action, {method: 'POST', body: new URLSearchParams(data)})"
                + ".then(r => r.ok ? r.text() : 'HTTP ' + r.status).then(done, e => done('ERROR ' + e));", form, button);
    }

    /** Sets an input's value as a script would (date inputs take typed keys in the locale's format). */
    public void setValue(WebElement input, String value) {
        ((JavascriptExecutor) driver).executeScript("arguments[0].value = arguments[1];", input, value);
    }

    @Override
    public void close() {
        driver.quit();
    }
}
