package dev.atelier.engine.onnx;

import dev.atelier.core.AtelierException;
import dev.atelier.core.CancellationToken;
import dev.atelier.core.Consistency;
import dev.atelier.core.Decoder;
import dev.atelier.core.EditMode;
import dev.atelier.core.EditRequest;
import dev.atelier.core.Engine;
import dev.atelier.core.GeneratedImage;
import dev.atelier.core.GenerationRequest;
import dev.atelier.core.ImageSize;
import dev.atelier.core.NoiseMode;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.Reference;
import dev.atelier.core.SamplingParams;
import dev.atelier.core.batch.Palette;
import dev.atelier.core.batch.PaletteMapping;
import dev.atelier.core.image.RgbImage;
import dev.atelier.engine.onnx.model.IpAdapter;
import dev.atelier.engine.onnx.model.ModelKind;
import dev.atelier.engine.onnx.model.OrtSettings;
import dev.atelier.engine.onnx.model.StableDiffusionModel;
import dev.atelier.engine.onnx.model.TinyVae;
import dev.atelier.engine.onnx.pipeline.ImagePrompt;
import dev.atelier.engine.onnx.pipeline.ImageToImagePipeline;
import dev.atelier.engine.onnx.pipeline.InpaintPipeline;
import dev.atelier.engine.onnx.pipeline.InstructPix2PixPipeline;
import dev.atelier.engine.onnx.pipeline.LatentObserver;
import dev.atelier.engine.onnx.pipeline.PipelineOutput;
import dev.atelier.engine.onnx.pipeline.PromptEncoder;
import dev.atelier.engine.onnx.pipeline.Prompting;
import dev.atelier.engine.onnx.pipeline.RunContext;
import dev.atelier.engine.onnx.pipeline.SetNoise;
import dev.atelier.engine.onnx.pipeline.StageTimings;
import dev.atelier.engine.onnx.pipeline.Steering;
import dev.atelier.engine.onnx.pipeline.StyleReference;
import dev.atelier.engine.onnx.pipeline.TextToImagePipeline;
import dev.atelier.engine.onnx.rng.NoiseSource;
import dev.atelier.engine.onnx.rng.PerImageNoise;
import dev.atelier.engine.onnx.rng.TorchGenerator;
import dev.atelier.engine.onnx.scheduler.Scheduler;
import dev.atelier.engine.onnx.scheduler.Schedulers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The local engine: Stable Diffusion 1.x/2.x and SDXL ONNX folders run in this JVM by ONNX Runtime.
 *
 * <p>Chooses the pipeline from the request and the model's UNet (text-to-image, image-to-image,
 * 9-channel or blended inpainting, InstructPix2Pix), builds a fresh scheduler per call and the
 * noise from the seed, and records the provenance of every image. Thread-safe; the model's sessions
 * and the prompt cache are shared by all calls.
 *
 * <p>SDXL runs every mode but InstructPix2Pix: its pipelines add the second text tower and the
 * UNet's added conditions; a plain SDXL model inpaints by latent blending, an SDXL inpainting
 * folder (9-channel UNet) with its own UNet. Subject, character and object references need an
 * IP-Adapter export in the folder, as for SD 1.5; style references work without one.
 */
public final class OnnxEngine implements Engine {
  /** The scheduler used when the folder's own class is not one Atelier implements (e.g. PNDM). */
  public static final String FALLBACK_SCHEDULER = "euler";

  private final StableDiffusionModel model;
  private final PromptEncoder prompts;
  // The model decoding with the tiny VAE, or null when no tiny decoder was loaded.
  private final StableDiffusionModel tinyView;
  private final TinyVae tiny;

  /** Wraps a loaded model; the engine owns it from now on and closes it. */
  public OnnxEngine(StableDiffusionModel model) {
    this.model = model;
    this.prompts = new PromptEncoder(model, 64);
    this.tiny = null;
    this.tinyView = null;
  }

  /**
   * Wraps a loaded model and a tiny decoder for {@link Decoder#TINY} requests; the engine owns
   * both.
   */
  public OnnxEngine(StableDiffusionModel model, TinyVae tiny) {
    this.model = model;
    this.prompts = new PromptEncoder(model, 64);
    this.tiny = tiny;
    this.tinyView = model.withDecoder(tiny);
  }

  /** The model a request decodes with, and the provenance entry saying which decoder it was. */
  private StableDiffusionModel decodingModel(SamplingParams s, Map<String, String> provenance) {
    if (s.decoder() == Decoder.TINY) {
      if (tinyView != null) {
        provenance.put("decoder", "tiny");
        return tinyView;
      }
      provenance.put("decoder", "full (no tiny decoder loaded)");
      return model;
    }
    provenance.put("decoder", "full");
    return model;
  }

