package dev.atelier.cli;

import dev.atelier.core.AtelierException.ModelUnavailable;
import dev.atelier.engine.onnx.OnnxEngine;
import dev.atelier.engine.onnx.hub.DownloadProgress;
import dev.atelier.engine.onnx.hub.HubClient;
import dev.atelier.engine.onnx.hub.HubConfig;
import dev.atelier.engine.onnx.hub.ModelCache;
import dev.atelier.engine.onnx.hub.ModelId;
import dev.atelier.engine.onnx.hub.ModelRegistry;
import dev.atelier.engine.onnx.hub.ProgressFormatter;
import dev.atelier.engine.onnx.hub.RegistryEntry;
import dev.atelier.engine.onnx.model.OrtSettings;
import dev.atelier.engine.onnx.model.StableDiffusionModel;
import dev.atelier.engine.onnx.model.TinyVae;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Which model folder to load and how to run it; shared by every command that runs a model. */
final class ModelOptions {
  @Spec(Spec.Target.MIXEE)
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--model",
      paramLabel = "MODEL",
      description =
          "A Stable Diffusion ONNX folder, a Hugging Face repo id (owner/name[@revision], pulled"
              + " into the data dir on first use) or a registry alias (atelier models list)."
              + " serve takes it more than once to serve several models (the first is the"
              + " default; the others load on first use). Default: $ATELIER_MODEL, else the"
              + " registry's default model.")
  java.util.List<String> models = new java.util.ArrayList<>();

  /**
   * The one {@code --model} of a command that runs one model, or null when none was given.
   *
   * @throws ParameterException when {@code --model} was given more than once
   */
  String model() {
    if (models.size() > 1) {
      throw new ParameterException(
          spec.commandLine(),
          "--model is given once here (serve takes several) but was given "
              + models.size()
              + " times");
    }
    return models.isEmpty() ? null : models.get(0);
  }

  /** The further {@code --model}s of {@code serve}, after the first (the default). */
  java.util.List<String> furtherModels() {
    return models.size() > 1 ? models.subList(1, models.size()) : java.util.List.of();
  }

  @Option(
      names = "--tiny-decoder",
      paramLabel = "MODEL",
      description =
          "A tiny VAE decoder (TAESD layout: folder, repo id or the alias taesd) used for quality"
              + " low / --fast-decode. Default: $ATELIER_TINY_DECODER, else none.")
  String tinyDecoder;

  @Option(
      names = "--offline",
      description = "Never use the network; fail naming the files a model still needs.")
  boolean offline;

  @Option(
      names = "--demo",
      description =
          "Use the tiny built-in models (random weights: the images are noise) instead of --model,"
              + " to try every command and endpoint in a minute without a download.")
  boolean demo;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "ONNX Runtime intra-op threads. Default: one per physical core.")
  int threads;

  @Option(
      names = "--device",
      paramLabel = "DEVICE",
      description = "cpu or cuda (cuda needs the -Pcuda build). Default: ${DEFAULT-VALUE}.",
      defaultValue = "cpu")
  String device;

  @Option(
      names = "--fixed-shapes",
      paramLabel = "K",
      description =
          "Keep up to K extra UNet sessions with every dimension fixed to a recently used (batch,"
              + " size) shape: faster steps on CPU, one more copy of the UNet in memory each."
              + " Default: ${DEFAULT-VALUE} (off).",
      defaultValue = "0")
  int fixedShapes;

  @Option(
      names = "--max-unet-batch",
      paramLabel = "B",
      description =
          "Largest batch one UNet call runs; bigger ones are split (1 runs guidance as two calls,"
              + " 0 never splits). Default: 1 on CPU, 0 on CUDA.")
  Integer maxUnetBatch;

  @Option(
      names = "--memory-pattern",
      paramLabel = "on|off",
      description =
          "ONNX Runtime's memory pattern (one planned block per run, resident between runs)."
              + " Default: off on CPU, on on CUDA.")
  String memoryPattern;

  @Option(
      names = "--cpu-arena",
      paramLabel = "on|shrink|off",
      description =
          "ONNX Runtime's CPU arena: on keeps the largest run's memory, shrink returns unused"
              + " blocks after each run, off uses the C allocator (slow: every tensor is new"
              + " memory). Default: shrink on CPU, on on CUDA.")
  String cpuArena;

  /**
   * The model folder: the demo model, a local folder as given, else a cached (or freshly pulled)
   * Hub model, with a download progress bar on stderr.
   *
   * @throws ModelUnavailable with the first-run screen ({@link FirstRunHelp}) when the model is
   *     neither cached nor pullable
   */
  Path modelPath(Path dataDir) {
    if (demo) {
      requireNoModelWithDemo();
      return DemoModels.extract(dataDir).textToImage();
    }
    return modelPath(model(), dataDir);
  }

  /**
   * The folder of the model {@code name} (a folder, repo id or alias; null or blank for the
   * default), pulled like {@link #modelPath(Path)}'s.
   */
  Path modelPath(String given, Path dataDir) {
    String name = given;
    if (name == null || name.isBlank()) {
      name = System.getenv("ATELIER_MODEL");
    }
    boolean byDefault = name == null || name.isBlank();
    if (byDefault) {
      name = ModelRegistry.bundled().defaultModel().name();
    }
    Path local = Path.of(name);
    if (Files.isDirectory(local) || looksLikePath(name)) {
      return local;
    }
    ModelRegistry registry = ModelRegistry.bundled();
    Optional<RegistryEntry> entry = registry.find(name);
    ModelId id = ModelId.parse(registry.expand(name));
    HubConfig hub = hubConfig(offline);
    ModelCache cache = new ModelCache(dataDir, new HubClient(hub));
    String what = entry.isPresent() ? name + " (" + id + ")" : id.toString();
    DownloadBar bar = DownloadBar.stderr();
    // Said once the Hub has listed the files, so the size is the real one.
    DownloadProgress progress =
        new DownloadProgress() {
          private boolean announced;

          @Override
          public void update(String file, long bytesDone, long totalBytes) {
            if (!announced) {
              announced = true;
              System.err.println(
                  "atelier: pulling "
                      + what
                      + ", "
                      + ProgressFormatter.bytes(totalBytes)
                      + ", into "
                      + cache.folder(id)
                      + "; an interrupted pull resumes where it stopped (--demo tries Atelier now"
                      + " with tiny built-in models)");
            }
            bar.update(file, bytesDone, totalBytes);
          }
        };
    try {
      return cache.pull(id.toString(), progress);
    } catch (ModelUnavailable e) {
      throw FirstRunHelp.screen(name, entry, byDefault, id, cache, hub, e);
    }
  }

  /** Refuses {@code --demo} together with {@code --model}, which would be ignored otherwise. */
  void requireNoModelWithDemo() {
    if (demo && !models.isEmpty()) {
      throw new ParameterException(
          spec.commandLine(), "--demo and --model exclude each other but both were given");
    }
  }

  /** Paths, unlike repo ids (owner/name), start with / . ~ or have more than one separator. */
  static boolean looksLikePath(String s) {
    return s.startsWith("/")
        || s.startsWith(".")
        || s.startsWith("~")
        || s.chars().filter(c -> c == '/').count() > 1
        || s.contains("\\");
  }

  /** Where the local engine runs, as a worker reports it: {@code cpu} or {@code cuda}. */
  String deviceName() {
    return settings().device() == OrtSettings.Device.CUDA ? "cuda" : "cpu";
  }

  OrtSettings settings() {
    if (threads < 0) {
      throw new ParameterException(spec.commandLine(), "--threads must be >= 0 but was " + threads);
    }
    OrtSettings.Device d =
        switch (device.toLowerCase(java.util.Locale.ROOT)) {
          case "cpu" -> OrtSettings.Device.CPU;
          case "cuda", "gpu" -> OrtSettings.Device.CUDA;
          default ->
              throw new ParameterException(
                  spec.commandLine(), "--device must be cpu or cuda but was '" + device + "'");
        };
    if (fixedShapes < 0 || fixedShapes > 8) {
      throw new ParameterException(
          spec.commandLine(), "--fixed-shapes must be 0..8 but was " + fixedShapes);
    }
    OrtSettings s = new OrtSettings(threads, d, 0).withFixedShapeSessions(fixedShapes);
    if (maxUnetBatch != null) {
      if (maxUnetBatch < 0) {
        throw new ParameterException(
            spec.commandLine(), "--max-unet-batch must be >= 0 but was " + maxUnetBatch);
      }
      s = s.withMaxUnetBatch(maxUnetBatch);
    }
    boolean pattern = s.memoryPattern();
    if (memoryPattern != null) {
      pattern =
          switch (memoryPattern.toLowerCase(java.util.Locale.ROOT)) {
            case "on" -> true;
            case "off" -> false;
            default ->
                throw new ParameterException(
                    spec.commandLine(),
                    "--memory-pattern must be on or off but was '" + memoryPattern + "'");
          };
    }
    OrtSettings.CpuArena arena = s.cpuArena();
    if (cpuArena != null) {
      arena =
          java.util.Arrays.stream(OrtSettings.CpuArena.values())
              .filter(a -> a.flag().equals(cpuArena.toLowerCase(java.util.Locale.ROOT)))
              .findFirst()
              .orElseThrow(
                  () ->
                      new ParameterException(
                          spec.commandLine(),
                          "--cpu-arena must be on, shrink or off but was '" + cpuArena + "'"));
    }
    return s.withMemory(pattern, arena);
  }

  OnnxEngine load() {
    return load(ServeCommand.defaultDataDir(), false);
  }

  /**
   * Loads the model (and the tiny decoder, when named), pulling what is missing into {@code
   * dataDir}; with {@code cacheGraphs}, optimised graphs are kept under {@code dataDir/ort-cache}
   * so the next start is faster.
   */
  OnnxEngine load(Path dataDir, boolean cacheGraphs) {
    return load(modelPath(dataDir), dataDir, cacheGraphs);
  }

  /** Like {@link #load(Path, boolean)} for the model folder {@code modelPath}, already resolved. */
  OnnxEngine load(Path modelPath, Path dataDir, boolean cacheGraphs) {
    String tiny = tinyDecoder;
    if (tiny == null || tiny.isBlank()) {
      tiny = System.getenv("ATELIER_TINY_DECODER");
    }
    OrtSettings settings = settings();
    if (cacheGraphs) {
      settings = settings.withOptimizedCache(dataDir.resolve("ort-cache"));
    }
    StableDiffusionModel model = StableDiffusionModel.load(modelPath, settings);
    if (tiny == null || tiny.isBlank()) {
      return new OnnxEngine(model);
    }
    try {
      return new OnnxEngine(model, TinyVae.load(resolve(tiny, dataDir), settings));
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /** A local folder as given, else a registry alias or repo id from the cache, pulled if needed. */
  private Path resolve(String name, Path dataDir) {
    Path local = Path.of(name);
    if (Files.isDirectory(local) || looksLikePath(name)) {
      return local;
    }
    return cache(dataDir, offline)
        .resolve(ModelRegistry.bundled().expand(name), DownloadBar.stderr());
  }

  /** The model cache under {@code dataDir}, offline when asked or when the environment says so. */
  static ModelCache cache(Path dataDir, boolean offline) {
    return new ModelCache(dataDir, new HubClient(hubConfig(offline)));
  }

  /** The Hub settings of the environment, offline also when {@code --offline} was given. */
  static HubConfig hubConfig(boolean offline) {
    HubConfig env = HubConfig.fromEnvironment();
    return offline ? env.withOffline("--offline") : env;
  }
}
