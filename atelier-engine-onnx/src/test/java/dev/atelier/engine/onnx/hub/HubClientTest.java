package dev.atelier.engine.onnx.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.atelier.core.AtelierException.ModelUnavailable;
import dev.atelier.engine.onnx.hub.internal.Checksums;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HubClientTest {

  private static final ModelId MODEL = ModelId.parse("atelier-test/tiny-sd");

  @TempDir Path dir;
  private FakeHub hub;

  @BeforeEach
  void start() throws Exception {
    hub = FakeHub.tinySd();
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  private static final String UNET = "unet/model.onnx";

  /** The waits the client asked for between attempts; nothing actually waits. */
  private final List<Duration> waits = new CopyOnWriteArrayList<>();

  private HubClient client(String token) {
    return new HubClient(
        new HubConfig(hub.endpoint(), token, false), RetryPolicy.DEFAULT, waits::add);
  }

  private HubFile file(HubClient client, String path) {
    return client.listFiles(MODEL).stream().filter(f -> f.path().equals(path)).findFirst().get();
  }

  @Test
  void listsFilesWithSizesAndLfsChecksumsButNoDirectories() throws Exception {
    List<HubFile> files = client("").listFiles(MODEL);

    assertThat(files).extracting(HubFile::path).contains("unet/model.onnx", "model_index.json");
    assertThat(files).extracting(HubFile::path).doesNotContain("unet", "tokenizer");
    Path unet = FakeHub.fixture().resolve("unet/model.onnx");
    assertThat(files)
        .contains(new HubFile("unet/model.onnx", Files.size(unet), Checksums.sha256(unet)))
        .contains(
            new HubFile(
                "model_index.json", Files.size(FakeHub.fixture().resolve("model_index.json")), ""));
  }

  @Test
  void downloadFollowsTheRedirectAndVerifies() throws Exception {
    HubClient client = client("");
    Path target = dir.resolve("unet/model.onnx");

    client.download(MODEL, file(client, "unet/model.onnx"), target, DownloadProgress.NONE);

    assertThat(target).hasSameBinaryContentAs(FakeHub.fixture().resolve("unet/model.onnx"));
    assertThat(hub.requestsFor("/cdn/unet/model.onnx")).hasSize(1);
    assertThat(target.resolveSibling("model.onnx.part")).doesNotExist();
  }

  @Test
  void gatedRepoWithoutTokenSaysToSetHfToken() {
    hub.requiredToken = "hf_secret";

    assertThatThrownBy(() -> client("").listFiles(MODEL))
        .isInstanceOf(ModelUnavailable.class)
        .hasMessageContaining("repo atelier-test/tiny-sd is gated or private")
        .hasMessageContaining("set HF_TOKEN");
  }

  @Test
  void gatedRepoWithTokenSendsBearerAndSucceeds() {
    hub.requiredToken = "hf_secret";
    HubClient client = client("hf_secret");

    client.download(
        MODEL, file(client, "unet/model.onnx"), dir.resolve("m.onnx"), DownloadProgress.NONE);

    assertThat(hub.requests).isNotEmpty();
    assertThat(hub.requestsFor("/tree/main").get(0).authorization()).isEqualTo("Bearer hf_secret");
    assertThat(dir.resolve("m.onnx")).exists();
  }

  @Test
  void wrongTokenIsNamedAsRefused() {
    hub.requiredToken = "hf_secret";

    assertThatThrownBy(() -> client("hf_wrong").listFiles(MODEL))
        .isInstanceOf(ModelUnavailable.class)
        .hasMessageContaining("gated or private")
        .hasMessageContaining("HF_TOKEN was refused");
  }

  @Test
  void unknownRepoIsNoSuchRepoOrRevision() {
    assertThatThrownBy(() -> client("").listFiles(ModelId.parse("nobody/nothing@v9")))
        .isInstanceOf(ModelUnavailable.class)
        .hasMessageContaining("no such repo or revision: nobody/nothing at revision v9");
  }

  @Test
  void corruptedFileIsRejectedAndFetchedAgain() {
    HubClient client = client("");
    HubFile unet = file(client, "unet/model.onnx");
    hub.corruptOnce.add("unet/model.onnx");
    Path target = dir.resolve("model.onnx");

    client.download(MODEL, unet, target, DownloadProgress.NONE);

    assertThat(target).hasSameBinaryContentAs(FakeHub.fixture().resolve("unet/model.onnx"));
    assertThat(hub.requestsFor("/cdn/unet/model.onnx")).hasSize(2);
  }

  @Test
  void fileCorruptTwiceFailsNamingExpectedAndActualChecksums() {
    HubClient client = client("");
    HubFile unet = file(client, "unet/model.onnx");
    hub.corruptAlways.add("unet/model.onnx");
    Path target = dir.resolve("model.onnx");

    assertThatThrownBy(() -> client.download(MODEL, unet, target, DownloadProgress.NONE))
        .isInstanceOf(ModelUnavailable.class)
        .hasMessageContaining("unet/model.onnx of atelier-test/tiny-sd@main was corrupt twice")
        .hasMessageContaining("expected sha256 " + unet.sha256() + " but got ");
    assertThat(target).doesNotExist();
    assertThat(dir.resolve("model.onnx.part")).doesNotExist();
    assertThat(hub.requestsFor("/cdn/unet/model.onnx")).hasSize(2);
    assertThat(waits).isEmpty();
  }

  @Test
  void fileCutTwiceMidBodyResumesWithRangeAndFinishesOnTheThirdAttempt() throws Exception {
    HubClient client = client("");
    HubFile unet = file(client, UNET);
    hub.cut(UNET, 100_000, 2);
    Path target = dir.resolve("model.onnx");
    Path part = dir.resolve("model.onnx.part");
    List<Long> done = new CopyOnWriteArrayList<>();
    List<String> notOnDisk = new CopyOnWriteArrayList<>();

    client.download(
        MODEL,
        unet,
        target,
        (name, bytes, total) -> {
          done.add(bytes);
          long onDisk = sizeOrZero(part);
          if (onDisk != bytes) {
            notOnDisk.add(bytes + " reported but " + onDisk + " on disk");
          }
        });

    // The client may lose the last bytes before a cut, so the ranges are not exact multiples of
    // the cut; each must start where the file on disk ended, which is what progress reported.
    List<String> ranges = hub.rangesFor("/cdn/" + UNET);
    assertThat(ranges).hasSize(3);
    assertThat(ranges.get(0)).isEmpty();
    long first = rangeStart(ranges.get(1));
    long second = rangeStart(ranges.get(2));
    assertThat(first).isPositive().isLessThanOrEqualTo(100_000);
    assertThat(second).isGreaterThan(first).isLessThanOrEqualTo(first + 100_000);
    assertThat(done).contains(first, second);
    assertThat(notOnDisk).isEmpty();
    assertThat(target).hasSameBinaryContentAs(FakeHub.fixture().resolve(UNET));
    assertThat(Checksums.sha256(target)).isEqualTo(unet.sha256());
    assertThat(done).isSorted().last().isEqualTo(unet.size());
    assertThat(waits).hasSize(2);
  }

  @Test
  void aServerThatIgnoresTheRangeHasTheBytesOnDiskSkippedNotRewritten() throws Exception {
    HubClient client = client("");
    HubFile unet = file(client, UNET);
    hub.cut(UNET, 100_000, 1);
    hub.ignoreRange.add(UNET);
    Path target = dir.resolve("model.onnx");
    List<Long> done = new CopyOnWriteArrayList<>();

    client.download(MODEL, unet, target, (name, bytes, total) -> done.add(bytes));

    assertThat(hub.rangesFor("/cdn/" + UNET)).hasSize(2).last().asString().startsWith("bytes=");
    assertThat(target).hasSameBinaryContentAs(FakeHub.fixture().resolve(UNET));
    assertThat(done).isSorted().last().isEqualTo(unet.size());
  }

  /** Short enough for tests; stalls are seen by the watchdog, not by a sleeping test. */
  private static final Duration STALL = Duration.ofMillis(200);

  private HubClient stallingClient() {
    return new HubClient(
        new HubConfig(hub.endpoint(), "", false),
        RetryPolicy.DEFAULT.withStallTimeout(STALL),
        waits::add);
  }

  @Test
  void aTransferThatStallsTwiceIsDroppedAndResumedFromTheBytesOnDisk() throws Exception {
    HubClient client = stallingClient();
    HubFile unet = file(client, UNET);
    hub.stall(UNET, 100_000, 2);
    Path target = dir.resolve("model.onnx");
    Path part = dir.resolve("model.onnx.part");
    List<Long> onDiskAtRequest = new CopyOnWriteArrayList<>();
    hub.onRequest =
        r -> {
          if (r.path().equals("/cdn/" + UNET)) {
            onDiskAtRequest.add(sizeOrZero(part));
          }
        };

    client.download(MODEL, unet, target, DownloadProgress.NONE);

    List<String> ranges = hub.rangesFor("/cdn/" + UNET);
    assertThat(ranges).hasSize(3);
    assertThat(ranges.get(0)).isEmpty();
    long first = rangeStart(ranges.get(1));
    long second = rangeStart(ranges.get(2));
    assertThat(List.of(first, second)).isEqualTo(onDiskAtRequest.subList(1, 3));
    assertThat(first).isPositive().isLessThanOrEqualTo(100_000);
    assertThat(second).isGreaterThan(first).isLessThanOrEqualTo(first + 100_000);
    assertThat(target).hasSameBinaryContentAs(FakeHub.fixture().resolve(UNET));
    assertThat(Checksums.sha256(target)).isEqualTo(unet.sha256());
    assertThat(part).doesNotExist();
    assertThat(waits).hasSize(2);
  }

  @Test
  void aTransferThatAlwaysStallsGivesUpNamingTheStallAndKeepsThePartFile() throws Exception {
    HubClient client = stallingClient();
    HubFile unet = file(client, UNET);
    hub.stall(UNET, 100_000, Integer.MAX_VALUE);
    Path target = dir.resolve("model.onnx");
    Path part = dir.resolve("model.onnx.part");

    Throwable error =
        catchThrowable(() -> client.download(MODEL, unet, target, DownloadProgress.NONE));

    long kept = Files.size(part);
    assertThat(kept).isPositive().isLessThanOrEqualTo(600_000);
    assertThat(error)
        .isInstanceOf(ModelUnavailable.class)
        .hasMessageContaining(
            "download of unet/model.onnx from atelier-test/tiny-sd@main gave up after 6 attempts")
        .hasMessageContaining(
            "the transfer stalled (no data for 0.2 s) after " + kept + " of " + unet.size())
        .hasMessageContaining(kept + " of " + unet.size() + " bytes are kept in " + part);
    assertThat(hub.requestsFor("/cdn/" + UNET)).hasSize(6);
    assertThat(waits).hasSize(5);
    assertThat(target).doesNotExist();
    assertThat(client.watchdog().watching()).isZero();
  }

  @Test
  void aStalledTransferDropsItsConnectionAndLeavesNothingWatchedOrRunning() throws Exception {
    HubClient client = stallingClient();
    HubFile unet = file(client, UNET);
    hub.stall(UNET, 100_000, 1);

    client.download(MODEL, unet, dir.resolve("model.onnx"), DownloadProgress.NONE);

    assertThat(client.watchdog().watching()).isZero();
    // One shared daemon thread for every client, not one per transfer.
    assertThat(Thread.getAllStackTraces().keySet())
        .filteredOn(t -> t.getName().equals(StallWatchdog.THREAD_NAME))
        .hasSizeLessThanOrEqualTo(1)
        .allMatch(Thread::isDaemon);
    // The server, let go, finds the client gone: the stalled connection was closed, not pooled.
    assertThat(hub.releaseStalls()).containsExactly("client gone");
  }

  private static long sizeOrZero(Path file) {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static long rangeStart(String range) {
    assertThat(range).matches("bytes=[0-9]+-");
    return Long.parseLong(range.substring("bytes=".length(), range.length() - 1));
  }

  @Test
  void serverErrorsAndRateLimitsAreRetriedHonouringRetryAfter() {
    HubClient client = client("");
    HubFile unet = file(client, UNET);
    hub.refuse("/resolve/main/" + UNET, 503, "", 2);
    hub.refuse("/cdn/" + UNET, 429, "7", 1);
    Path target = dir.resolve("model.onnx");

    client.download(MODEL, unet, target, DownloadProgress.NONE);

    assertThat(target).hasSameBinaryContentAs(FakeHub.fixture().resolve(UNET));
    assertThat(hub.requestsFor("/resolve/main/" + UNET)).hasSize(4);
    assertThat(waits).hasSize(3);
    // Backoff with jitter: each wait is drawn from the upper half of 1 s, then 2 s.
    assertThat(waits.get(0)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
    assertThat(waits.get(1)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));
    assertThat(waits.get(2)).isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void listingIsRetriedAfterAServerError() {
    hub.refuse("/tree/main", 502, "", 1);

    assertThat(client("").listFiles(MODEL)).extracting(HubFile::path).contains(UNET);
    assertThat(hub.requestsFor("/tree/main")).hasSize(2);
    assertThat(waits).hasSize(1);
  }

  @Test
  void afterTheLastRetryTheErrorSaysAttemptsAndKeptBytesAndTheNextCallResumes() throws Exception {
    HubClient client = client("");
    HubFile unet = file(client, UNET);
    hub.cut(UNET, 100_000, Integer.MAX_VALUE);
    Path target = dir.resolve("model.onnx");
    Path part = dir.resolve("model.onnx.part");

    Throwable error =
        catchThrowable(() -> client.download(MODEL, unet, target, DownloadProgress.NONE));

    long kept = Files.size(part);
    assertThat(kept).isPositive().isLessThanOrEqualTo(600_000);
    assertThat(error)
        .isInstanceOf(ModelUnavailable.class)
        .hasMessageContaining(
            "download of unet/model.onnx from atelier-test/tiny-sd@main gave up after 6 attempts")
        .hasMessageContaining("the transfer was cut after " + kept + " of " + unet.size())
        .hasMessageContaining(
            kept
                + " of "
                + unet.size()
                + " bytes are kept in "
                + part
                + ", and running the command again resumes from there");
    assertThat(hub.requestsFor("/cdn/" + UNET)).hasSize(6);
    assertThat(waits).hasSize(5);
    assertThat(target).doesNotExist();

    hub.stopCutting(UNET);
    client.download(MODEL, unet, target, DownloadProgress.NONE);

    assertThat(hub.rangesFor("/cdn/" + UNET)).last().isEqualTo("bytes=" + kept + "-");
    assertThat(target).hasSameBinaryContentAs(FakeHub.fixture().resolve(UNET));
    assertThat(part).doesNotExist();
  }

  @Test
  void refusalsAreNotRetried() {
    HubClient client = client("");
    HubFile unet = file(client, UNET);
    for (int status : new int[] {401, 403, 404}) {
      hub.requests.clear();
      hub.refuse("/resolve/main/" + UNET, status, "", 1);

      assertThatThrownBy(
              () -> client.download(MODEL, unet, dir.resolve("model.onnx"), DownloadProgress.NONE))
          .isInstanceOf(ModelUnavailable.class)
          .hasMessageContaining("HTTP " + status);
      assertThat(hub.requests).hasSize(1);
    }
    assertThat(waits).isEmpty();
  }

  @Test
  void aHubNobodyListensOnIsNotRetried() throws Exception {
    URI closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }
    HubClient client =
        new HubClient(new HubConfig(closed, "", false), RetryPolicy.DEFAULT, waits::add);

    assertThatThrownBy(() -> client.listFiles(MODEL))
        .isInstanceOf(ModelUnavailable.class)
        .hasMessageContaining("cannot reach the Hub at " + closed);
    assertThat(waits).isEmpty();
  }

  @Test
  void offlineClientMakesNoRequests() {
    HubClient client = new HubClient(new HubConfig(hub.endpoint(), "", true));

    assertThatThrownBy(() -> client.listFiles(MODEL))
        .isInstanceOf(ModelUnavailable.class)
        .hasMessageContaining("offline")
        .hasMessageContaining("atelier-test/tiny-sd");
    assertThat(hub.requests).isEmpty();
  }

  @Test
  void configReadsTheEnvironmentAndHidesTheToken() {
    HubConfig config =
        HubConfig.fromEnvironment(
            Map.of(
                "HF_ENDPOINT", "http://mirror.local/", "HF_TOKEN", "hf_x", "HF_HUB_OFFLINE", "1"));

    assertThat(config.endpoint()).hasToString("http://mirror.local");
    assertThat(config.token()).isEqualTo("hf_x");
    assertThat(config.offline()).isTrue();
    assertThat(config.toString()).doesNotContain("hf_x");
    assertThat(HubConfig.fromEnvironment(Map.of()))
        .isEqualTo(new HubConfig(HubConfig.DEFAULT_ENDPOINT, "", false));
    assertThat(HubConfig.fromEnvironment(Map.of("ATELIER_OFFLINE", "1")).offline()).isTrue();
  }

  @Test
  void offlineMessagesNameOnlyWhatSetOfflineMode() {
    HubConfig byEnv = HubConfig.fromEnvironment(Map.of("HF_HUB_OFFLINE", "1"));
    assertThat(byEnv.offlineBy()).isEqualTo("HF_HUB_OFFLINE=1");
    assertThat(byEnv.withOffline("--offline").offlineBy()).isEqualTo("HF_HUB_OFFLINE=1");
    HubConfig byFlag = HubConfig.fromEnvironment(Map.of()).withOffline("--offline");

    assertThatThrownBy(() -> new HubClient(byFlag).listFiles(ModelId.parse("owner/model")))
        .hasMessageContaining("offline mode (set by --offline)")
        .hasMessageNotContaining("ATELIER_OFFLINE")
        .hasMessageNotContaining("HF_HUB_OFFLINE");
    assertThat(HubConfig.fromEnvironment(Map.of("ATELIER_OFFLINE", "0")).offlineBy()).isEmpty();
  }
}