  /**
   * Loads the folder at {@code modelPath}.
   *
   * @throws AtelierException.ModelUnavailable when the folder is missing parts or does not fit
   */
  public static OnnxEngine load(Path modelPath, OrtSettings settings) {
    return new OnnxEngine(StableDiffusionModel.load(modelPath, settings));
  }

  @Override
  public String name() {
    return "local";
  }

  /** The loaded model. */
  public StableDiffusionModel model() {
    return model;
  }

  @Override
  public List<GeneratedImage> generate(
      GenerationRequest request, ProgressListener progress, CancellationToken cancel) {
    return generate(request, context(progress, cancel, new StageTimings()));
  }

  /**
   * Like {@link #generate(GenerationRequest, ProgressListener, CancellationToken)}, with timings.
   */
  public List<GeneratedImage> generate(GenerationRequest request, RunContext ctx) {
    SamplingParams s = request.sampling();
    ImageSize size = request.size();
    checkSize(size);
    checkPrompt2(s);
    if (model.kind() != ModelKind.TEXT_TO_IMAGE) {
      throw new AtelierException.InvalidRequest(
          "model",
          "model "
              + model.name()
              + " is "
              + describe(model.kind())
              + "; text-to-image needs a plain (4-channel) Stable Diffusion model");
    }
    List<Reference> styles = withRole(request.references(), true);
    List<Reference> images = withRole(request.references(), false);
    if (!images.isEmpty() && model.ipAdapter().isEmpty()) {
      throw new AtelierException.InvalidRequest("references", needsIpAdapter(images));
    }
    Scheduler scheduler = scheduler(s.scheduler());
    Map<String, String> params = provenance(request.prompt(), s, scheduler, size);
    if (!request.prompts().isEmpty()) {
      params.put("set_prompt", request.prompt());
    }
    StableDiffusionModel m = decodingModel(s, params);
    Steering steering = Steering.NONE;
    if (s.consistency() == Consistency.SET) {
      steering = steering.withInitialNoise(new SetNoise(s.seed()));
      params.put("consistency", "set");
      params.put("set_mixing", Double.toString(SetNoise.SET_MIXING));
      params.put("set_seed", Long.toString(s.seed()));
    }
    StyleReference style = StyleReference.prepare(model, styles, size.width(), size.height(), ctx);
    steering = style.steer(steering);
    style.record(params);
    if (!images.isEmpty()) {
      IpAdapter adapter = model.ipAdapter().orElseThrow();
      steering = steering.withImageTokens(ImagePrompt.tokens(adapter, images));
      params.put("ip_adapter_references", describeReferences(images));
      params.put("ip_adapter_tokens", Integer.toString(adapter.tokens()));
    }
    Prompting p =
        new Prompting(
            request.prompt(),
            s.negativePrompt(),
            s.n(),
            s.steps(),
            s.guidanceScale(),
            s.noiseMode(),
            request.prompts(),
            s.prompt2());
    PipelineOutput out =
        new TextToImagePipeline(m, prompts)
            .run(p, size.width(), size.height(), scheduler, noise(s), ctx, steering);
    params.put("mode", "text-to-image");
    return results(out, s, params, request.prompts(), style::palette);
  }

  /** The style references ({@code style}) or all the others. */
  private static List<Reference> withRole(List<Reference> references, boolean style) {
    return references.stream().filter(r -> (r.role() == Reference.Role.STYLE) == style).toList();
  }

  private String needsIpAdapter(List<Reference> images) {
    String example =
        model.isSdxl()
            ? "an SDXL folder with h94/IP-Adapter's ip-adapter_sdxl exported to ONNX"
            : "an SD 1.5 folder with h94/IP-Adapter's ip-adapter_sd15 exported to ONNX";
    return images.get(0).role().wireName()
        + " references need an IP-Adapter export in the model folder (image_encoder/ and"
        + " ip_adapter/, see docs/adr/0010-ip-adapter-folder-layout.md) and "
        + (model.isSdxl() ? "the SDXL model " : "")
        + model.name()
        + " has none; pull a model that has one (for example "
        + example
        + "; the name is an example), send the request with style references only, or run the"
        + " server with --engine openai";
  }

  private static String describeReferences(List<Reference> refs) {
    return refs.stream()
        .map(r -> r.role().wireName() + " " + r.weight())
        .collect(java.util.stream.Collectors.joining(", "));
  }

  /** Counts with the model's CLIP tokenizer (what the text encoder sees before truncation). */
  @Override
  public java.util.OptionalInt promptTokens(String prompt) {
    return java.util.OptionalInt.of(model.tokenizer().tokenIds(prompt).length);
  }

