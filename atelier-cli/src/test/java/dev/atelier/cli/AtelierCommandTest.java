package dev.atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.image.ImageCodec;
import dev.atelier.core.image.ImageLimits;
import dev.atelier.core.image.RgbImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code atelier} command line end to end on the tiny fixture models. */
class AtelierCommandTest {
  static final Path FIXTURES =
      Path.of(
          System.getProperty(
              "atelier.fixtures", "../atelier-engine-onnx/src/test/resources/diffusers-tiny"));

  @TempDir Path out;

  record Run(int code, String stdout, String stderr) {}

  static Run run(String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int code = AtelierCommand.execute(args, new PrintWriter(o, true), new PrintWriter(e, true));
    return new Run(code, o.toString(), e.toString());
  }

  static String model(String name) {
    return FIXTURES.resolve("models").resolve(name).toString();
  }

  @Test
  void generateMakesASetOfStoryboardPanelsOnePromptEach() throws IOException {
    Run r =
        run(
            "generate",
            "a storyboard",
            "--consistency",
            "set",
            "--panel",
            "panel 1: a detective opens a door",
            "--panel",
            "第二格：侦探拿起一把钥匙",
            "--size",
            "64x64",
            "--model",
            model("tiny-sd"),
            "--seed",
            "3",
            "--steps",
            "2",
            "--out",
            out.toString(),
            "--quiet");
    assertThat(r.code()).as(r.stderr()).isZero();
    assertThat(r.stdout().lines()).hasSize(2);
    Map<String, String> text =
        ImageCodec.readPngText(Files.readAllBytes(out.resolve("atelier-4.png")));
    assertThat(text.get("atelier")).contains("第二格：侦探拿起一把钥匙", "\"consistency\":\"set\"");
    Run bad = run("generate", "x", "--consistency", "coherent", "--model", model("tiny-sd"));
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.stderr()).contains("--consistency must be variations or set but was 'coherent'");
  }

  @Test
  void generateWritesOnePngPerImageWithItsParametersAndPrintsSeeds() throws IOException {
    Run r =
        run(
            "generate",
            "a white ceramic coffee cup on a dark wooden table",
            "-n",
            "4",
            "--size",
            "64x64",
            "--model",
            model("tiny-sd"),
            "--seed",
            "7",
            "--steps",
            "4",
            "--scheduler",
            "euler_a",
            "--out",
            out.toString(),
            "--quiet");
    assertThat(r.code()).as(r.stderr()).isZero();
    assertThat(r.stdout().lines()).hasSize(4);
    assertThat(r.stdout()).contains("seed 7", "seed 8", "seed 9", "seed 10");
    List<Path> files;
    try (Stream<Path> s = Files.list(out)) {
      files = s.sorted().toList();
    }
    assertThat(files)
        .extracting(p -> p.getFileName().toString())
        .containsExactly("atelier-10.png", "atelier-7.png", "atelier-8.png", "atelier-9.png");
    byte[] png = Files.readAllBytes(out.resolve("atelier-8.png"));
    RgbImage image = ImageCodec.decode(png, ImageLimits.DEFAULT);
    assertThat(image.width()).isEqualTo(64);
    Map<String, String> text = ImageCodec.readPngText(png);
    assertThat(text.get("parameters"))
        .startsWith("a white ceramic coffee cup on a dark wooden table\nSteps: 4, Sampler: euler_a")
        .contains("Seed: 8", "Size: 64x64", "Model: tiny-sd");
    assertThat(text.get("atelier")).contains("\"seed\":\"8\"", "\"engine\":\"local\"");
  }

  @Test
  void progressBarShowsEveryStep() {
    Run r =
        run(
            "generate",
            "cup",
            "--size",
            "64x64",
            "--model",
            model("tiny-sd"),
            "--steps",
            "3",
            "--out",
            out.toString());
    assertThat(r.code()).as(r.stderr()).isZero();
  }

  @Test
  void editInpaintsImageToImagesAndFollowsInstructions() {
    Path init = FIXTURES.resolve("goldens/init.png");
    Path mask = FIXTURES.resolve("goldens/mask.png");
    Run inpaint =
        run(
            "edit",
            init.toString(),
            "a green box",
            "--mask",
            mask.toString(),
            "--model",
            model("tiny-sd-inpaint"),
            "--steps",
            "2",
            "--seed",
            "3",
            "--out",
            out.toString(),
            "--quiet");
    assertThat(inpaint.code()).as(inpaint.stderr()).isZero();
    assertThat(inpaint.stdout()).contains("atelier-3.png  seed 3");
    Run img2img =
        run(
            "edit",
            init.toString(),
            "a green box",
            "--strength",
            "0.5",
            "--model",
            model("tiny-sd"),
            "--steps",
            "4",
            "--seed",
            "4",
            "--out",
            out.toString(),
            "--quiet");
    assertThat(img2img.code()).as(img2img.stderr()).isZero();
    Run instruct =
        run(
            "edit",
            init.toString(),
            "make it a watercolor painting",
            "--instruct",
            "--model",
            model("tiny-sd-pix2pix"),
            "--steps",
            "2",
            "--seed",
            "5",
            "--out",
            out.toString(),
            "--quiet");
    assertThat(instruct.code()).as(instruct.stderr()).isZero();
    assertThat(out.resolve("atelier-5.png")).exists();
  }

  @Test
  void badArgumentsGetOneClearLineAndExitCode2() {
    Run tooMany = run("generate", "cup", "-n", "11", "--model", model("tiny-sd"));
    assertThat(tooMany.code()).isEqualTo(2);
    assertThat(tooMany.stderr().strip())
        .isEqualTo("atelier generate: n must be 1..10 but was 11 (see --help)");

    Run size = run("generate", "cup", "--size", "65x64", "--model", model("tiny-sd"));
    assertThat(size.code()).isEqualTo(2);
    assertThat(size.stderr().strip())
        .isEqualTo(
            "atelier generate: --size: width must be a multiple of 8 between 8 and 8192 but was 65"
                + " (see --help)");

    Run noise = run("generate", "cup", "--noise", "shared", "--model", model("tiny-sd"));
    assertThat(noise.code()).isEqualTo(2);
    assertThat(noise.stderr()).contains("--noise must be per-image or batch but was 'shared'");

    Run unknown = run("generate", "cup", "--frobnicate");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.stderr().lines()).hasSize(1);

    Run both =
        run(
            "edit",
            FIXTURES.resolve("goldens/init.png").toString(),
            "x",
            "--instruct",
            "--mask",
            FIXTURES.resolve("goldens/mask.png").toString(),
            "--model",
            model("tiny-sd"));
    assertThat(both.code()).isEqualTo(2);
    assertThat(both.stderr()).contains("--instruct and --mask cannot be combined");

    Run missingImage =
        run("edit", out.resolve("nope.png").toString(), "x", "--model", model("tiny-sd"));
    assertThat(missingImage.code()).isEqualTo(2);
    assertThat(missingImage.stderr()).contains("IMAGE").contains("does not exist");

    Run scheduler =
        run(
            "generate",
            "cup",
            "--scheduler",
            "heun",
            "--size",
            "64x64",
            "--model",
            model("tiny-sd"));
    assertThat(scheduler.code()).isEqualTo(2);
    assertThat(scheduler.stderr()).startsWith("atelier generate: scheduler: ");
  }

  @Test
  void wrongModelKindIsExitCode2AndAMissingModelExitCode3() {
    Run kind =
        run(
            "edit",
            FIXTURES.resolve("goldens/init.png").toString(),
            "x",
            "--instruct",
            "--model",
            model("tiny-sd"),
            "--steps",
            "2");
    assertThat(kind.code()).isEqualTo(2);
    assertThat(kind.stderr()).contains("needs an InstructPix2Pix model");

    Run missing = run("generate", "cup", "--model", out.resolve("no-model").toString());
    assertThat(missing.code()).isEqualTo(3);
    assertThat(missing.stderr()).contains("does not exist or is not a folder");
  }

  @Test
  void planPrintsThe3w1kPlanAsJson() {
    Run r = run("plan", "将左侧第二个花瓶改为蓝色");
    assertThat(r.code()).as(r.stderr()).isZero();
    assertThat(r.stdout().strip())
        .startsWith("{\"operation\":\"recolor\",\"scope\":\"local\",\"target\":{")
        .contains("\"side\":\"left\"", "\"ordinal\":2", "\"to\":\"blue\"");
    assertThat(run("plan", " ").code()).isEqualTo(2);
  }

  @Test
  void modelsListShowsTheRegistryAndTheDefault() {
    Run r = run("models", "list", "--data-dir", out.toString());
    assertThat(r.code()).as(r.stderr()).isZero();
    assertThat(r.stdout()).contains("aliases (default: lcm-dreamshaper-v7)", "sd15", "clipseg");
  }

  @Test
  void offlineWithoutACachedDefaultModelFailsFastNamingIt() {
    Run r = run("serve", "--data-dir", out.toString(), "--offline", "--port", "0");
    assertThat(r.code()).as(r.stdout()).isEqualTo(3);
    assertThat(r.stderr()).contains("LCM-Dreamshaper-V7-ONNX");
  }

  @Test
  void helpForEachCommand() {
    for (String cmd : new String[] {"serve", "generate", "edit", "plan", "models", "bench"}) {
      Run r = run(cmd, "--help");
      assertThat(r.code()).isZero();
      assertThat(r.stdout()).contains("Usage: atelier " + cmd);
    }
  }

  @Test
  void benchPrintsTheStageSplitAndWritesCsv() throws IOException {
    Path csv = out.resolve("bench.csv");
    Run r =
        run(
            "bench",
            "--model",
            model("tiny-sd"),
            "--size",
            "64x64",
            "--steps",
            "2",
            "--scheduler",
            "euler_trailing",
            "--runs",
            "2",
            "--warmup",
            "1",
            "--csv",
            csv.toString());
    assertThat(r.code()).as(r.stderr()).isZero();
    assertThat(r.stdout())
        .contains("seconds per image: p50", "images/s", "peak RSS", "java_ms/step")
        .contains("scheduler=euler_trailing,");
    assertThat(Files.readAllLines(csv)).hasSize(3);
  }

  @Test
  void benchFloorRunsTheRawCallsInAlternationUnderTheLeversGiven() {
    Run r =
        run(
            "bench",
            "--model",
            model("tiny-sd"),
            "--size",
            "64x64",
            "--steps",
            "2",
            "--guidance",
            "5",
            "--runs",
            "3",
            "--warmup",
            "0",
            "--floor",
            "--max-unet-batch",
            "1",
            "--memory-pattern",
            "off",
            "--cpu-arena",
            "shrink");
    assertThat(r.code()).as(r.stderr()).isZero();
    assertThat(r.stdout())
        .contains("max-unet-batch=1, memory-pattern=off, cpu-arena=shrink")
        .contains("(runs only)")
        .containsPattern("floor \\(ONNX Runtime calls only\\) s per run: best [0-9.]+ p50 [0-9.]+;")
        .containsPattern("ratio best [0-9.]+x p50 [0-9.]+x");
    // One floor row per timed run.
    assertThat(
            r.stdout()
                .lines()
                .filter(l -> l.matches("^[0-9]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+$")))
        .hasSize(3);
  }

  @Test
  void benchSequentialComparesOneCallOfNImagesWithNOneImageCalls() {
    Run r =
        run(
            "bench",
            "--model",
            model("tiny-sd"),
            "--size",
            "64x64",
            "--steps",
            "1",
            "-n",
            "3",
            "--runs",
            "2",
            "--warmup",
            "0",
            "--sequential");
    assertThat(r.code()).as(r.stderr()).isZero();
    assertThat(r.stdout())
        .containsPattern(
            "3 images in one call s: best [0-9.]+ p50 [0-9.]+; as 3 one-image calls: best [0-9.]+"
                + " p50 [0-9.]+; ratio best [0-9.]+x p50 [0-9.]+x");
    Run single = run("bench", "--model", model("tiny-sd"), "--sequential");
    assertThat(single.code()).isEqualTo(2);
    assertThat(single.stderr()).contains("--sequential needs -n above 1 but n was 1");
  }

  @Test
  void benchRefusesUnknownLeverValuesNamingTheFlag() {
    Run pattern = run("bench", "--model", model("tiny-sd"), "--memory-pattern", "maybe");
    assertThat(pattern.code()).isEqualTo(2);
    assertThat(pattern.stderr()).contains("--memory-pattern must be on or off but was 'maybe'");
    Run arena = run("bench", "--model", model("tiny-sd"), "--cpu-arena", "big");
    assertThat(arena.code()).isEqualTo(2);
    assertThat(arena.stderr()).contains("--cpu-arena must be on, shrink or off but was 'big'");
    Run batch = run("bench", "--model", model("tiny-sd"), "--max-unet-batch", "-1");
    assertThat(batch.code()).isEqualTo(2);
    assertThat(batch.stderr()).contains("--max-unet-batch must be >= 0 but was -1");
  }

  @Test
  void benchLocalEditSplitsTheStagesOnTheTinyModels() throws IOException {
    Path csv = out.resolve("local-edit.csv");
    Run r =
        run(
            "bench",
            "--local-edit",
            "--model",
            model("tiny-sd-inpaint"),
            "--grounding-model",
            model("tiny-clipseg"),
            "--size",
            "96x64",
            "--steps",
            "2",
            "--runs",
            "1",
            "--warmup",
            "0",
            "--csv",
            csv.toString());
    assertThat(r.code()).as(r.stderr()).isZero();
    assertThat(r.stdout())
        .contains("input 96x64", "ground_ms", "editor_ms", "x the floor", "peak RSS", "region");
    assertThat(Files.readAllLines(csv)).hasSize(2);
    Run missing = run("bench", "--local-edit", "--model", model("tiny-sd-inpaint"));
    assertThat(missing.code()).isNotZero();
    assertThat(missing.stderr()).contains("--local-edit needs --grounding-model or --region");
  }

  @Test
  void benchLocalEditWithAGivenRegionComparesItWithAFullRender() {
    for (String m : new String[] {"tiny-sd", "tiny-sd-inpaint"}) {
      Run r =
          run(
              "bench",
              "--local-edit",
              "--model",
              model(m),
              "--size",
              "128x96",
              "--region",
              "40,30,40,30",
              "--compare-full",
              "--steps",
              "2",
              "--runs",
              "2",
              "--warmup",
              "0");
      assertThat(r.code()).as(r.stderr()).isZero();
      assertThat(r.stdout())
          .contains(m.equals("tiny-sd") ? "(text-to-image)" : "(inpainting with the whole image")
          .contains("grounding given: --region 40,30,40,30 (no grounding model run)")
          .contains("region 9.8% of the 128x96 image")
          .containsPattern("crop [0-9]+,[0-9]+,[0-9]+x[0-9]+ scaled to [0-9]+x[0-9]+;")
          .containsPattern("local edit s: best [0-9.]+ p50 [0-9.]+ \\(engine best [0-9.]+\\)")
          .containsPattern("full render 128x96 \\([a-z -]+\\) s: best [0-9.]+ p50 [0-9.]+;")
          .containsPattern("local edit / full render: best [0-9.]+% p50 [0-9.]+%")
          .containsPattern("peak RSS: local edit [0-9]+ MiB, full render [0-9]+ MiB");
      // One row per timed full render, alternating with the edit's runs.
      assertThat(r.stdout().lines().filter(l -> l.matches("^[01] +[0-9.]+ +[0-9]+ .*"))).hasSize(4);
    }
  }

  @Test
  void benchRefusesABadRegionNamingTheFlag() {
    String[] base = {
      "bench", "--local-edit", "--model", model("tiny-sd"), "--size", "128x96", "--region"
    };
    Map<String, String> bad =
        Map.of(
            "40,30,40",
            "--region must be X,Y,W,H in pixels (four whole numbers, e.g. 400,300,330,320) but"
                + " was '40,30,40'",
            "a,b,c,d",
            "--region must be X,Y,W,H in pixels",
            "40,30,0,30",
            "--region must be at least 1x1 pixels but was 0x30",
            "-1,30,40,30",
            "--region must start inside the image (X and Y >= 0) but was -1,30,40,30",
            "100,30,40,30",
            "--region must lie inside the 128x96 input but 100,30,40,30 reaches column 140 and"
                + " row 60");
    bad.forEach(
        (value, message) -> {
          String[] args = java.util.Arrays.copyOf(base, base.length + 1);
          args[base.length] = value;
          Run r = run(args);
          assertThat(r.code()).as(value).isEqualTo(2);
          assertThat(r.stderr()).as(value).contains(message);
        });
    Run alone = run("bench", "--model", model("tiny-sd"), "--region", "1,1,8,8");
    assertThat(alone.code()).isEqualTo(2);
    assertThat(alone.stderr()).contains("--region needs --local-edit");
  }
}
