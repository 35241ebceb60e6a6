package dev.atelier.engine.onnx.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException.ModelUnavailable;
import dev.atelier.engine.onnx.hub.internal.Checksums;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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

  private HubClient client(String token) {
    return new HubClient(new HubConfig(hub.endpoint(), token, false));
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