  @Override
  public List<GeneratedImage> edit(
      EditRequest request, ProgressListener progress, CancellationToken cancel) {
    return edit(request, context(progress, cancel, new StageTimings()));
  }

  /** Like {@link #edit(EditRequest, ProgressListener, CancellationToken)}, with timings. */
  public List<GeneratedImage> edit(EditRequest request, RunContext ctx) {
    SamplingParams s = request.sampling();
    ImageSize size = request.size();
    checkSize(size);
    checkPrompt2(s);
    UnaryOperator<RgbImage> palette = editPalette(request.references());
    Scheduler scheduler = scheduler(s.scheduler());
    Prompting p = prompting(request.prompt(), s);
    float[] pixels = request.image().toNormalizedChw();
    Map<String, String> params = provenance(request.prompt(), s, scheduler, size);
    StableDiffusionModel m = decodingModel(s, params);
    PipelineOutput out =
        switch (request.mode()) {
          case EditMode.ImageToImage(double strength) -> {
            if (model.kind() != ModelKind.TEXT_TO_IMAGE) {
              throw new AtelierException.InvalidRequest(
                  "model",
                  "image-to-image needs a plain Stable Diffusion model but "
                      + model.name()
                      + " is "
                      + describe(model.kind()));
            }
            if ((int) (s.steps() * strength) < 1) {
              throw new AtelierException.InvalidRequest(
                  "strength",
                  "strength "
                      + strength
                      + " with "
                      + s.steps()
                      + " steps runs no step; raise strength or steps so that steps * strength"
                      + " >= 1");
            }
            params.put("mode", "image-to-image");
            params.put("strength", Double.toString(strength));
            yield new ImageToImagePipeline(m, prompts)
                .run(p, pixels, size.width(), size.height(), strength, scheduler, noise(s), ctx);
          }
          case EditMode.Inpaint(var mask) -> {
            params.put(
                "mode", model.kind() == ModelKind.INPAINTING ? "inpaint" : "inpaint (blend)");
            yield new InpaintPipeline(m, prompts)
                .run(
                    p,
                    pixels,
                    mask.binarized(0.5f).values(),
                    size.width(),
                    size.height(),
                    scheduler,
                    noise(s),
                    ctx);
          }
          case EditMode.Instruct(double imageGuidance) -> {
            params.put("mode", "instruct-pix2pix");
            params.put("image_guidance", Double.toString(imageGuidance));
            yield new InstructPix2PixPipeline(m, prompts)
                .run(
                    p,
                    pixels,
                    size.width(),
                    size.height(),
                    imageGuidance,
                    scheduler,
                    noise(s),
                    ctx);
          }
        };
    if (!request.references().isEmpty()) {
      params.put("style_reference_weight", Double.toString(styleWeight(request.references())));
      params.put("style_reference", "palette mapping (edits have no latent pull)");
    }
    return results(out, s, params, List.of(), palette);
  }

  /**
   * The scheduler for {@code name}: {@code "default"} means the folder's own class when Atelier
   * implements it, else {@link #FALLBACK_SCHEDULER}.
   *
   * @throws AtelierException.InvalidRequest for an unknown name
   */
  public Scheduler scheduler(String name) {
    try {
      if (name.equals("default")) {
        String cls = model.schedulerClass();
        return Schedulers.supportsClass(cls)
            ? Schedulers.fromDiffusersClass(cls, model.schedulerConfig())
            : Schedulers.create(FALLBACK_SCHEDULER, model.schedulerConfig());
      }
      return Schedulers.create(name, model.schedulerConfig());
    } catch (IllegalArgumentException e) {
      throw new AtelierException.InvalidRequest("scheduler", e.getMessage());
    }
  }

  /**
   * Most pixels one image may have: {@value #MAX_AREA_FACTOR} times the model's native square.
   * Self-attention memory grows with the square of the latent area (a 512 px model asked for 2048
   * px needs 256x its attention memory), so a request far above the native size would exhaust
   * memory and take the server down instead of failing; models also compose badly there.
   */
  public long maxPixels() {
    long side = model.defaultImageSide();
    return MAX_AREA_FACTOR * side * side;
  }

  /** See {@link #maxPixels()}. */
  public static final int MAX_AREA_FACTOR = 4;

