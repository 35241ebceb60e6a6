package dev.atelier.engine.onnx.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.atelier.core.AtelierException.InvalidRequest;
import dev.atelier.core.AtelierException.ModelUnavailable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCacheTest {

  private static final String ID = "atelier-test/tiny-sd";

  @TempDir Path dataDir;
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

  /** The waits asked for between attempts; nothing actually waits. */
  private final List<Duration> waits = new CopyOnWriteArrayList<>();

  private ModelCache cache(boolean offline) {
    return new ModelCache(
        dataDir,
        new HubClient(new HubConfig(hub.endpoint(), "", offline), RetryPolicy.DEFAULT, waits::add));
  }

  private static Set<String> relativeFiles(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      Set<String> files = new TreeSet<>();
      walk.filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString().replace('\\', '/'))
          .filter(p -> !p.startsWith("."))
          .forEach(files::add);
      return files;
    }
  }

  @Test
  void freshPullStoresExactlyTheNeededFilesInTheHubLayout() throws Exception {
    List<long[]> reports = new ArrayList<>();

    Path folder =
        cache(false).pull(ID, (file, done, total) -> reports.add(new long[] {done, total}));

    assertThat(folder)
        .isEqualTo(dataDir.resolve("models/atelier-test--tiny-sd/main").toAbsolutePath());
    Set<String> fixture = relativeFiles(FakeHub.fixture());
    assertThat(relativeFiles(folder)).isEqualTo(fixture);
    for (String f : fixture) {
      assertThat(folder.resolve(f)).hasSameBinaryContentAs(FakeHub.fixture().resolve(f));
    }
    assertThat(folder.resolve(ModelCache.COMPLETE_MARKER)).exists();
    assertThat(hub.requests)
        .noneMatch(r -> r.path().endsWith(".safetensors") || r.path().endsWith(".png"));
    long total = reports.get(0)[1];
    assertThat(reports.get(reports.size() - 1)).containsExactly(total, total);
    assertThat(reports).allMatch(r -> r[1] == total && r[0] <= total);
  }

  @Test
  void pullCutTwiceFinishesByItselfWithProgressThatNeverGoesBack() throws Exception {
    hub.cut(UNET, 100_000, 2);
    List<Long> done = new CopyOnWriteArrayList<>();
    List<Long> totals = new CopyOnWriteArrayList<>();

    Path folder =
        cache(false)
            .pull(
                ID,
                (file, bytes, total) -> {
                  done.add(bytes);
                  totals.add(total);
                });

    // Each retry resumes where the kept bytes end: 100000 and 200000 when every byte sent before a
    // cut arrived; under load the reset that drops the connection can discard the last unread
    // kilobytes, and then the resumption starts a little earlier (never later, never from 0).
    List<String> ranges = hub.rangesFor("/cdn/" + UNET);
    assertThat(ranges).hasSize(3);
    assertThat(ranges.get(0)).isEmpty();
    long first = resumedAt(ranges.get(1));
    long second = resumedAt(ranges.get(2));
    assertThat(first).isBetween(1L, 100_000L);
    assertThat(second).isBetween(first + 1, first + 100_000L);
    assertThat(folder.resolve(UNET)).hasSameBinaryContentAs(FakeHub.fixture().resolve(UNET));
    assertThat(folder.resolve(ModelCache.COMPLETE_MARKER)).exists();
    assertThat(done).isSorted();
    assertThat(done.get(done.size() - 1)).isEqualTo(totals.get(0));
    assertThat(totals).containsOnly(totals.get(0));
  }

  @Test
  void pullOutOfRetriesKeepsThePartAndTheNextPullResumesFromIt() throws Exception {
    hub.cut(UNET, 100_000, Integer.MAX_VALUE);
    ModelCache cache = cache(false);
    Path part = cache.folder(ModelId.parse(ID)).resolve(UNET + ".part");

    Throwable error = catchThrowable(() -> cache.pull(ID, DownloadProgress.NONE));

    long kept = Files.size(part);
    assertThat(kept).isPositive();
    assertThat(error)
        .isInstanceOf(ModelUnavailable.class)
        .hasMessageContaining(
            "download of unet/model.onnx from atelier-test/tiny-sd@main gave up after 6 attempts")
        .hasMessageContaining(kept + " of ")
        .hasMessageContaining("bytes are kept in " + part)
        .hasMessageContaining("running the command again resumes");
    assertThat(cache.info(ID)).get().extracting(CachedModel::complete).isEqualTo(false);
    hub.stopCutting(UNET);

    Path folder = cache.pull(ID, DownloadProgress.NONE);

    assertThat(hub.rangesFor("/cdn/" + UNET)).last().isEqualTo("bytes=" + kept + "-");
    assertThat(folder.resolve(UNET)).hasSameBinaryContentAs(FakeHub.fixture().resolve(UNET));
    assertThat(part).doesNotExist();
    assertThat(folder.resolve(ModelCache.COMPLETE_MARKER)).exists();
  }

  @Test
  void offlinePullOfAPartialModelNamesTheMissingFilesWithoutAnyRequest() {
    hub.cut(UNET, 100_000, Integer.MAX_VALUE);
    assertThatThrownBy(() -> cache(false).pull(ID, DownloadProgress.NONE))
        .isInstanceOf(ModelUnavailable.class);
    hub.requests.clear();

    assertThatThrownBy(() -> cache(true).pull(ID, DownloadProgress.NONE))
        .isInstanceOf(ModelUnavailable.class)
        .hasMessageContaining("offline")
        .hasMessageContaining("repo atelier-test/tiny-sd at revision main")
        .hasMessageContaining("unet/model.onnx")
        .hasMessageContaining("vae_decoder/model.onnx");
    assertThatThrownBy(() -> cache(true).resolve("other/model@v1"))
        .isInstanceOf(ModelUnavailable.class)
        .hasMessageContaining("repo other/model at revision v1")
        .hasMessageContaining("never pulled");
    assertThat(hub.requests).isEmpty();
  }

  @Test
  void listedSizeIsKnownOnceTheHubAnsweredAListing() {
    ModelCache cache = cache(false);
    assertThat(cache.listed(ModelId.parse(ID))).isEmpty();
    hub.cut(UNET, 100_000, Integer.MAX_VALUE);
    assertThatThrownBy(() -> cache.pull(ID, DownloadProgress.NONE))
        .isInstanceOf(ModelUnavailable.class);

    ModelCache.Listed listed = cache.listed(ModelId.parse(ID)).orElseThrow();
    assertThat(listed.totalBytes()).isPositive();
    assertThat(listed.presentBytes()).isLessThan(listed.totalBytes());
    hub.stopCutting(UNET);
    cache.pull(ID, DownloadProgress.NONE);
    assertThat(cache.listed(ModelId.parse(ID)).orElseThrow().presentBytes())
        .isEqualTo(listed.totalBytes());
  }

  @Test
  void completeModelIsUsedOfflineAndWithoutRequests() {
    Path pulled = cache(false).pull(ID, DownloadProgress.NONE);
    hub.requests.clear();

    assertThat(cache(true).resolve(ID)).isEqualTo(pulled);
    assertThat(cache(false).pull(ID + "@main", DownloadProgress.NONE)).isEqualTo(pulled);
    assertThat(hub.requests).isEmpty();
  }

  @Test
  void resolveReturnsAnExistingLocalFolderUnchanged() {
    Path local = FakeHub.fixture();

    assertThat(cache(true).resolve(local.toString())).isEqualTo(local);
    assertThat(hub.requests).isEmpty();
  }

  @Test
  void listInfoAndRm() throws Exception {
    ModelCache cache = cache(false);
    assertThat(cache.list()).isEmpty();
    assertThat(cache.info(ID)).isEmpty();
    Path folder = cache.pull(ID, DownloadProgress.NONE);

    CachedModel model = cache.info(ID).orElseThrow();
    assertThat(model.id()).isEqualTo(ID);
    assertThat(model.revision()).isEqualTo("main");
    assertThat(model.path()).isEqualTo(folder);
    assertThat(model.complete()).isTrue();
    long fixtureBytes = 0;
    for (String f : relativeFiles(FakeHub.fixture())) {
      fixtureBytes += Files.size(FakeHub.fixture().resolve(f));
    }
    assertThat(model.sizeOnDisk()).isGreaterThanOrEqualTo(fixtureBytes);
    assertThat(cache.list()).containsExactly(model);

    assertThat(cache.rm(ID + "@v2")).isFalse();
    assertThat(cache.rm(ID)).isTrue();
    assertThat(cache.list()).isEmpty();
    assertThat(folder).doesNotExist();
    assertThat(cache.rm(ID)).isFalse();
  }

  @Test
  void rmRefusesIdsThatClimbOutOfTheCache() throws Exception {
    Path outside = Files.createDirectories(dataDir.resolve("keep"));
    ModelCache cache = cache(false);

    assertThatThrownBy(() -> cache.rm("../keep"))
        .isInstanceOf(InvalidRequest.class)
        .hasMessageContaining("must not contain '..'");
    assertThatThrownBy(() -> cache.rm("a/b@../../keep"))
        .isInstanceOf(InvalidRequest.class)
        .hasMessageContaining("'a/b@../../keep'");
    assertThatThrownBy(() -> cache.rm("not-an-id"))
        .isInstanceOf(InvalidRequest.class)
        .hasMessageContaining("owner/name");
    assertThat(outside).exists();
  }

  @Test
  void repoWithoutOnnxFilesIsNamedWithWhatItHas() {
    hub.files.keySet().removeIf(p -> p.endsWith(".onnx"));

    assertThatThrownBy(() -> cache(false).pull(ID, DownloadProgress.NONE))
        .isInstanceOf(ModelUnavailable.class)
        .hasMessageContaining("repo atelier-test/tiny-sd at revision main has no ONNX files")
        .hasMessageContaining("model_index.json");
  }

  /** The start of a {@code bytes=N-} range. */
  private static long resumedAt(String range) {
    assertThat(range).matches("bytes=[0-9]+-");
    return Long.parseLong(range.substring("bytes=".length(), range.length() - 1));
  }
}
