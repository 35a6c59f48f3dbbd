package io.portcullis.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The chat page in a real browser: headless Chromium (Debian's {@code chromium} and
 * {@code chromium-driver}) driven by Selenium against a real gateway and the mock. A streamed
 * answer appears as it arrives, markdown renders, nothing a model writes can run, the key stays in
 * sessionStorage, a 429 shows its wait, stop cancels upstream, no request leaves the page's origin.
 */
class ChatPageTest {

  static GatewayFixture f;
  static WebDriver browser;
  static JavascriptExecutor js;

  @BeforeAll
  static void start() throws Exception {
    f = new GatewayFixture(LimitTest.withPolicy(LimitTest.config(
        "{requests: {limit: 1000, window: 1m}, models: {\"limited\": {requests: {limit: 1, window: 1m}}}}", null))
        .replace("admin: {enabled: false}", "admin: {enabled: false}\nweb: {enabled: true}")
        .replace("models:\n", """
            models:
              - {name: steady, targets: [{provider: mock, model: "m@tokens=40;rate=20"}]}
              - {name: endless, targets: [{provider: mock, model: "m@tokens=100000;rate=5"}]}
              - {name: limited, targets: [{provider: mock, model: m}]}
              - {name: cut, targets: [{provider: mock, model: "m@abort_after=3;tokens=20;rate=50"}]}
            """).replace("auth: {enabled: false", "guards: {validation: {max_message_chars: 2000}}\nauth: {enabled: false"));
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1000,760",
        "--disable-gpu", "--no-first-run", "--disable-extensions");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(driverPath())).usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
    js = (JavascriptExecutor) browser;
  }

  static String chromium() {
    return Files.exists(Path.of("/usr/bin/chromium")) ? "/usr/bin/chromium" : "/usr/bin/chromium-browser";
  }

  static String driverPath() {
    return Files.exists(Path.of("/usr/bin/chromedriver")) ? "/usr/bin/chromedriver" : "/usr/lib/chromium/chromedriver";
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (f != null) {
      f.close();
    }
  }

  String origin() {
    return "http://127.0.0.1:" + f.gateway.port();
  }

  @BeforeEach
  void open() {
    browser.get(origin() + "/chat/");
    js.executeScript("sessionStorage.clear(); localStorage.clear();");
    browser.navigate().refresh();
    WebElement key = browser.findElement(By.id("api-key"));
    key.clear();
    key.sendKeys("pc-test-key-of-this-caller");
    js.executeScript("document.getElementById('api-key').dispatchEvent(new Event('change'))");
    waitFor(() -> !new Select(browser.findElement(By.id("model"))).getOptions().isEmpty());
  }

  void waitFor(java.util.function.BooleanSupplier condition) {
    new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> condition.getAsBoolean());
  }

  WebElement ask(String model, String text) {
    new Select(browser.findElement(By.id("model"))).selectByValue(model);
    int before = browser.findElements(By.cssSelector("#messages .assistant")).size();
    WebElement prompt = browser.findElement(By.id("prompt"));
    prompt.clear();
    js.executeScript("arguments[0].value = arguments[1]", prompt, text);
    browser.findElement(By.id("send")).click();
    waitFor(() -> browser.findElements(By.cssSelector("#messages .assistant")).size() > before);
    List<WebElement> replies = browser.findElements(By.cssSelector("#messages .assistant"));
    return replies.get(replies.size() - 1);
  }

  void waitUntilNot(WebElement reply, String state) {
    waitFor(() -> !state.equals(reply.getAttribute("data-state")));
  }

  @Test
  void aStreamedAnswerAppearsProgressively() {
    WebElement reply = ask("steady", "/echo " + "word ".repeat(30).trim());
    List<Integer> seen = new ArrayList<>();
    waitFor(() -> {
      seen.add(reply.getText().length());
      return "done".equals(reply.getAttribute("data-state"));
    });
    assertThat(reply.getText()).isEqualTo("word ".repeat(30).trim());
    // text grew while the state was streaming: several distinct lengths before the end
    assertThat(seen.stream().filter(n -> n > 0).distinct().count()).isGreaterThan(3);
  }

  @Test
  void markdownRenders() {
    WebElement reply = ask("chat", "/echo Some **bold** text, a `snippet` and a [link](https://example.com/x).");
    waitUntilNot(reply, "streaming");
    assertThat(reply.getAttribute("data-state")).isEqualTo("done");
    assertThat(reply.findElement(By.tagName("strong")).getText()).isEqualTo("bold");
    assertThat(reply.findElement(By.tagName("code")).getText()).isEqualTo("snippet");
    WebElement link = reply.findElement(By.tagName("a"));
    assertThat(link.getAttribute("href")).isEqualTo("https://example.com/x");
    assertThat(link.getAttribute("rel")).contains("noopener");
    WebElement list = ask("chat", "/echo Three things:\n\n1. **streams** over SSE\n2. `redaction` on the fly\n3. limits across instances");
    waitUntilNot(list, "streaming");
    assertThat(list.findElements(By.cssSelector("ol li"))).hasSize(3);
    // the picture in the README
    ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).renameTo(new File("target/chat-page.png"));
  }

  @Test
  void whatAModelWritesRunsNothing() {
    String attack = "/echo <img src=x onerror=\"window.pwned=1;alert(1)\"> <script>window.pwned=2</script>"
        + " [click](javascript:window.pwned=3) <a href=\"javascript:alert(4)\">a</a> <div onmouseover=\"window.pwned=5\">hover</div>"
        + " <iframe src=\"javascript:alert(6)\"></iframe> <svg onload=\"window.pwned=7\"></svg> <b>ok</b>";
    WebElement reply = ask("chat", attack);
    waitUntilNot(reply, "streaming");
    assertThat(reply.getAttribute("data-state")).isEqualTo("done");
    assertThat(reply.findElement(By.tagName("b")).getText()).isEqualTo("ok");
    String html = reply.getAttribute("innerHTML");
    assertThat(html).doesNotContainIgnoringCase("onerror").doesNotContainIgnoringCase("onload")
        .doesNotContainIgnoringCase("onmouseover").doesNotContainIgnoringCase("javascript:").doesNotContainIgnoringCase("<script")
        .doesNotContainIgnoringCase("<iframe");
    new org.openqa.selenium.interactions.Actions(browser).moveToElement(reply).perform();
    assertThat(js.executeScript("return window.pwned === undefined")).isEqualTo(true);
    boolean alerted;
    try {
      browser.switchTo().alert();
      alerted = true;
    } catch (NoAlertPresentException none) {
      alerted = false;
    }
    assertThat(alerted).isFalse();
  }

  @Test
  void theKeyStaysInSessionStorageOnly() {
    WebElement reply = ask("chat", "/echo hi");
    waitUntilNot(reply, "streaming");
    assertThat(js.executeScript("return localStorage.length")).isEqualTo(0L);
    assertThat(js.executeScript("return sessionStorage.getItem('portcullis.key')")).isEqualTo("pc-test-key-of-this-caller");
    assertThat(browser.getCurrentUrl()).doesNotContain("pc-test");
    assertThat(js.executeScript("return document.cookie")).isEqualTo("");
    @SuppressWarnings("unchecked")
    List<String> urls = (List<String>) js.executeScript("return performance.getEntriesByType('resource').map(e => e.name)");
    assertThat(urls).isNotEmpty().allSatisfy(u -> assertThat(u).startsWith(origin() + "/").doesNotContain("pc-test"));
  }

  @Test
  void aRateLimitShowsItsWait() {
    // the model allows one request a minute to this caller
    WebElement first = ask("limited", "/echo first");
    waitUntilNot(first, "streaming");
    WebElement second = ask("limited", "/echo second");
    waitUntilNot(second, "streaming");
    assertThat(second.getAttribute("data-state")).isEqualTo("error");
    String error = browser.findElement(By.id("error")).getText();
    assertThat(error).matches("(?s)Rate limited: try again in \\d+ s\\..*");
  }

  @Test
  void aCutStreamAndAnOversizedMessageAreSaidInWords() {
    WebElement cut = ask("cut", "/echo " + "never finished ".repeat(10));
    waitUntilNot(cut, "streaming");
    assertThat(cut.getAttribute("data-state")).isEqualTo("error");
    assertThat(browser.findElement(By.id("error")).getText()).startsWith("The answer was cut");
    // the gateway's own limit (2,000 characters here), enforced before anything is sent
    int seen = f.mock.seen().size();
    int replies = browser.findElements(By.cssSelector("#messages .assistant")).size();
    WebElement prompt = browser.findElement(By.id("prompt"));
    js.executeScript("arguments[0].value = arguments[1]", prompt, "x".repeat(2001));
    browser.findElement(By.id("send")).click();
    waitFor(() -> browser.findElement(By.id("error")).getText().contains("longer than the gateway allows"));
    assertThat(browser.findElements(By.cssSelector("#messages .assistant"))).hasSize(replies);
    assertThat(f.mock.seen()).hasSize(seen);
    assertThat(prompt.getAttribute("maxlength")).isEqualTo("2000");
  }

  @Test
  void aRefusedKeyIsSaidInWords() throws Exception {
    Path keys = Files.createTempFile("chat-page-keys", ".yaml");
    Files.writeString(keys, "keys: []\n");
    try (GatewayFixture g = new GatewayFixture("""
        server: {host: 127.0.0.1, port: 0, instances: 1}
        admin: {enabled: false}
        web: {enabled: true}
        auth: {enabled: true, api_keys: {file: "KEYFILE"}}
        providers: [{name: mock, base_url: "${MOCK_URL}"}]
        models: [{name: chat, targets: [{provider: mock, model: m}]}]
        """.replace("KEYFILE", keys.toString()))) {
      browser.get("http://127.0.0.1:" + g.gateway.port() + "/chat/");
      WebElement key = browser.findElement(By.id("api-key"));
      key.clear();
      key.sendKeys("pc-nonsense");
      js.executeScript("document.getElementById('api-key').dispatchEvent(new Event('change'))");
      waitFor(() -> browser.findElement(By.id("error")).getText().startsWith("Your key was not accepted"));
      assertThat(g.mock.seen()).isEmpty();
    } finally {
      Files.deleteIfExists(keys);
    }
  }

  @Test
  void stopCancelsTheStreamUpstream() {
    long cancelled = f.mock.streamsCancelled.get();
    WebElement reply = ask("endless", "/echo " + "on and on ".repeat(50));
    waitFor(() -> reply.getText().length() > 3);
    browser.findElement(By.id("stop")).click();
    waitUntilNot(reply, "streaming");
    assertThat(reply.getAttribute("data-state")).isEqualTo("done");
    assertThat(reply.getText()).contains("(stopped)");
    waitFor(() -> f.mock.streamsCancelled.get() > cancelled);
  }

  @Test
  void thePageHasItsOwnStrictHeaders() throws Exception {
    HttpResponse<String> page = f.get("/chat/");
    assertThat(page.statusCode()).isEqualTo(200);
    String csp = page.headers().firstValue("content-security-policy").orElseThrow();
    assertThat(csp).contains("default-src 'self'").contains("frame-ancestors 'none'").contains("script-src 'self'")
        .doesNotContain("unsafe-inline").doesNotContain("http");
    assertThat(page.body()).doesNotContain("<script>").doesNotContain("style=").doesNotContain("https://");
    // the API keeps its own policy: nothing at all
    assertThat(f.get("/v1/models").headers().firstValue("content-security-policy")).hasValue("default-src 'none'; frame-ancestors 'none'");
  }
}