  /**
   * Style references on edits: the edited image's colour clusters mapped onto the references'
   * palette, scaled by their mean weight (no latent pull: the input image already fixes the
   * latents). Subject, character and object references are refused on edits.
   */
  private static UnaryOperator<RgbImage> editPalette(List<Reference> references) {
    if (references.isEmpty()) {
      return UnaryOperator.identity();
    }
    if (!withRole(references, false).isEmpty()) {
      throw new AtelierException.InvalidRequest(
          "references",
          "the local engine takes only style references on edits; send subject, character and"
              + " object references with a text-to-image request, or run the server with"
              + " --engine openai, which passes them on");
    }
    Palette palette = Palette.ofAll(references.stream().map(Reference::image).toList());
    double weight = styleWeight(references);
    return image -> PaletteMapping.apply(image, palette, weight);
  }

  private static double styleWeight(List<Reference> references) {
    return references.stream().mapToDouble(Reference::weight).average().orElse(0);
  }

  private void checkPrompt2(SamplingParams s) {
    if (!s.prompt2().isEmpty() && !model.isSdxl()) {
      throw new AtelierException.InvalidRequest(
          "prompt_2",
          "prompt_2 is what an SDXL model's second text tower reads, but "
              + model.name()
              + " is not SDXL; send one prompt");
    }
  }

  private void checkSize(ImageSize size) {
    int f = model.sizeMultiple();
    if (size.width() % f != 0 || size.height() % f != 0) {
      throw new AtelierException.InvalidRequest(
          "size",
          "size must have sides that are multiples of "
              + f
              + " for this model (its UNet halves the latents "
              + Integer.numberOfTrailingZeros(f / model.vaeScaleFactor())
              + " times) but was "
              + size);
    }
    long pixels = (long) size.width() * size.height();
    if (pixels > maxPixels()) {
      long side = model.defaultImageSide();
      throw new AtelierException.InvalidRequest(
          "size",
          "size must have at most "
              + maxPixels()
              + " pixels for this model ("
              + MAX_AREA_FACTOR
              + "x its native "
              + side
              + "x"
              + side
              + ", e.g. "
              + 2 * side
              + "x"
              + 2 * side
              + ") but was "
              + size
              + " ("
              + pixels
              + " pixels)");
    }
  }

  private static RunContext context(
      ProgressListener progress, CancellationToken cancel, StageTimings timings) {
    return new RunContext(progress, cancel, timings, LatentObserver.NONE);
  }

  private static Prompting prompting(String prompt, SamplingParams s) {
    return new Prompting(
            prompt, s.negativePrompt(), s.n(), s.steps(), s.guidanceScale(), s.noiseMode())
        .withPrompt2(s.prompt2());
  }

  private static NoiseSource noise(SamplingParams s) {
    return s.noiseMode() == NoiseMode.PER_IMAGE
        ? PerImageNoise.seeded(s.seed(), s.n())
        : new TorchGenerator(s.seed());
  }

  private Map<String, String> provenance(
      String prompt, SamplingParams s, Scheduler scheduler, ImageSize size) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("engine", name());
    m.put("model", model.name());
    if (model.isSdxl()) {
      m.put("family", "sdxl");
    }
    m.put("prompt", prompt);
    if (!s.negativePrompt().isEmpty()) {
      m.put("negative_prompt", s.negativePrompt());
    }
    if (!s.prompt2().isEmpty()) {
      m.put("prompt_2", s.prompt2());
    }
    m.put("scheduler", Schedulers.nameOf(scheduler));
    m.put("steps", Integer.toString(s.steps()));
    m.put("guidance", Double.toString(s.guidanceScale()));
    m.put("size", size.toString());
    m.put("noise", s.noiseMode() == NoiseMode.PER_IMAGE ? "per-image" : "batch");
    return m;
  }

  private static List<GeneratedImage> results(
      PipelineOutput out,
      SamplingParams s,
      Map<String, String> params,
      List<String> perImagePrompts,
      UnaryOperator<RgbImage> post) {
    List<GeneratedImage> images = new ArrayList<>(out.count());
    for (int i = 0; i < out.count(); i++) {
      Map<String, String> p = new LinkedHashMap<>(params);
      if (!perImagePrompts.isEmpty()) {
        p.put("prompt", perImagePrompts.get(i));
      }
      long seed = s.seedOf(i);
      p.put("seed", Long.toString(seed));
      if (s.noiseMode() == NoiseMode.BATCH) {
        p.put("batch_index", Integer.toString(i));
      }
      images.add(new GeneratedImage(post.apply(out.image(i)), seed, p));
    }
    return images;
  }

  private static String describe(ModelKind kind) {
    return switch (kind) {
      case TEXT_TO_IMAGE -> "a text-to-image model";
      case INPAINTING -> "an inpainting model (9-channel UNet)";
      case INSTRUCT_PIX2PIX -> "an InstructPix2Pix model (8-channel UNet)";
    };
  }

  @Override
  public void close() {
    model.close();
    if (tiny != null) {
      tiny.close();
    }
  }
}
