package dev.atelier.engine.onnx.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.NoiseMode;
import dev.atelier.core.image.ImageCodec;
import dev.atelier.core.image.ImageLimits;
import dev.atelier.core.image.Mask;
import dev.atelier.core.image.RgbImage;
import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.engine.onnx.model.OrtSettings;
import dev.atelier.engine.onnx.model.StableDiffusionModel;
import dev.atelier.engine.onnx.model.TinyVae;
import dev.atelier.engine.onnx.rng.NoiseSource;
import dev.atelier.engine.onnx.rng.TorchGenerator;
import dev.atelier.engine.onnx.scheduler.Scheduler;
import dev.atelier.engine.onnx.scheduler.SchedulerConfig;
import dev.atelier.engine.onnx.scheduler.Schedulers;
import dev.atelier.engine.onnx.testing.Npy;
import dev.atelier.engine.onnx.testing.Numerics;
import dev.atelier.engine.onnx.testing.RecordedNoise;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * Checks one pipeline case folder ({@code case.json} with a {@code pipeline} key) against the
 * reference: tokenizer ids, prompt embedding, schedule, every step's latents and the final image,
 * once fed the recorded draws and once drawing from the case's seed.
 *
 * <p>The model is {@code <goldens>/../models/<case.model>} unless the case names a {@code
 * model_path} (relative to the case folder). Inputs ({@code init_image}, {@code mask_image}) are
 * relative to the goldens folder. A text-to-image case with {@code tiny_decoder} decodes with that
 * TAESD-style folder under {@code models/} instead of the model's own VAE.
 */
public final class PipelineGoldens {
  /** Relative error allowed for latents and images, from the fixtures' README. */
  public static final double TOLERANCE = 1e-4;

  private static final Map<Path, StableDiffusionModel> MODELS = new ConcurrentHashMap<>();
  private static final Map<Path, TinyVae> TINY = new ConcurrentHashMap<>();

  private PipelineGoldens() {}

  /** True when {@code caseJson} describes a pipeline case. */
  public static boolean isPipelineCase(Path caseJson) {
    return read(caseJson).has("pipeline");
  }

  /** One test per draw mode for the case whose {@code case.json} is given. */
  public static Stream<DynamicTest> tests(Path caseJson) {
    Path dir = caseJson.getParent();
    String name = dir.getFileName().toString();
    return Stream.of(
        DynamicTest.dynamicTest(name + " (recorded draws)", () -> check(dir, true)),
        DynamicTest.dynamicTest(name + " (seeded torch generator)", () -> check(dir, false)));
  }

