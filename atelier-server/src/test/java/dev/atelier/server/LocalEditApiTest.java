package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.image.ImageCodec;
import dev.atelier.core.image.ImageLimits;
import dev.atelier.core.image.RgbImage;
import dev.atelier.core.json.JsonValue;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plain-words local editing over HTTP: plan, compose, dry run, edits without a mask that leave
 * every pixel outside the region identical, and a 5-round session on disjoint regions.
 */
class LocalEditApiTest {
  @TempDir Path dir;

  ServerFixture server() {
    return new ServerFixture(dir, false, new FakeGrounder());
  }

  static BufferedImage noise(int w, int h, long seed) {
    java.util.Random r = new java.util.Random(seed);
    BufferedImage b = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        b.setRGB(x, y, r.nextInt(0x1000000));
      }
    }
    return b;
  }

  static String b64(BufferedImage image) throws Exception {
    return Base64.getEncoder().encodeToString(ImagesApiTest.png(image));
  }

  static RgbImage image(ServerFixture.Reply r) {
    String b64 = r.json().array("data").get(0).asObject().string("b64_json", "");
    return ImageCodec.decode(Base64.getDecoder().decode(b64), ImageLimits.DEFAULT);
  }

  /** Columns [x0, x1) may change; every other pixel must equal the input's. */
  static void assertOnlyColumnsChanged(RgbImage before, RgbImage after, int x0, int x1) {
    int changedInside = 0;
    for (int y = 0; y < before.height(); y++) {
      for (int x = 0; x < before.width(); x++) {
        if (x >= x0 && x < x1) {
          changedInside += before.rgbAt(x, y) != after.rgbAt(x, y) ? 1 : 0;
        } else {
          assertThat(after.rgbAt(x, y))
              .as("pixel %d,%d outside the region", x, y)
              .isEqualTo(before.rgbAt(x, y));
        }
      }
    }
    assertThat(changedInside).as("pixels changed inside the region").isPositive();
  }

  @Test
  void planAndComposeEndpoints() throws Exception {
    try (ServerFixture f = server()) {
      ServerFixture.Reply plan =
          f.post("/v1/edits/plan", "{\"instruction\":\"将沙发颜色从浅灰色改为深宝石绿,保持光影和其他家具完全不变\"}");
      assertThat(plan.status()).as(plan.body()).isEqualTo(200);
      assertThat(plan.json().members().keySet())
          .containsExactly(
              "operation",
              "scope",
              "target",
              "attribute",
              "from",
              "to",
              "keep",
              "keep_everything_else",
              "strict",
              "warnings");
      assertThat(plan.json().string("operation", "")).isEqualTo("recolor");
      assertThat(plan.json().object("target").orElseThrow().string("en", "")).isEqualTo("sofa");
      assertThat(plan.json().bool("strict", false)).isTrue();

      ServerFixture.Reply composed =
          f.post(
              "/v1/edits/compose",
              "{\"what\":\"沙发\",\"attribute\":\"颜色\",\"to\":\"深宝石绿\",\"keep\":[\"光影\",\"其他家具\"],"
                  + "\"constraint\":\"完全\",\"language\":\"zh\"}");
      assertThat(composed.json().string("instruction", "")).isEqualTo("将沙发的颜色改为深宝石绿，保持光影和其他家具完全不变");
      assertThat(f.post("/v1/edits/plan", "{\"instruction\":\"  \"}").status()).isEqualTo(400);
      assertThat(
              f.post("/v1/edits/compose", "{\"what\":\"sofa\"}")
                  .json()
                  .object("error")
                  .orElseThrow()
                  .string("param", ""))
          .isEqualTo("to");
    }
  }

  @Test
  void anEditWithoutAMaskChangesOnlyTheGroundedRegion() throws Exception {
    try (ServerFixture f = server()) {
      BufferedImage input = noise(80, 64, 1);
      ServerFixture.Reply r =
          f.post(
              "/v1/images/edits",
              "{\"prompt\":\"change the sofa from light grey to deep emerald green, keep everything else"
                  + " strictly unchanged\",\"image\":\""
                  + b64(input)
                  + "\",\"seed\":3}");
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertOnlyColumnsChanged(RgbImage.from(input), image(r), 0, 12);
      JsonValue.Obj report = r.json().array("fidelity").get(0).asObject();
      assertThat(report.number("changed_outside", -1)).isEqualTo(0.0);
      assertThat(r.json().object("plan").orElseThrow().string("operation", ""))
          .isEqualTo("recolor");
    }
  }

  @Test
  void aKeepThatCoversTheTargetIsNotCutOutAndTheAnswerSaysSo() throws Exception {
    // "the other furniture" grounded over the sofa as well: the edit still happens, with a warning.
    Map<String, double[]> strips = new java.util.HashMap<>(FakeGrounder.STRIPS);
    strips.put("other furniture", new double[] {0.0, 0.3});
    try (ServerFixture f = new ServerFixture(dir, false, new FakeGrounder(strips))) {
      BufferedImage input = noise(80, 64, 4);
      ServerFixture.Reply r =
          f.post(
              "/v1/images/edits",
              "{\"prompt\":\"change the sofa to deep emerald green, keep the other furniture"
                  + " unchanged\",\"image\":\""
                  + b64(input)
                  + "\",\"seed\":3}");
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertOnlyColumnsChanged(RgbImage.from(input), image(r), 0, 12);
      assertThat(r.json().array("warnings").toString())
          .contains("keep 'other furniture' covers the whole target 'sofa'");
    }
  }

  @Test
  void dryRunReturnsThePlanAndMaskAndStoresNothing() throws Exception {
    try (ServerFixture f = server()) {
      int before = f.metadata.referencedBlobs().size();
      ServerFixture.Reply r =
          f.post(
              "/v1/images/edits",
              "{\"prompt\":\"make the cup matte dark green\",\"image\":\""
                  + b64(noise(80, 64, 2))
                  + "\",\"dry_run\":true}");
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      String mask = r.json().string("mask", "");
      assertThat(mask).startsWith("data:image/png;base64,");
      RgbImage m =
          ImageCodec.decode(
              Base64.getDecoder().decode(mask.substring(mask.indexOf(',') + 1)),
              ImageLimits.DEFAULT);
      assertThat(m.rgbAt(20, 5)).isEqualTo(0xffffff);
      assertThat(m.rgbAt(5, 5)).isEqualTo(0);
      assertThat(f.metadata.referencedBlobs()).hasSize(before);
      assertThat(f.engine.calls.get()).isZero();
    }
  }

  @Test
  void badPlainWordEditsAreClear400s() throws Exception {
    try (ServerFixture f = server()) {
      String img = b64(noise(64, 64, 3));
      ImagesApiTest.assertError(
          f.post("/v1/images/edits", "{\"prompt\":\"\",\"image\":\"" + img + "\"}"),
          400,
          "prompt",
          "prompt must not be empty");
      ImagesApiTest.assertError(
          f.post(
              "/v1/images/edits",
              "{\"prompt\":\"make it nicer please\",\"image\":\"" + img + "\"}"),
          400,
          "instruction",
          "no target recognised");
      ImagesApiTest.assertError(
          f.post(
              "/v1/images/edits",
              "{\"prompt\":\"change the giraffe to blue\",\"image\":\"" + img + "\"}"),
          400,
          null,
          "target 'giraffe' grounds to nothing (best score 0.12");
      BufferedImage empty = new BufferedImage(64, 64, BufferedImage.TYPE_INT_ARGB);
      for (int y = 0; y < 64; y++) {
        for (int x = 0; x < 64; x++) {
          empty.setRGB(x, y, 0xff000000);
        }
      }
      ImagesApiTest.assertError(
          f.post(
              "/v1/images/edits",
              "{\"prompt\":\"make the sofa green\",\"image\":\""
                  + img
                  + "\",\"mask\":\""
                  + b64(empty)
                  + "\"}"),
          400,
          "mask",
          "mask selects nothing");
      assertThat(f.engine.calls.get()).isZero();
    }
  }

  @Test
  void fiveRoundsOnDisjointRegionsNeverTouchTheRest() throws Exception {
    try (ServerFixture f = server()) {
      BufferedImage input = noise(100, 64, 4);
      String id =
          f.post("/v1/sessions", "{\"image\":\"" + b64(input) + "\"}").json().string("id", "");
      RgbImage round0 = RgbImage.from(input);
      String[] instructions = {
        "change the sofa to deep emerald green",
        "make the cup matte dark green",
        "将墙面改为米白色",
        "replace the table with white marble",
        "make the lamp brass"
      };
      RgbImage current = round0;
      for (int i = 0; i < instructions.length; i++) {
        ServerFixture.Reply r =
            f.post(
                "/v1/sessions/" + id + "/rounds",
                "{\"instruction\":\"" + instructions[i] + "\",\"seed\":" + i + "}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().object("fidelity").orElseThrow().number("drift_since_first", -1))
            .as(r.json().object("fidelity").orElseThrow().toString() + " round " + i)
            .isEqualTo(0.0);
        String imageId = r.json().object("round").orElseThrow().string("image_id", "");
        current =
            ImageCodec.decode(
                f.bytes(f.base() + "/v1/images/" + imageId + "/content"), ImageLimits.DEFAULT);
      }
      // Drift 0 in every round means never-edited pixels equal round 0; check the last quarter
      // directly and that each strip was edited.
      for (int y = 0; y < current.height(); y++) {
        for (int x = current.width() * 3 / 4 + 1; x < current.width(); x++) {
          assertThat(current.rgbAt(x, y)).isEqualTo(round0.rgbAt(x, y));
        }
      }
      int width = current.width();
      for (int s = 0; s < 5; s++) {
        int changed = 0;
        int x0 =
            (int)
                Math.round(
                    FakeGrounder.STRIPS.values().stream()
                            .mapToDouble(v -> v[0])
                            .sorted()
                            .toArray()[s]
                        * width);
        for (int x = x0; x < x0 + 10; x++) {
          changed += round0.rgbAt(x, 10) != current.rgbAt(x, 10) ? 1 : 0;
        }
        assertThat(changed).as("strip %d edited", s).isPositive();
      }
    }
  }

  /** A fully transparent PNG: OpenAI's mask convention for "edit every pixel". */
  static String wholeMask(int w, int h) throws Exception {
    return b64(new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB));
  }

  @Test
  void driftIsNullNotNanWhenNoPixelWasLeftUnedited() throws Exception {
    try (ServerFixture f = server()) {
      String id =
          f.post("/v1/sessions", "{\"image\":\"" + b64(noise(64, 48, 5)) + "\"}")
              .json()
              .string("id", "");
      ServerFixture.Reply global =
          f.post(
              "/v1/sessions/" + id + "/rounds",
              "{\"instruction\":\"make it a watercolor painting\",\"seed\":1}");
      assertThat(global.status()).as(global.body()).isEqualTo(200);
      assertThat(global.body()).doesNotContain("NaN").doesNotContain("Infinity");
      JsonValue.Obj fidelity = global.json().object("fidelity").orElseThrow();
      assertThat(fidelity.get("drift_since_first")).contains(JsonValue.Null.INSTANCE);

      String other =
          f.post("/v1/sessions", "{\"image\":\"" + b64(noise(64, 48, 6)) + "\"}")
              .json()
              .string("id", "");
      ServerFixture.Reply whole =
          f.post(
              "/v1/sessions/" + other + "/rounds",
              "{\"instruction\":\"make the sofa green\",\"seed\":1,\"mask\":\""
                  + wholeMask(64, 48)
                  + "\"}");
      assertThat(whole.status()).as(whole.body()).isEqualTo(200);
      assertThat(whole.body()).doesNotContain("NaN").doesNotContain("Infinity");
      assertThat(whole.json().object("fidelity").orElseThrow().get("drift_since_first"))
          .contains(JsonValue.Null.INSTANCE);
    }
  }

  /** Opaque except columns [x0, x1), which are transparent (OpenAI's "edit here"). */
  static String columnMask(int w, int h, int x0, int x1) throws Exception {
    BufferedImage m = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        m.setRGB(x, y, x >= x0 && x < x1 ? 0 : 0xff000000);
      }
    }
    return b64(m);
  }

  @Test
  void aMaskedEditWhosePromptNamesNoTargetDoesNotAskForATargetOrAMask() throws Exception {
    try (ServerFixture f = server()) {
      BufferedImage input = noise(64, 48, 9);
      String mask = columnMask(64, 48, 10, 30);
      ServerFixture.Reply edit =
          f.post(
              "/v1/images/edits",
              "{\"prompt\":\"a sofa\",\"image\":\""
                  + b64(input)
                  + "\",\"mask\":\""
                  + mask
                  + "\",\"seed\":1}");
      assertThat(edit.status()).as(edit.body()).isEqualTo(200);
      assertThat(edit.body()).doesNotContain("no target recognised");
      assertOnlyColumnsChanged(RgbImage.from(input), image(edit), 10, 30);

      ServerFixture.Reply dry =
          f.post(
              "/v1/images/edits",
              "{\"prompt\":\"a sofa\",\"image\":\""
                  + b64(input)
                  + "\",\"mask\":\""
                  + mask
                  + "\",\"dry_run\":true}");
      assertThat(dry.status()).as(dry.body()).isEqualTo(200);
      assertThat(dry.body()).doesNotContain("no target recognised");

      String id =
          f.post("/v1/sessions", "{\"image\":\"" + b64(input) + "\"}").json().string("id", "");
      ServerFixture.Reply round =
          f.post(
              "/v1/sessions/" + id + "/rounds",
              "{\"instruction\":\"a sofa\",\"mask\":\"" + mask + "\",\"seed\":2}");
      assertThat(round.status()).as(round.body()).isEqualTo(200);
      assertThat(round.body()).doesNotContain("no target recognised");

      // Without a mask the warning is still the advice the user needs.
      assertThat(f.post("/v1/edits/plan", "{\"instruction\":\"a sofa\"}").body())
          .contains("no target recognised");
    }
  }
}
