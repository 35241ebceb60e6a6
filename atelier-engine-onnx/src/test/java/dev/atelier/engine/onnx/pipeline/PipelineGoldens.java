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
    assertThat(model.tokenizer().encodePadded(prompt))
        .as("input_ids of the prompt")
        .containsExactly(ints(files.array("input_ids")));
    if (files.has("negative_input_ids")) {
      assertThat(model.tokenizer().encodePadded(negative))
          .as("input_ids of the negative prompt")
          .containsExactly(ints(files.array("negative_input_ids")));
    }
    float[] embeds = prompts.embed(prompt, new StageTimings());
    Npy expectedEmbeds = Npy.read(dir.resolve(files.string("prompt_embeds", "")));
    assertThat(Numerics.relativeError(embeds, expectedEmbeds.slice(0)))
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
            (int) c.integer("num_images_per_prompt", 1),
            (int) c.integer("num_inference_steps", 0),
            c.number("guidance_scale", 7.5),
            NoiseMode.BATCH);
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
        Numerics.relativeError(embeds, expectedEmbeds.slice(0)),
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
    String pipeline = c.string("pipeline", "");
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
          .run(p, pixels, mask.values(), w, h, scheduler, noise, ctx);
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

  private static int[] ints(List<JsonValue> values) {
    return values.stream().mapToInt(v -> (int) v.asDouble()).toArray();
  }
}