  private static JsonValue.Obj read(Path file) {
    try {
      return Json.parse(Files.readString(file)).asObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static StableDiffusionModel model(Path dir, JsonValue.Obj c) {
    Path folder =
        c.has("model_path")
            ? dir.resolve(c.string("model_path", ""))
            : dir.getParent().resolveSibling("models").resolve(c.string("model", ""));
    return MODELS.computeIfAbsent(
        folder.toAbsolutePath().normalize(), f -> StableDiffusionModel.load(f, OrtSettings.cpu()));
  }

  private static void check(Path dir, boolean recorded) throws IOException {
    JsonValue.Obj c = read(dir.resolve("case.json"));
    JsonValue.Obj files = c.object("files").orElseThrow();
    StableDiffusionModel model = model(dir, c);
    PromptEncoder prompts = new PromptEncoder(model, 4);

    String prompt = c.string("prompt", "");
    String negative = c.string("negative_prompt", "");
    String prompt2 = c.string("prompt_2", "");
    assertThat(model.tokenizer().encodePadded(prompt))
        .as("input_ids of the prompt")
        .containsExactly(ints(files.array("input_ids")));
    if (files.has("negative_input_ids")) {
      assertThat(model.tokenizer().encodePadded(negative))
          .as("input_ids of the negative prompt")
          .containsExactly(ints(files.array("negative_input_ids")));
    }
    boolean sdxl = c.string("family", "").equals("sdxl");
    assertThat(model.isSdxl()).as("the model is SDXL exactly when the case is").isEqualTo(sdxl);
    int n = (int) c.integer("num_images_per_prompt", 1);
    double guidance = c.number("guidance_scale", 7.5);
    float[] embeds;
    float[] expected;
    Npy expectedEmbeds = Npy.read(dir.resolve(files.string("prompt_embeds", "")));
    if (sdxl) {
      checkSdxlText(dir, c, files, model, prompts, prompt, prompt2.isEmpty() ? prompt : prompt2);
      // prompt_embeds.npy is the UNet's whole batch, [negatives x n, prompts x n] when guided.
      embeds =
          prompts
              .embedding(prompt, prompt2.isEmpty() ? prompt : prompt2, new StageTimings())
              .hidden();
      expected = expectedEmbeds.slice(guidance > 1 ? n : 0);
    } else {
      embeds = prompts.embed(prompt, new StageTimings());
      expected = expectedEmbeds.slice(0);
    }
    assertThat(Numerics.relativeError(embeds, expected))
        .as("prompt_embeds relative error")
        .isLessThan(TOLERANCE);

    Scheduler scheduler =
        Schedulers.fromDiffusersClass(
            c.string("scheduler_class", ""),
            new SchedulerConfig(c.object("scheduler_config").orElseThrow()));
    scheduler.setTimesteps((int) c.integer("num_inference_steps", 0));
    Npy timesteps = Npy.read(dir.resolve(files.string("timesteps", "")));
    assertThat(scheduler.timesteps()).as("timesteps").containsExactly(timesteps.asFloats());
    if (files.has("sigmas")) {
      float[] sigmas = scheduler.sigmas().orElseThrow();
      assertThat(
              Numerics.relativeError(
                  sigmas, Npy.read(dir.resolve(files.string("sigmas", ""))).asFloats()))
          .as("sigmas relative error")
          .isLessThan(1e-5);
    }

    List<Npy> draws = new ArrayList<>();
    for (JsonValue f : files.array("draws")) {
      draws.add(Npy.read(dir.resolve(f.asString())));
    }
    RecordedNoise replay = new RecordedNoise(draws);
    NoiseSource noise = recorded ? replay : new TorchGenerator(c.integer("seed", 0));

    Npy stepLatents = Npy.read(dir.resolve(files.string("step_latents", "")));
    List<String> stepErrors = new ArrayList<>();
    double[] worst = {0};
    LatentObserver observer =
        (step, latents, shape) -> {
          double e = Numerics.relativeError(latents, stepLatents.slice(step));
          worst[0] = Math.max(worst[0], e);
          if (e >= TOLERANCE) {
            stepErrors.add("step " + step + ": relative error " + e);
          }
        };
    RunContext ctx =
        new RunContext(
            dev.atelier.core.ProgressListener.NONE,
            dev.atelier.core.CancellationToken.none(),
            new StageTimings(),
            observer);
    Prompting p =
        new Prompting(
                prompt,
                negative,
                n,
                (int) c.integer("num_inference_steps", 0),
                guidance,
                NoiseMode.BATCH)
            .withPrompt2(prompt2);
    Scheduler fresh =
        Schedulers.fromDiffusersClass(
            c.string("scheduler_class", ""),
            new SchedulerConfig(c.object("scheduler_config").orElseThrow()));
    PipelineOutput out = run(dir, c, model, prompts, p, fresh, noise, ctx);

    assertThat(stepErrors).as("steps over tolerance (worst %s)", worst[0]).isEmpty();
    assertThat(stepLatents.shape()[0]).as("recorded steps").isPositive();
    Npy image = Npy.read(dir.resolve(files.string("image", "")));
    double imageError = Numerics.relativeError(out.hwc(), image.asFloats());
    System.out.printf(
        "pipeline %s (%s): prompt_embeds %.2e, worst step %.2e, image %.2e (relative errors)%n",
        dir.getFileName(),
        recorded ? "recorded draws" : "seeded",
        Numerics.relativeError(embeds, expected),
        worst[0],
        imageError);
    assertThat(imageError).as("final image relative error").isLessThan(TOLERANCE);
    if (recorded) {
      assertThat(replay.used())
          .as("draws used of %s recorded", replay.recorded())
          .isEqualTo(replay.recorded());
    }
  }

  private static PipelineOutput run(
      Path dir,
      JsonValue.Obj c,
      StableDiffusionModel model,
      PromptEncoder prompts,
      Prompting p,
      Scheduler scheduler,
      NoiseSource noise,
      RunContext ctx)
      throws IOException {
    String pipeline = c.string("pipeline", "").replaceFirst("^sdxl ", "");
    Path goldens = dir.getParent();
    if (pipeline.startsWith("text-to-image")) {
      return new TextToImagePipeline(decoding(dir, c, model), prompts)
          .run(p, (int) c.integer("width", 0), (int) c.integer("height", 0), scheduler, noise, ctx);
    }
    RgbImage init =
        ImageCodec.decode(
            Files.readAllBytes(goldens.resolve(c.string("init_image", ""))), ImageLimits.DEFAULT);
    float[] pixels = init.toNormalizedChw();
    int w = init.width();
    int h = init.height();
    if (pipeline.startsWith("image-to-image")) {
      return new ImageToImagePipeline(model, prompts)
          .run(p, pixels, w, h, c.number("strength", 0.8), scheduler, noise, ctx);
    }
    if (pipeline.startsWith("inpaint")) {
      RgbImage maskImage =
          ImageCodec.decode(
              Files.readAllBytes(goldens.resolve(c.string("mask_image", ""))), ImageLimits.DEFAULT);
      Mask mask = Mask.fromGray(maskImage).binarized(0.5f);
      return new InpaintPipeline(model, prompts)
          .run(p, pixels, mask.values(), w, h, c.number("strength", 1.0), scheduler, noise, ctx);
    }
    if (pipeline.startsWith("instruction edit")) {
      return new InstructPix2PixPipeline(model, prompts)
          .run(p, pixels, w, h, c.number("image_guidance_scale", 1.5), scheduler, noise, ctx);
    }
    throw new AssertionError("unknown pipeline '" + pipeline + "' in " + dir);
  }

  /**
   * The model itself, or a view decoding with the {@link TinyVae} folder the case names in {@code
   * tiny_decoder} (under {@code models/}), as {@code quality: low} does.
   */
  private static StableDiffusionModel decoding(Path dir, JsonValue.Obj c, StableDiffusionModel m) {
    if (!c.has("tiny_decoder")) {
      return m;
    }
    Path folder = dir.getParent().resolveSibling("models").resolve(c.string("tiny_decoder", ""));
    TinyVae tiny =
        TINY.computeIfAbsent(
            folder.toAbsolutePath().normalize(), f -> TinyVae.load(f, OrtSettings.cpu()));
    return m.withDecoder(tiny);
  }

  /**
   * SDXL's text side alone: both tokenizers, each tower's penultimate states and the second's
   * pooled output (for the prompt, and the negative prompt when it was encoded), the zeros of a
   * missing negative prompt, and {@code add_time_ids}; within 1e-5.
   */
  private static void checkSdxlText(
      Path dir,
      JsonValue.Obj c,
      JsonValue.Obj files,
      StableDiffusionModel model,
      PromptEncoder prompts,
      String prompt,
      String prompt2)
      throws IOException {
    var tokenizer2 = model.tokenizer2().orElseThrow();
    assertThat(tokenizer2.encodePadded(prompt2))
        .as("input_ids_2 of prompt_2")
        .containsExactly(ints(files.array("input_ids_2")));
    String negative = c.string("negative_prompt", "");
    if (files.has("negative_input_ids_2")) {
      assertThat(tokenizer2.encodePadded(negative))
          .as("input_ids_2 of the negative prompt")
          .containsExactly(ints(files.array("negative_input_ids_2")));
    }
    List<String> texts = new ArrayList<>(List.of(prompt));
    List<String> texts2 = new ArrayList<>(List.of(prompt2));
    if (files.has("negative_input_ids")) {
      texts.add(negative);
      texts2.add(negative);
    }
    Npy one = Npy.read(dir.resolve(files.string("text_encoder_penultimate", "")));
    Npy two = Npy.read(dir.resolve(files.string("text_encoder_2_penultimate", "")));
    Npy pooled = Npy.read(dir.resolve(files.string("text_encoder_2_text_embeds", "")));
    for (int i = 0; i < texts.size(); i++) {
      var a = model.textEncoder().encodePenultimate(model.tokenizer().encodePadded(texts.get(i)));
      var b =
          model
              .textEncoder2()
              .orElseThrow()
              .encodePenultimate(tokenizer2.encodePadded(texts2.get(i)));
      assertThat(Numerics.relativeError(a.hidden(), one.slice(i)))
          .as("text_encoder hidden_states[-2] of text %s", i)
          .isLessThan(1e-5);
      assertThat(Numerics.relativeError(b.hidden(), two.slice(i)))
          .as("text_encoder_2 hidden_states[-2] of text %s", i)
          .isLessThan(1e-5);
      assertThat(Numerics.relativeError(b.pooled(), pooled.slice(i)))
          .as("text_encoder_2 text_embeds of text %s", i)
          .isLessThan(1e-5);
    }
    int n = (int) c.integer("num_images_per_prompt", 1);
    boolean guided = c.number("guidance_scale", 7.5) > 1;
    Npy pooledBatch = Npy.read(dir.resolve(files.string("pooled_prompt_embeds", "")));
    PromptEncoder.Embedding neg = prompts.negative(negative, new StageTimings());
    if (guided) {
      assertThat(
              Numerics.relativeError(neg.pooled(), pooledBatch.slice(0)) < 1e-5
                  || (isZero(neg.pooled()) && isZero(pooledBatch.slice(0))))
          .as("negative pooled embedding (%s)", c.string("negative_embeds", ""))
          .isTrue();
    }
    int width = (int) c.integer("width", 0);
    int height = (int) c.integer("height", 0);
    float[] timeIds =
        dev.atelier.engine.onnx.model.UNet.Extras.timeIds(
            model.unet().timeIdsDim(),
            width,
            height,
            dev.atelier.engine.onnx.model.UNet.Extras.AESTHETIC_SCORE,
            guided ? 2 * n : n);
    assertThat(timeIds)
        .as("add_time_ids")
        .containsExactly(Npy.read(dir.resolve(files.string("add_time_ids", ""))).asFloats());
  }

  private static boolean isZero(float[] a) {
    for (float v : a) {
      if (v != 0) {
        return false;
      }
    }
    return true;
  }

  private static int[] ints(List<JsonValue> values) {
    return values.stream().mapToInt(v -> (int) v.asDouble()).toArray();
  }
}
