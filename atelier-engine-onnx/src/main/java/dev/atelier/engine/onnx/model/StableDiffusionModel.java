package dev.atelier.engine.onnx.model;

import ai.onnxruntime.OrtEnvironment;
import dev.atelier.core.AtelierException;
import dev.atelier.core.json.JsonValue;
import dev.atelier.engine.onnx.scheduler.SchedulerConfig;
import dev.atelier.engine.onnx.tokenizer.ClipTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A loaded Stable Diffusion 1.x/2.x or SDXL ONNX folder: tokenizer(s), text encoder(s), UNet, VAE
 * and the scheduler configuration, checked against each other when loaded.
 *
 * <p>An SDXL folder (optimum's layout) adds {@code tokenizer_2/} and {@code text_encoder_2/}; its
 * UNet takes the added conditions {@code text_embeds} and {@code time_ids} and cross-attends to
 * both towers' penultimate states side by side ({@link #isSdxl()}).
 *
 * <p>Every number the pipelines need ({@code scaling_factor}, the VAE's downsampling factor, the
 * UNet's channels) comes from the folder's configs and graphs. One instance is shared by all
 * requests; closing it frees the native sessions.
 */
public final class StableDiffusionModel implements AutoCloseable {
  private final ModelFolder folder;
  private final ClipTokenizer tokenizer;
  private final TextEncoder textEncoder;
  private final ClipTokenizer tokenizer2;
  private final TextEncoder textEncoder2;
  private final boolean forceZerosForEmptyPrompt;
  private final boolean requiresAestheticsScore;
  private final UNet unet;
  private final VaeDecoder vaeDecoder;
  private final VaeEncoder vaeEncoder;
  private final IpAdapter ipAdapter;
  private final SchedulerConfig schedulerConfig;
  private final String schedulerClass;
  private final float scalingFactor;
  private final int vaeScaleFactor;
  private final int sizeMultiple;
  private final int sampleSize;
  private final float decodeScalingFactor;
  private final boolean view;

  private StableDiffusionModel(Builder b) {
    this.folder = b.folder;
    this.tokenizer = b.tokenizer;
    this.textEncoder = b.textEncoder;
    this.tokenizer2 = b.tokenizer2;
    this.textEncoder2 = b.textEncoder2;
    this.forceZerosForEmptyPrompt = b.forceZerosForEmptyPrompt;
    this.requiresAestheticsScore = b.requiresAestheticsScore;
    this.unet = b.unet;
    this.vaeDecoder = b.vaeDecoder;
    this.vaeEncoder = b.vaeEncoder;
    this.ipAdapter = b.ipAdapter;
    this.schedulerConfig = b.schedulerConfig;
    this.schedulerClass = b.schedulerClass;
    this.scalingFactor = b.scalingFactor;
    this.vaeScaleFactor = b.vaeScaleFactor;
    this.sizeMultiple = b.sizeMultiple;
    this.sampleSize = b.sampleSize;
    this.decodeScalingFactor = b.scalingFactor;
    this.view = false;
  }

  private StableDiffusionModel(StableDiffusionModel m, VaeDecoder decoder, float decodeScaling) {
    this.folder = m.folder;
    this.tokenizer = m.tokenizer;
    this.textEncoder = m.textEncoder;
    this.tokenizer2 = m.tokenizer2;
    this.textEncoder2 = m.textEncoder2;
    this.forceZerosForEmptyPrompt = m.forceZerosForEmptyPrompt;
    this.requiresAestheticsScore = m.requiresAestheticsScore;
    this.unet = m.unet;
    this.vaeDecoder = decoder;
    this.vaeEncoder = m.vaeEncoder;
    this.ipAdapter = m.ipAdapter;
    this.schedulerConfig = m.schedulerConfig;
    this.schedulerClass = m.schedulerClass;
    this.scalingFactor = m.scalingFactor;
    this.vaeScaleFactor = m.vaeScaleFactor;
    this.sizeMultiple = m.sizeMultiple;
    this.sampleSize = m.sampleSize;
    this.decodeScalingFactor = decodeScaling;
    this.view = true;
  }

  /**
   * A view of this model that decodes with {@code tiny}; it shares every session and owns none
   * (closing the view does nothing).
   */
  public StableDiffusionModel withDecoder(TinyVae tiny) {
    return new StableDiffusionModel(this, tiny.decoder(), tiny.scalingFactor());
  }

  /** What latents are divided by before decoding: the VAE's scaling factor, 1.0 for TAESD. */
  public float decodeScalingFactor() {
    return decodeScalingFactor;
  }

  /**
   * Loads and checks a model folder.
   *
   * @throws AtelierException.ModelUnavailable naming the file and what did not fit, when a part is
   *     missing or a graph does not match the expected inputs and outputs
   */
  public static StableDiffusionModel load(Path path, OrtSettings settings) {
    ModelFolder folder = ModelFolder.of(path);
    Builder b = new Builder();
    b.folder = folder;
    List<AutoCloseable> opened = new ArrayList<>();
    try {
      b.tokenizer = loadTokenizer(folder);
      JsonValue.Obj scheduler =
          folder
              .json("scheduler", "scheduler_config.json")
              .orElseThrow(
                  () ->
                      new AtelierException.ModelUnavailable(
                          "scheduler/scheduler_config.json is missing in " + folder.root()));
      b.schedulerConfig = new SchedulerConfig(scheduler);
      b.schedulerClass = scheduler.string("_class_name", "");
      JsonValue.Obj vae = vaeConfig(folder);
      b.scalingFactor = (float) vae.number("scaling_factor", 0.18215);
      if (blocks(vae) == 0) {
        throw new AtelierException.ModelUnavailable(
            "vae_decoder/config.json in "
                + folder.root()
                + " has neither block_out_channels nor decoder_block_out_channels");
      }
      b.vaeScaleFactor = 1 << Math.max(0, blocks(vae) - 1);
      JsonValue.Obj unetConfig = folder.config("unet");
      JsonValue.Obj textConfig = folder.config("text_encoder");
      OrtEnvironment env = OrtEnvironment.getEnvironment();

      b.textEncoder =
          TextEncoder.wrap(
              open(env, folder, "text_encoder", settings),
              (int) textConfig.integer("hidden_size", 0));
      opened.add(b.textEncoder);
      int crossAttention = b.textEncoder.hiddenSize();
      if (hasGraph(folder, "text_encoder_2")) {
        b.tokenizer2 = loadTokenizer(folder, "tokenizer_2");
        b.textEncoder2 =
            TextEncoder.wrap(
                open(env, folder, "text_encoder_2", settings),
                (int) folder.config("text_encoder_2").integer("hidden_size", 0));
        opened.add(b.textEncoder2);
        requireSdxlOutputs(folder, b.textEncoder, b.textEncoder2);
        crossAttention += b.textEncoder2.hiddenSize();
        JsonValue.Obj index =
            folder.json("", "model_index.json").orElse(new JsonValue.Obj(java.util.Map.of()));
        // diffusers' StableDiffusionXL*Pipeline defaults (their __init__ arguments).
        b.forceZerosForEmptyPrompt = index.bool("force_zeros_for_empty_prompt", true);
        b.requiresAestheticsScore = index.bool("requires_aesthetics_score", false);
      }
      Path unetFile = folder.requireComponent("unet").resolve("model.onnx");
      b.unet =
          UNet.wrap(
              SessionFactory.openWithFloatInput(
                  env, unetFile, "unet/model.onnx", settings, "timestep"),
              (int) unetConfig.integer("in_channels", 0),
              (int) unetConfig.integer("time_cond_proj_dim", 0),
              (int)
                  (unetConfig.integer("projection_class_embeddings_input_dim", 0)
                      - (b.requiresAestheticsScore ? 5 : 6)
                          * unetConfig.integer("addition_time_embed_dim", 0)),
              crossAttention,
              settings.maxUnetBatch(),
              settings.fixedShapeSessions(),
              dims ->
                  SessionFactory.openWithFloatInput(
                      env, unetFile, "unet/model.onnx", settings, "timestep", dims));
      opened.add(b.unet);
      if (b.unet.takesAddedConditions() != (b.textEncoder2 != null)) {
        throw new AtelierException.ModelUnavailable(
            b.unet.takesAddedConditions()
                ? "unet/model.onnx in "
                    + folder.root()
                    + " is an SDXL UNet (it takes text_embeds and time_ids) but the folder has no"
                    + " text_encoder_2/model.onnx"
                : "the folder "
                    + folder.root()
                    + " has text_encoder_2/ (SDXL) but unet/model.onnx takes no text_embeds or"
                    + " time_ids");
      }
      if (b.textEncoder2 != null
          && b.unet.textEmbedsDim() != b.textEncoder2.pooledSize()
          && b.textEncoder2.pooledSize() > 0) {
        throw new AtelierException.ModelUnavailable(
            "unet/model.onnx in "
                + folder.root()
                + " takes text_embeds of width "
                + b.unet.textEmbedsDim()
                + " but text_encoder_2 pools to "
                + b.textEncoder2.pooledSize());
      }
      b.sampleSize = (int) unetConfig.integer("sample_size", 64) * b.vaeScaleFactor;
      b.sizeMultiple = b.vaeScaleFactor << Math.max(0, unetLevels(unetConfig) - 1);
      b.vaeDecoder = VaeDecoder.wrap(open(env, folder, "vae_decoder", settings));
      opened.add(b.vaeDecoder);
      Optional<Path> encoderDir = folder.component("vae_encoder");
      if (encoderDir.isPresent() && Files.isRegularFile(encoderDir.get().resolve("model.onnx"))) {
        b.vaeEncoder =
            VaeEncoder.wrap(open(env, folder, "vae_encoder", settings), b.vaeScaleFactor);
        opened.add(b.vaeEncoder);
      }
      // The adapter's image tokens sit beside the text states the UNet cross-attends to: SDXL's
      // are both towers' side by side.
      b.ipAdapter =
          loadIpAdapter(env, folder, settings, crossAttention, b.tokenizer.maxLength(), b.unet);
      return new StableDiffusionModel(b);
    } catch (RuntimeException e) {
      for (AutoCloseable c : opened) {
        try {
          c.close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  /**
   * The IP-Adapter when the folder has both {@code image_encoder/} and {@code ip_adapter/} (ADR
   * 0010), else null; one without the other is an incomplete export and refused.
   */
  private static IpAdapter loadIpAdapter(
      OrtEnvironment env,
      ModelFolder folder,
      OrtSettings settings,
      int hidden,
      int textLength,
      UNet unet) {
    boolean encoder = hasGraph(folder, "image_encoder");
    boolean projection = hasGraph(folder, "ip_adapter");
    if (!encoder && !projection) {
      return null;
    }
    if (encoder != projection) {
      throw new AtelierException.ModelUnavailable(
          folder.root()
              + " has "
              + (encoder ? "image_encoder/" : "ip_adapter/")
              + " but no "
              + (encoder ? "ip_adapter/model.onnx" : "image_encoder/model.onnx")
              + "; an IP-Adapter export needs both (ADR 0010)");
    }
    OnnxComponent image = open(env, folder, "image_encoder", settings);
    OnnxComponent proj;
    try {
      proj = open(env, folder, "ip_adapter", settings);
    } catch (RuntimeException e) {
      image.close();
      throw e;
    }
    IpAdapter adapter =
        IpAdapter.wrap(
            image,
            proj,
            hidden,
            folder
                .json("image_encoder", "preprocessor_config.json")
                .orElse(new JsonValue.Obj(java.util.Map.of())));
    long sequence =
        unet.graph().input("encoder_hidden_states").map(i -> i.getShape()[1]).orElse(-1L);
    if (sequence > 0 && sequence != textLength + adapter.tokens()) {
      adapter.close();
      throw new AtelierException.ModelUnavailable(
          "unet/model.onnx in "
              + folder.root()
              + " takes "
              + sequence
              + " encoder_hidden_states tokens but the IP-Adapter needs "
              + textLength
              + " text + "
              + adapter.tokens()
              + " image tokens");
    }
    return adapter;
  }

  private static boolean hasGraph(ModelFolder folder, String component) {
    return folder
        .component(component)
        .map(d -> Files.isRegularFile(d.resolve("model.onnx")))
        .orElse(false);
  }

  private static ClipTokenizer loadTokenizer(ModelFolder folder) {
    return loadTokenizer(folder, "tokenizer");
  }

  private static ClipTokenizer loadTokenizer(ModelFolder folder, String component) {
    Path dir = folder.requireComponent(component);
    try {
      return ClipTokenizer.load(dir);
    } catch (IllegalArgumentException e) {
      throw new AtelierException.ModelUnavailable(
          component + "/ in " + folder.root() + ": " + e.getMessage(), e);
    }
  }

  /** SDXL conditions on both towers' penultimate states and the second's pooled output. */
  private static void requireSdxlOutputs(ModelFolder folder, TextEncoder one, TextEncoder two) {
    String missing =
        !one.hasPenultimate()
            ? "text_encoder/model.onnx exports no hidden_states.N outputs"
            : !two.hasPenultimate()
                ? "text_encoder_2/model.onnx exports no hidden_states.N outputs"
                : !two.hasPooled() ? "text_encoder_2/model.onnx exports no text_embeds" : "";
    if (!missing.isEmpty()) {
      throw new AtelierException.ModelUnavailable(
          missing
              + " in "
              + folder.root()
              + "; SDXL needs both towers' per-layer states and the second's pooled output, as"
              + " optimum's export (task stable-diffusion-xl) writes them");
    }
  }

  /**
   * The side length the model in {@code path} was trained at, read from its configs without loading
   * a graph: what {@link #defaultImageSide()} of the loaded model will say.
   *
   * @throws AtelierException.ModelUnavailable when the folder or its VAE config is missing
   */
  public static int defaultImageSide(Path path) {
    ModelFolder folder = ModelFolder.of(path);
    JsonValue.Obj vae = vaeConfig(folder);
    int vaeScaleFactor = 1 << Math.max(0, blocks(vae) - 1);
    return (int) folder.config("unet").integer("sample_size", 64) * vaeScaleFactor;
  }

  /**
   * What every side of an image of the model in {@code path} must be a multiple of, read from its
   * configs without loading a graph: what {@link #sizeMultiple()} of the loaded model will say.
   *
   * @throws AtelierException.ModelUnavailable when the folder or its VAE config is missing
   */
  public static int sizeMultiple(Path path) {
    ModelFolder folder = ModelFolder.of(path);
    int vaeScaleFactor = 1 << Math.max(0, blocks(vaeConfig(folder)) - 1);
    return vaeScaleFactor << Math.max(0, unetLevels(folder.config("unet")) - 1);
  }

  /** What this model is: {@link ModelTraits} of the loaded model. */
  public ModelTraits traits() {
    return new ModelTraits(
        isSdxl(),
        sampleSize,
        sizeMultiple,
        ModelTraits.fewStep(schedulerClass, schedulerConfig.string("timestep_spacing", "")));
  }

  /**
   * The VAE's number of resolution levels: {@code block_out_channels} (AutoencoderKL), else {@code
   * decoder_block_out_channels} (an AutoencoderTiny config written without the former, which
   * diffusers itself does not register).
   */
  private static int blocks(JsonValue.Obj vae) {
    int n = vae.array("block_out_channels").size();
    return n > 0 ? n : vae.array("decoder_block_out_channels").size();
  }

  private static JsonValue.Obj vaeConfig(ModelFolder folder) {
    for (String c : new String[] {"vae_decoder", "vae_encoder", "vae"}) {
      Optional<JsonValue.Obj> cfg = folder.json(c, "config.json");
      if (cfg.isPresent()) {
        return cfg.get();
      }
    }
    throw new AtelierException.ModelUnavailable(
        "vae_decoder/config.json is missing in "
            + folder.root()
            + " (it gives scaling_factor and block_out_channels)");
  }

  private static OnnxComponent open(
      OrtEnvironment env, ModelFolder folder, String component, OrtSettings settings) {
    Path dir = folder.requireComponent(component);
    return SessionFactory.open(env, dir.resolve("model.onnx"), component + "/model.onnx", settings);
  }

  /** The folder this model was loaded from. */
  public ModelFolder folder() {
    return folder;
  }

  /** The model's name (its folder name). */
  public String name() {
    return folder.name();
  }

  /** Whether this is an SDXL folder: two text towers and a UNet with added conditions. */
  public boolean isSdxl() {
    return textEncoder2 != null;
  }

  /** SDXL's second tokenizer (OpenCLIP's, padding with {@code !}); empty for SD 1.x/2.x. */
  public Optional<ClipTokenizer> tokenizer2() {
    return Optional.ofNullable(tokenizer2);
  }

  /** SDXL's second text tower (OpenCLIP ViT-bigG with projection); empty for SD 1.x/2.x. */
  public Optional<TextEncoder> textEncoder2() {
    return Optional.ofNullable(textEncoder2);
  }

  /**
   * {@code model_index.json}'s {@code force_zeros_for_empty_prompt} (SDXL; true by default): no
   * negative prompt means zero negative embeddings, not the encoding of {@code ""}.
   */
  public boolean forceZerosForEmptyPrompt() {
    return forceZerosForEmptyPrompt;
  }

  /**
   * {@code model_index.json}'s {@code requires_aesthetics_score} (SDXL refiner-style models):
   * {@code time_ids} end with an aesthetic score instead of the target size.
   */
  public boolean requiresAestheticsScore() {
    return requiresAestheticsScore;
  }

  /** The prompt tokenizer. */
  public ClipTokenizer tokenizer() {
    return tokenizer;
  }

  /** The text encoder. */
  public TextEncoder textEncoder() {
    return textEncoder;
  }

  /** The UNet. */
  public UNet unet() {
    return unet;
  }

  /** What the UNet does (from its channels). */
  public ModelKind kind() {
    return ModelKind.ofChannels(unet.inChannels());
  }

  /** The VAE decoder. */
  public VaeDecoder vaeDecoder() {
    return vaeDecoder;
  }

  /** The VAE encoder, when the folder has one (needed by every edit). */
  public Optional<VaeEncoder> vaeEncoder() {
    return Optional.ofNullable(vaeEncoder);
  }

  /**
   * The IP-Adapter, when the folder carries one ({@code image_encoder/} and {@code ip_adapter/},
   * ADR 0010): what subject, character and object references need.
   */
  public Optional<IpAdapter> ipAdapter() {
    return Optional.ofNullable(ipAdapter);
  }

  /** {@code scheduler/scheduler_config.json}. */
  public SchedulerConfig schedulerConfig() {
    return schedulerConfig;
  }

  /** The diffusers class named in the scheduler config, e.g. {@code EulerDiscreteScheduler}. */
  public String schedulerClass() {
    return schedulerClass;
  }

  /** {@code vae.config.scaling_factor}: latents are multiplied by it after encoding. */
  public float scalingFactor() {
    return scalingFactor;
  }

  /** Pixels per latent along each side: {@code 2^(len(block_out_channels) - 1)}. */
  public int vaeScaleFactor() {
    return vaeScaleFactor;
  }

  /**
   * What every image side must be a multiple of: the UNet halves its latents once per level but the
   * last ({@code len(down_block_types) - 1} times), and an exported graph cannot pad an odd side
   * back, so a latent side must be a multiple of {@code 2^(levels - 1)}: 64 pixels for SD 1.5, 32
   * for SDXL.
   */
  public int sizeMultiple() {
    return sizeMultiple;
  }

  /** The UNet's resolution levels: {@code down_block_types}, else {@code block_out_channels}. */
  private static int unetLevels(JsonValue.Obj unet) {
    int n = unet.array("down_block_types").size();
    return n > 0 ? n : unet.array("block_out_channels").size();
  }

  /** The side length the UNet was trained at, in pixels ({@code sample_size * vaeScaleFactor}). */
  public int defaultImageSide() {
    return sampleSize;
  }

  @Override
  public void close() {
    if (view) {
      return;
    }
    textEncoder.close();
    if (textEncoder2 != null) {
      textEncoder2.close();
    }
    unet.close();
    vaeDecoder.close();
    if (vaeEncoder != null) {
      vaeEncoder.close();
    }
    if (ipAdapter != null) {
      ipAdapter.close();
    }
  }

  private static final class Builder {
    ModelFolder folder;
    ClipTokenizer tokenizer;
    TextEncoder textEncoder;
    ClipTokenizer tokenizer2;
    TextEncoder textEncoder2;
    boolean forceZerosForEmptyPrompt;
    boolean requiresAestheticsScore;
    UNet unet;
    VaeDecoder vaeDecoder;
    VaeEncoder vaeEncoder;
    IpAdapter ipAdapter;
    SchedulerConfig schedulerConfig;
    String schedulerClass;
    float scalingFactor;
    int vaeScaleFactor;
    int sizeMultiple;
    int sampleSize;
  }
}
