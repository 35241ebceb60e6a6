package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.store.ApiKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Atelier Studio in a real headless Chromium against a real server (FakeEngine, FakeGrounder,
 * SQLite): generate, open as session, plan, preview region, apply, undo, branch, restart, a field
 * error, a reload that restores the session, the gallery, the model line and the demo notice, the
 * Work panel (a job's progress, the queue, cancel, a failure, a job that outlives a reload), and
 * labels that sit with their fields. Skips (visibly) where Debian's chromium and chromium-driver
 * are not installed.
 */
@Tag("browser")
class StudioBrowserTest {
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path SHOTS = Path.of("target", "studio-screenshots");

  @TempDir Path dir;
  private ServerFixture server;
  private ChromeDriver driver;
  private WebDriverWait wait;

  @BeforeEach
  void start() throws IOException {
    Assumptions.assumeTrue(
        Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM),
        "the studio browser tests need /usr/bin/chromium and /usr/bin/chromedriver"
            + " (Debian: apt-get install chromium chromium-driver)");
    // Never let Selenium Manager look for (or download) a driver or browser.
    System.setProperty("SE_OFFLINE", "true");
    Files.createDirectories(SHOTS);
    server = new ServerFixture(dir, false, new FakeGrounder());
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toString());
    options.addArguments(
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,800");
    options.setCapability("goog:loggingPrefs", java.util.Map.of("browser", "ALL"));
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    driver = new ChromeDriver(service, options);
    wait = new WebDriverWait(driver, Duration.ofSeconds(20));
    // The views re-render whole lists, so an element found a moment ago may be gone.
    wait.ignoring(StaleElementReferenceException.class);
  }

  @AfterEach
  void stop() {
    if (driver != null) {
      // Script errors fail the test; failed requests (the 400s the tests provoke) are expected.
      List<String> severe =
          driver.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER).getAll().stream()
              .filter(e -> e.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue())
              .map(e -> e.getMessage())
              .filter(m -> !m.contains("Failed to load resource"))
              .toList();
      driver.quit();
      assertThat(severe).as("errors in the browser console").isEmpty();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void generateOpenEditUndoBranchRestartAndReload() {
    open("/");
    shot("01-start");

    // A 400 names its field: the message appears under the size input.
    setValue("size", "100x100");
    click("generate");
    WebElement sizeError = visible("error-size");
    assertThat(sizeError.getText()).contains("size");
    assertThat(testId("size").getAttribute("aria-invalid")).isEqualTo("true");
    shot("02-size-error");

    setValue("size", "64x64");
    setValue("n", "3");
    setValue("seed", "7");
    click("generate");
    wait.until(d -> results().size() == 3);
    assertThat(testId("error-size").isDisplayed()).isFalse();
    assertThat(results())
        .extracting(r -> r.getAttribute("data-seed"))
        .containsExactly("7", "8", "9");
    assertThat(testId("generate-status").getText()).contains("3 images", "2 step previews");
    shot("03-generated");

    // Reroll the second image alone: a new id and seed in slot 2, the others kept.
    List<String> before = results().stream().map(r -> r.getAttribute("data-id")).toList();
    results().get(1).findElement(By.cssSelector("[data-testid=reroll]")).click();
    wait.until(d -> !results().get(1).getAttribute("data-id").equals(before.get(1)));
    assertThat(results().get(0).getAttribute("data-id")).isEqualTo(before.get(0));
    assertThat(results().get(2).getAttribute("data-id")).isEqualTo(before.get(2));

    results().get(0).findElement(By.cssSelector("[data-testid=open-session]")).click();
    wait.until(d -> rounds().size() == 1);
    String sessionId = testId("session-id").getText();
    assertThat(sessionId).startsWith("ses_");
    assertThat(driver.getCurrentUrl()).contains("session=" + sessionId);
    String root = rounds().get(0).getAttribute("data-round-id");
    shot("04-session");

    testId("instruction").sendKeys("change the sofa to deep emerald green");
    wait.until(d -> testId("plan").isDisplayed() && testId("plan").getText().contains("sofa"));
    shot("05-plan");

    click("preview-region");
    wait.until(ExpectedConditions.visibilityOf(testId("mask-overlay")));
    assertThat(testId("mask-tools").isDisplayed()).isTrue();
    long grounded = paintedPixels();
    assertThat(grounded).isPositive();
    WebElement canvas = testId("mask-overlay");
    testId("tool-eraser").click();
    stroke(canvas, -canvas.getSize().width / 2 + 5);
    long erased = paintedPixels();
    assertThat(erased).isLessThan(grounded);
    testId("tool-brush").click();
    stroke(canvas, canvas.getSize().width / 4);
    assertThat(paintedPixels()).isGreaterThan(erased);
    shot("06-region");

    click("apply");
    wait.until(d -> rounds().size() == 2);
    WebElement second = rounds().get(1);
    assertThat(second.getAttribute("data-parent")).isEqualTo(root);
    wait.until(d -> testId("fidelity").getText().contains("psnr"));
    assertThat(headRound()).isEqualTo(second.getAttribute("data-round-id"));
    shot("07-applied");

    click("undo");
    wait.until(d -> root.equals(headRound()));
    shot("08-undone");

    // A second edit from the root: a branch, two children under the first round.
    click("apply");
    wait.until(d -> rounds().size() == 3);
    assertThat(
            driver.findElements(
                By.cssSelector("[data-round-id='" + root + "'] > ul > [data-testid=round]")))
        .hasSize(2);
    shot("09-branch");

    click("restart");
    wait.until(d -> rounds().stream().anyMatch(r -> "restart".equals(r.getAttribute("data-kind"))));
    String restart =
        rounds().stream()
            .filter(r -> "restart".equals(r.getAttribute("data-kind")))
            .findFirst()
            .orElseThrow()
            .getAttribute("data-round-id");
    wait.until(d -> restart.equals(headRound()));
    shot("10-restart");

    // A 400 from a round names `instruction`: the message appears under the instruction box.
    testId("instruction").clear();
    click("apply");
    assertThat(visible("error-instruction").getText()).contains("instruction");
    shot("10b-instruction-error");

    assertThat(testId("download-head").getAttribute("href")).endsWith("/content");
    assertThat(testId("download-head").getAttribute("download")).endsWith(".png");
    assertThat(sessionZipEntries(sessionId)).hasSize(5).first().isEqualTo("session.json");

    // Reload: the hash brings back the session (and the results) from the server.
    driver.navigate().refresh();
    wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getAttribute("data-ready")));
    wait.until(d -> rounds().size() == 4);
    assertThat(testId("session-id").getText()).isEqualTo(sessionId);
    assertThat(headRound()).isEqualTo(restart);
    assertThat(results()).hasSize(3);
    shot("11-reloaded");
  }

  @Test
  void phoneWidthKeepsEveryControlReachable() {
    driver.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
    open("/");
    setValue("size", "64x64");
    setValue("n", "2");
    click("generate");
    wait.until(d -> results().size() == 2);
    Long overflow =
        (Long)
            driver.executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
    assertThat(overflow).isLessThanOrEqualTo(0L);
    for (WebElement control :
        driver.findElements(By.cssSelector("input:not([type=hidden]), select, textarea"))) {
      String id = control.getAttribute("id");
      boolean labelled =
          (id != null && !driver.findElements(By.cssSelector("label[for='" + id + "']")).isEmpty())
              || control.getAttribute("aria-label") != null
              || !control.findElements(By.xpath("ancestor::label")).isEmpty();
      assertThat(labelled).as("control %s has a label", id).isTrue();
    }
    click("add-reference");
    assertLabelsSitWithTheirFields();
    shot("12-phone");
  }

  @Test
  void referencesWithRoleAndWeightAndTheResponseWarnings() {
    open("/");
    setValue("size", "64x64");
    setValue("n", "1");
    click("generate");
    wait.until(d -> results().size() == 1);
    String id = results().get(0).getAttribute("data-id");

    click("add-reference");
    assertLabelsSitWithTheirFields();
    setValue("reference-id", id);
    new org.openqa.selenium.support.ui.Select(testId("reference-role")).selectByValue("style");
    click("generate");
    wait.until(d -> testId("generate-warnings").isDisplayed());
    assertThat(testId("generate-warnings").getText()).contains("512");
    shot("13-reference-warning");
  }

  @Test
  void aCoherentSetShowsItsConsistencyReport() {
    open("/");
    setValue("size", "64x64");
    setValue("n", "3");
    new org.openqa.selenium.support.ui.Select(testId("consistency")).selectByValue("set");
    click("generate");
    wait.until(d -> results().size() == 3);
    wait.until(d -> testId("consistency-report").isDisplayed());
    assertThat(testId("consistency-report").getText())
        .startsWith("set: mean palette difference")
        .contains("over 3 pairs");
    assertThat(server.engine.generations.get(0).sampling().consistency())
        .isEqualTo(dev.atelier.core.Consistency.SET);
    shot("14-set-report");
  }

  @Test
  void galleryListsImagesAndSessionsNewestFirstAndOpensThem() {
    open("/");
    assertThat(testId("model-info").getText()).isEqualTo("fake-model · local");
    assertThat(testId("demo-notice").isDisplayed()).isFalse();
    setValue("size", "64x64");
    setValue("n", "8");
    click("generate");
    wait.until(d -> results().size() == 8);
    List<String> older = resultIds();
    setValue("n", "6");
    click("generate");
    wait.until(d -> !resultIds().contains(older.get(0)) && results().size() == 6);
    List<String> newer = resultIds();

    // Newest first: the second batch's last image leads, a page of 12, then "More images".
    List<String> newestFirst = new java.util.ArrayList<>(older);
    newestFirst.addAll(newer);
    java.util.Collections.reverse(newestFirst);
    click("open-gallery");
    wait.until(d -> galleryImages().size() == 12);
    assertThat(galleryIds("gallery-image")).isEqualTo(newestFirst.subList(0, 12));
    assertThat(testId("gallery-sessions").findElements(By.tagName("li"))).isEmpty();
    assertThat(testId("gallery").getText()).contains("No sessions yet");
    click("more-images");
    wait.until(d -> galleryImages().size() == 14);
    assertThat(galleryIds("gallery-image")).isEqualTo(newestFirst);
    assertThat(testId("more-images").isDisplayed()).isFalse();
    assertThat(driver.getCurrentUrl()).contains("gallery=1");
    shot("15-gallery");

    // An image opens as a session, as a result does; the gallery then shows that session.
    String picked = newestFirst.get(13);
    galleryImages().get(13).findElement(By.cssSelector("[data-testid=gallery-open-image]")).click();
    wait.until(d -> rounds().size() == 1);
    String sessionId = testId("session-id").getText();
    wait.until(d -> galleryIds("gallery-session").equals(List.of(sessionId)));
    assertThat(gallerySessions().get(0).getText()).contains("1 round");
    // The session's first image (a copy of the picked one) is now the newest image.
    wait.until(d -> galleryImages().size() == 12);
    assertThat(galleryIds("gallery-image")).doesNotContain(picked).hasSize(12);
    assertThat(galleryIds("gallery-image").get(0))
        .isEqualTo(testId("compare").getAttribute("data-head-image"));
    assertLabelsSitWithTheirFields();

    click("close-session");
    assertThat(testId("session").isDisplayed()).isFalse();
    gallerySessions()
        .get(0)
        .findElement(By.cssSelector("[data-testid=gallery-open-session]"))
        .click();
    wait.until(d -> testId("session").isDisplayed() && rounds().size() == 1);
    assertThat(testId("session-id").getText()).isEqualTo(sessionId);
    assertThat(driver.getCurrentUrl()).contains("session=" + sessionId);
    shot("16-gallery-session");

    // A reload keeps the gallery open, rebuilt from the server.
    driver.navigate().refresh();
    wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getAttribute("data-ready")));
    wait.until(d -> galleryIds("gallery-session").equals(List.of(sessionId)));
    assertThat(galleryImages()).hasSize(12);
    assertThat(testId("more-images").isDisplayed()).isTrue();
    click("close-gallery");
    assertThat(testId("gallery").isDisplayed()).isFalse();
    assertThat(driver.getCurrentUrl()).doesNotContain("gallery");
  }

  @Test
  void aServerWithKeysAsksForOneShowsSignedImagesAndForgetsTheKeyOnSignOut() {
    ApiKey.Issued alice =
        ApiKey.issue("alice", "", ApiKey.DEFAULT_SCOPES, 0, 0, 0, java.time.Instant.now());
    server.metadata.insertApiKey(alice.key());
    String secret = alice.secret().reveal();
    open("/");

    // The sign-in screen alone: nothing of the studio shows.
    visible("signin");
    assertThat(testId("generate-form").isDisplayed()).isFalse();
    assertThat(testId("open-gallery").isDisplayed()).isFalse();
    assertThat(testId("account").isDisplayed()).isFalse();
    assertThat(testId("api-key").getAttribute("type")).isEqualTo("password");
    shot("30-sign-in");

    // A wrong key: the API's message under the field, still signed out.
    String wrong = "atl_" + secret.substring(4, 12) + "x".repeat(35);
    setValue("api-key", wrong);
    click("sign-in");
    assertThat(visible("error-key").getText()).contains("not valid");
    assertThat(testId("generate-form").isDisplayed()).isFalse();
    assertThat(storedKeys()).isZero();
    shot("31-wrong-key");

    // The right key: the studio, and who is signed in (the key's prefix, never its secret).
    setValue("api-key", secret);
    click("sign-in");
    wait.until(d -> testId("generate-form").isDisplayed());
    assertThat(testId("signin").isDisplayed()).isFalse();
    assertThat(testId("error-key").isDisplayed()).isFalse();
    assertThat(visible("signed-in-as").getText())
        .isEqualTo("atl_" + alice.key().prefix() + "\u2026")
        .doesNotContain(secret);
    shot("32-signed-in");

    setValue("size", "64x64");
    setValue("n", "1");
    click("generate");
    wait.until(d -> results().size() == 1);
    WebElement result = results().get(0).findElement(By.tagName("img"));
    assertThat(result.getAttribute("src")).contains("/content?", "sig=").doesNotContain(secret);
    wait.until(d -> loaded(result));
    String imageId = results().get(0).getAttribute("data-id");

    // Opened as a session: the session's images are signed URLs too, and load.
    results().get(0).findElement(By.cssSelector("[data-testid=open-session]")).click();
    wait.until(d -> rounds().size() == 1);
    wait.until(d -> loaded(testId("head-image")));

    click("open-gallery");
    wait.until(d -> galleryIds("gallery-session").size() == 1 && !galleryImages().isEmpty());
    assertThat(galleryIds("gallery-image")).hasSize(2).contains(imageId);
    for (WebElement card : galleryImages()) {
      WebElement img = card.findElement(By.tagName("img"));
      driver.executeScript("arguments[0].loading = 'eager'", img);
      wait.until(d -> loaded(img));
    }
    assertThat(driver.getCurrentUrl()).doesNotContain(secret);
    shot("33-signed-in-gallery");

    // Sign out: back to the sign-in screen, nothing shown before remains, no key kept.
    click("sign-out");
    wait.until(d -> testId("signin").isDisplayed());
    assertThat(testId("gallery").isDisplayed()).isFalse();
    assertThat(testId("generate-form").isDisplayed()).isFalse();
    assertThat(results()).isEmpty();
    assertThat(galleryImages()).isEmpty();
    assertThat(
            (Long)
                driver.executeScript(
                    "return [...document.images].filter(i => i.getAttribute('src')).length"))
        .isZero();
    assertThat(storedKeys()).isZero();
    assertThat(driver.getCurrentUrl()).doesNotContain("results", "gallery", "session");
    shot("34-signed-out");
  }

  @Test
  void aKeyRevokedWhileSignedInBringsBackTheSignInScreen()
      throws java.io.IOException, InterruptedException {
    ApiKey.Issued alice =
        ApiKey.issue("alice", "", ApiKey.DEFAULT_SCOPES, 0, 0, 0, java.time.Instant.now());
    ApiKey.Issued bob =
        ApiKey.issue("bob", "", ApiKey.DEFAULT_SCOPES, 0, 0, 0, java.time.Instant.now());
    server.metadata.insertApiKey(alice.key());
    server.metadata.insertApiKey(bob.key());
    open("/");
    setValue("api-key", alice.secret().reveal());
    click("sign-in");
    wait.until(d -> testId("generate-form").isDisplayed());

    server.metadata.revokeApiKey("alice", java.time.Instant.now());
    awaitRefused(alice.secret().reveal()); // the server re-reads keys at most once a second
    setValue("size", "64x64");
    setValue("n", "1");
    click("generate");
    assertThat(visible("error-key").getText()).contains("not valid");
    assertThat(testId("generate-form").isDisplayed()).isFalse();
    assertThat(storedKeys()).isZero();

    // Another key signs in again.
    setValue("api-key", bob.secret().reveal());
    click("sign-in");
    wait.until(d -> testId("generate-form").isDisplayed());
    assertThat(testId("signed-in-as").getText()).startsWith("atl_" + bob.key().prefix());
  }

  @Test
  void aSlowGenerationShowsItsProgressUnderWorkAndLandsInTheGallery() throws Exception {
    server.engine.stepMillis = 60; // 20 steps: about 1.2 s
    // The job waits after step 3 until the running state has been looked at (on a loaded
    // machine it could otherwise end between two assertions, and its element with it).
    java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
    server.engine.stepGateAt = 3;
    server.engine.stepGate = running;
    open("/");
    click("open-gallery");
    wait.until(d -> testId("gallery").getText().contains("No images yet"));
    assertThat(testId("work").isDisplayed()).isFalse();
    setValue("size", "64x64");
    setValue("n", "2");
    click("generate");

    // The job shows under Work at once, then runs: its progress bar moves step by step.
    WebElement job = wait.until(d -> jobs().size() == 1 ? jobs().get(0) : null);
    String jobId = job.getAttribute("data-id");
    assertThat(jobId).startsWith("job_");
    assertThat(job.getAttribute("data-kind")).isEqualTo("image_generation");
    assertThat(testId("generate-status").getText()).contains(jobId);
    WebElement bar = job.findElement(By.cssSelector("[data-testid=job-progress]"));
    assertThat(bar.getAttribute("role")).isEqualTo("progressbar");
    wait.until(
        d ->
            "in_progress".equals(job.getAttribute("data-status"))
                && Integer.parseInt(bar.getAttribute("aria-valuenow")) >= 2);
    assertThat(bar.getAttribute("aria-valuemax")).isEqualTo("20");
    assertThat(bar.getAttribute("aria-valuetext")).contains("step", "of 20", "of 2 images done");
    assertThat(job.findElement(By.cssSelector("[data-testid=job-state]")).getText())
        .startsWith("Running: step");
    assertThat(
            job.findElement(By.cssSelector("[data-testid=job-cancel]")).getAttribute("aria-label"))
        .isEqualTo("Cancel Generation " + jobId);
    shot("40-work-running");
    running.countDown();

    // Done: gone from the panel, its images are the results and lead the gallery.
    wait.until(d -> jobs().isEmpty() && results().size() == 2);
    List<String> made = resultIds();
    wait.until(d -> galleryIds("gallery-image").equals(List.of(made.get(1), made.get(0))));
    assertThat(testId("work-empty").getText()).isEqualTo("Nothing queued or running.");
    assertThat(ended(jobId).getAttribute("data-status")).isEqualTo("completed");
    assertThat(ended(jobId).getText()).contains("completed: 2 images");
    assertThat(testId("generate-status").getText()).contains("2 images", "2 step previews");
    ServerFixture.Reply reply = server.get("/v1/jobs/" + jobId);
    assertThat(reply.json().string("status", "")).isEqualTo("completed");
    assertThat(
            reply.json().object("result").orElseThrow().array("data").stream()
                .map(d -> d.asObject().string("id", ""))
                .toList())
        .isEqualTo(made);
    shot("41-work-done");
  }

  @Test
  void aJobQueuedBehindARunningOneShowsQueuedAndCancelRemovesEither() throws Exception {
    server.engine.holdAtStep = 3; // the first job runs until it is cancelled
    open("/");
    setValue("size", "64x64");
    setValue("n", "1");
    click("generate");
    WebElement first = wait.until(d -> jobs().size() == 1 ? jobs().get(0) : null);
    String held = first.getAttribute("data-id");
    wait.until(
        d ->
            "3"
                .equals(
                    first
                        .findElement(By.cssSelector("[data-testid=job-progress]"))
                        .getAttribute("aria-valuenow")));
    server.engine.holdAtStep = 0; // the jobs after it run through

    // Two more behind it: queued, in arrival order, with their places in the queue.
    click("generate");
    wait.until(d -> jobs().size() == 2);
    click("generate");
    wait.until(d -> jobs().size() == 3);
    assertThat(jobs())
        .extracting(j -> j.getAttribute("data-status"))
        .containsExactly("in_progress", "queued", "queued");
    assertThat(jobs()).extracting(j -> j.getAttribute("data-id")).first().isEqualTo(held);
    String next = jobs().get(1).getAttribute("data-id");
    String last = jobs().get(2).getAttribute("data-id");
    wait.until(d -> "1".equals(job(last).getAttribute("data-queue-position")));
    assertThat(job(next).getAttribute("data-queue-position")).isEqualTo("0");
    assertThat(job(next).getText()).contains("Queued: next in line");
    assertThat(job(last).getText()).contains("Queued: 1 ahead");
    shot("42-work-queued");

    // Cancel the last queued one: it ends at once.
    job(last).findElement(By.cssSelector("[data-testid=job-cancel]")).click();
    wait.until(d -> jobs().size() == 2 && ended(last) != null);
    assertThat(status(last)).isEqualTo("cancelled");

    // Cancel the running one: it stops at its next step and leaves; the queued one then runs.
    job(held).findElement(By.cssSelector("[data-testid=job-cancel]")).click();
    wait.until(
        d ->
            driver
                .findElements(By.cssSelector("[data-testid=job][data-id='" + held + "']"))
                .isEmpty());
    assertThat(status(held)).isEqualTo("cancelled");
    assertThat(ended(held).getText()).contains("cancelled");
    wait.until(d -> jobs().isEmpty() && results().size() == 1);
    assertThat(status(next)).isEqualTo("completed");
    shot("43-work-cancelled");

    // Only the job that completed stored an image.
    List<String> stored =
        server.get("/v1/images").json().array("data").stream()
            .map(d -> d.asObject().string("id", ""))
            .toList();
    assertThat(stored).containsExactly(results().get(0).getAttribute("data-id"));
    assertThat(server.engine.cancelled.getCount()).isZero();
  }

  @Test
  void aFailedJobShowsItsMessage() throws Exception {
    server.engine.failAtStep = 2;
    open("/");
    setValue("size", "64x64");
    setValue("n", "1");
    click("generate");
    WebElement error = visible("error-general");
    assertThat(error.getText()).contains("fake failure at step 2");
    String jobId = testId("work-finished").findElement(By.tagName("li")).getAttribute("data-id");
    assertThat(ended(jobId).getAttribute("data-status")).isEqualTo("failed");
    assertThat(ended(jobId).getText()).contains("failed: ", "fake failure at step 2");
    assertThat(jobs()).isEmpty();
    assertThat(results()).isEmpty();
    assertThat(status(jobId)).isEqualTo("failed");
    shot("44-work-failed");
  }

  @Test
  void aJobStillRunningAfterAReloadShowsAndItsImagesArrive() throws Exception {
    server.engine.gate = new java.util.concurrent.CountDownLatch(1);
    open("/");
    setValue("size", "64x64");
    setValue("n", "2");
    click("generate");
    assertThat(server.engine.atGate.tryAcquire(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    String jobId =
        wait.until(d -> jobs().size() == 1 ? jobs().get(0).getAttribute("data-id") : null);

    // A reload forgets the page's own following; the list brings the running job back.
    driver.navigate().refresh();
    wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getAttribute("data-ready")));
    wait.until(
        d -> jobs().size() == 1 && "in_progress".equals(job(jobId).getAttribute("data-status")));
    server.engine.gate.countDown();
    wait.until(d -> jobs().isEmpty() && results().size() == 2);
    assertThat(ended(jobId).getAttribute("data-status")).isEqualTo("completed");
    assertThat(testId("generate-status").getText()).contains("2 images from " + jobId);
    assertThat(driver.getCurrentUrl()).contains("results=" + String.join(",", resultIds()));
  }

  private List<WebElement> jobs() {
    return driver.findElements(By.cssSelector("[data-testid=job]"));
  }

  private WebElement job(String id) {
    return driver.findElement(By.cssSelector("[data-testid=job][data-id='" + id + "']"));
  }

  /** The Work panel's line for a job that ended, or null. */
  private WebElement ended(String id) {
    return driver
        .findElements(By.cssSelector("[data-testid=job-ended][data-id='" + id + "']"))
        .stream()
        .findFirst()
        .orElse(null);
  }

  /** The job's status as GET /v1/jobs/{id} answers it. */
  private String status(String id) throws IOException, InterruptedException {
    return server.get("/v1/jobs/" + id).json().string("status", "");
  }

  /** Whether the image finished loading with pixels. */
  private boolean loaded(WebElement img) {
    return Boolean.TRUE.equals(
        driver.executeScript("return arguments[0].complete && arguments[0].naturalWidth > 0", img));
  }

  /** How many sessionStorage entries hold something that looks like an API key. */
  private long storedKeys() {
    return (Long)
        driver.executeScript(
            "return Object.keys(sessionStorage)"
                + ".filter(k => (sessionStorage.getItem(k) || '').includes('atl_')).length");
  }

  @Test
  void theDemoModelsShowANoticeAndTheModelLine() {
    server.close();
    server = ServerFixture.demo(dir, new FakeGrounder());
    driver.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
    open("/");
    WebElement notice = visible("demo-notice");
    assertThat(notice.getText())
        .contains("demo model: images are noise", "random weights", "./atelier serve --model PATH");
    assertThat(testId("model-info").getText()).isEqualTo("demo · local");
    Long overflow =
        (Long)
            driver.executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
    assertThat(overflow).isLessThanOrEqualTo(0L);
    shot("17-demo-notice");
  }

  /**
   * Each visible label sits right above its control, and the labels of fields side by side in a row
   * line up (a hint or an error under one input must not push its label up).
   */
  private void assertLabelsSitWithTheirFields() {
    @SuppressWarnings("unchecked")
    List<String> problems =
        (List<String>)
            driver.executeScript(
                """
                const problems = [];
                const shown = (e) => e.getClientRects().length > 0;
                for (const label of document.querySelectorAll('label[for]')) {
                  const control = document.getElementById(label.htmlFor);
                  if (!control || !shown(label) || !shown(control)) continue;
                  const l = label.getBoundingClientRect(), c = control.getBoundingClientRect();
                  const gap = c.top - l.bottom;
                  if (gap < 0 || gap > 8 || Math.abs(c.left - l.left) > 2) {
                    problems.push(label.htmlFor + ': label ends at ' + l.bottom + ' (x ' + l.left
                      + '), control starts at ' + c.top + ' (x ' + c.left + ')');
                  }
                }
                for (const row of document.querySelectorAll('.row')) {
                  const fields = [...row.querySelectorAll(':scope > .field')]
                    .filter((f) => shown(f) && f.querySelector('label'));
                  for (const a of fields) for (const b of fields) {
                    const ra = a.getBoundingClientRect(), rb = b.getBoundingClientRect();
                    const sameLine = ra.top < rb.bottom && rb.top < ra.bottom;
                    const la = a.querySelector('label').getBoundingClientRect().top;
                    const lb = b.querySelector('label').getBoundingClientRect().top;
                    if (a !== b && sameLine && Math.abs(la - lb) > 2) {
                      problems.push(a.querySelector('label').textContent + ' label at ' + la
                        + ' but ' + b.querySelector('label').textContent + ' label at ' + lb);
                    }
                  }
                }
                return problems;
                """);
    assertThat(problems).as("labels out of place").isEmpty();
  }

  private List<String> resultIds() {
    return results().stream().map(r -> r.getAttribute("data-id")).toList();
  }

  private List<WebElement> galleryImages() {
    return driver.findElements(By.cssSelector("[data-testid=gallery-image]"));
  }

  private List<WebElement> gallerySessions() {
    return driver.findElements(By.cssSelector("[data-testid=gallery-session]"));
  }

  private List<String> galleryIds(String testid) {
    return driver.findElements(By.cssSelector("[data-testid=" + testid + "]")).stream()
        .map(e -> e.getAttribute("data-id"))
        .toList();
  }

  /** Draws a horizontal stroke through the canvas centre, dx pixels from it. */
  private void stroke(WebElement canvas, int dx) {
    new org.openqa.selenium.interactions.Actions(driver)
        .moveToElement(canvas, dx, -20)
        .clickAndHold()
        .moveByOffset(0, 40)
        .release()
        .perform();
  }

  /** Pixels of the region canvas that are part of the edit region. */
  private long paintedPixels() {
    return (Long)
        driver.executeScript(
            "const c = document.querySelector('[data-testid=mask-overlay]');"
                + "const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                + "let n = 0; for (let i = 3; i < px.length; i += 4) if (px[i] > 127) n++;"
                + "return n;");
  }

  /**
   * Builds the session's ZIP in the page (the same code the download button runs) and reads it back
   * with java.util.zip, which checks every stored entry's CRC and size.
   */
  private List<String> sessionZipEntries(String sessionId) {
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
    String b64 =
        (String)
            driver.executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                    + "Promise.all([import('/js/archive.js'),"
                    + " fetch('/v1/sessions/' + arguments[0]).then(r => r.json())])"
                    + ".then(([m, s]) => m.sessionZip(s)).then(b => b.arrayBuffer())"
                    + ".then(buf => { let s = ''; for (const x of new Uint8Array(buf))"
                    + " s += String.fromCharCode(x); done(btoa(s)); })"
                    + ".catch(e => done('error: ' + e));",
                sessionId);
    assertThat(b64).doesNotStartWith("error");
    List<String> names = new java.util.ArrayList<>();
    try (var zin =
        new java.util.zip.ZipInputStream(
            new java.io.ByteArrayInputStream(java.util.Base64.getDecoder().decode(b64)))) {
      for (var e = zin.getNextEntry(); e != null; e = zin.getNextEntry()) {
        byte[] bytes = zin.readAllBytes();
        names.add(e.getName());
        if (e.getName().endsWith(".png")) {
          assertThat(bytes).startsWith(0x89, 'P', 'N', 'G');
        } else {
          assertThat(new String(bytes, java.nio.charset.StandardCharsets.UTF_8))
              .contains(sessionId);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return names;
  }

  /** Waits (bounded, without sleeping a fixed time) until the server refuses {@code key}. */
  private void awaitRefused(String key) throws java.io.IOException, InterruptedException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    java.net.http.HttpRequest probe =
        java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(server.base() + "/v1/sessions?limit=1"))
            .header("Authorization", "Bearer " + key)
            .build();
    while (server
            .http
            .send(probe, java.net.http.HttpResponse.BodyHandlers.discarding())
            .statusCode()
        != 401) {
      assertThat(System.nanoTime())
          .as("the revoked key is refused within 5 s")
          .isLessThan(deadline);
      Thread.onSpinWait();
    }
  }

  private void open(String path) {
    driver.get(server.base() + path);
    wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getAttribute("data-ready")));
  }

  private WebElement testId(String id) {
    return driver.findElement(By.cssSelector("[data-testid='" + id + "']"));
  }

  private WebElement visible(String id) {
    return wait.until(
        ExpectedConditions.visibilityOfElementLocated(
            By.cssSelector("[data-testid='" + id + "']")));
  }

  private void click(String id) {
    wait.until(
            ExpectedConditions.elementToBeClickable(By.cssSelector("[data-testid='" + id + "']")))
        .click();
  }

  private void setValue(String id, String value) {
    WebElement e = testId(id);
    e.clear();
    e.sendKeys(value);
  }

  private List<WebElement> results() {
    return driver.findElements(By.cssSelector("[data-testid=result]"));
  }

  private List<WebElement> rounds() {
    return driver.findElements(By.cssSelector("[data-testid=round]"));
  }

  private String headRound() {
    return wait.until(
        (Function<WebDriver, String>)
            d ->
                d.findElement(By.cssSelector(".round[aria-current=true]"))
                    .findElement(By.xpath(".."))
                    .getAttribute("data-round-id"));
  }

  private void shot(String name) {
    try {
      Files.write(SHOTS.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
