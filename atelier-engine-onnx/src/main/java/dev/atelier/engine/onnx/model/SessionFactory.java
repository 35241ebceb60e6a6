package dev.atelier.engine.onnx.model;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.atelier.core.AtelierException;
import dev.atelier.engine.onnx.model.internal.GraphInputRetyper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Creates the ONNX Runtime session of one component: options (threads, no spinning, full graph
 * optimisation, the execution provider), loading from the file path so external weights resolve,
 * the int64-timestep retyping of ADR 0005, and clear errors for graphs ONNX Runtime refuses.
 */
final class SessionFactory {
  private static final Set<String> CUDA_ONLY_HINTS =
      Set.of(
          "NhwcConv",
          "GroupNorm",
          "BiasSplitGelu",
          "BiasAdd",
          "NhwcGroupNorm",
          "MultiHeadAttention");
  private static final System.Logger LOG = System.getLogger(SessionFactory.class.getName());

  private SessionFactory() {}

  /**
   * Creates the session from the file path, so external weight files beside it resolve.
   *
   * @param label how errors name the file, e.g. {@code unet/model.onnx}
   * @throws AtelierException.ModelUnavailable when the file is missing or ONNX Runtime refuses it
   */
  static OnnxComponent open(OrtEnvironment env, Path file, String label, OrtSettings settings) {
    return open(env, file, label, settings, Map.of());
  }

  private static OnnxComponent open(
      OrtEnvironment env,
      Path file,
      String label,
      OrtSettings settings,
      Map<String, Long> fixedDims) {
    if (!Files.isRegularFile(file)) {
      throw new AtelierException.ModelUnavailable(label + " is missing (looked for " + file + ")");
    }
    try {
      OrtSession session =
          cachedSession(
              env,
              file,
              variant(fixedDims),
              settings,
              fixedDims,
              options -> env.createSession(file.toString(), options));
      try {
        return new OnnxComponent(env, file, label, session, Set.of(), settings.cpuArena());
      } catch (OrtException | RuntimeException e) {
        session.close();
        throw e;
      }
    } catch (IOException e) {
      throw new AtelierException.ModelUnavailable(label + " could not be read: " + e, e);
    } catch (OrtException e) {
      String msg = String.valueOf(e.getMessage());
      for (String op : CUDA_ONLY_HINTS) {
        if (msg.contains(op)
            && (msg.contains("implementation") || msg.contains("not registered"))) {
          throw new AtelierException.ModelUnavailable(
              label
                  + " uses the fused operator "
                  + op
                  + ", which only the CUDA build of ONNX Runtime provides; use a CPU export of"
                  + " this model or run with --device cuda",
              e);
        }
      }
      throw new AtelierException.ModelUnavailable(
          label + " could not be loaded by ONNX Runtime: " + msg, e);
    }
  }

  /**
   * Like {@link #open}, but when graph input {@code input} is int64 or int32 the session is built
   * from a copy-on-write map of the file with that input retyped to float32, so fractional values
   * (Euler timesteps such as 856.2857) reach the graph unrounded, as in diffusers' PyTorch
   * pipelines. Falls back to the file as it is when ONNX Runtime refuses the retyped graph.
   */
  static OnnxComponent openWithFloatInput(
      OrtEnvironment env, Path file, String label, OrtSettings settings, String input) {
    return openWithFloatInput(env, file, label, settings, input, Map.of());
  }

  /**
   * Like {@link #openWithFloatInput(OrtEnvironment, Path, String, OrtSettings, String)} with the
   * named symbolic dimensions fixed to the given values (ONNX Runtime's free dimension overrides),
   * so the graph is optimised for one shape.
   */
  static OnnxComponent openWithFloatInput(
      OrtEnvironment env,
      Path file,
      String label,
      OrtSettings settings,
      String input,
      Map<String, Long> fixedDims) {
    if (!Files.isRegularFile(file)) {
      return open(env, file, label, settings, fixedDims);
    }
    OptionalInt type;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      type =
          GraphInputRetyper.elementType(ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()), input);
    } catch (IOException | RuntimeException e) {
      return open(env, file, label, settings, fixedDims);
    }
    if (type.isEmpty()
        || (type.getAsInt() != GraphInputRetyper.INT64
            && type.getAsInt() != GraphInputRetyper.INT32)) {
      return open(env, file, label, settings, fixedDims);
    }
    try {
      OrtSession session =
          cachedSession(
              env,
              file,
              input + ":float" + variant(fixedDims),
              settings,
              fixedDims,
              options -> {
                ByteBuffer patched =
                    GraphInputRetyper.retyped(file, input, GraphInputRetyper.FLOAT);
                // Sessions built from bytes resolve external weight files against this folder.
                options.addConfigEntry(
                    "session.model_external_initializers_file_folder_path",
                    file.getParent().toString());
                // ONNX Runtime parses (copies) the bytes; the buffer is not needed afterwards.
                return env.createSession(patched, options);
              });
      try {
        return new OnnxComponent(env, file, label, session, Set.of(input), settings.cpuArena());
      } catch (OrtException | RuntimeException e) {
        session.close();
        throw e;
      }
    } catch (OrtException | IOException | RuntimeException e) {
      LOG.log(
          System.Logger.Level.INFO,
          "{0}: input {1} kept as an integer ({2}); fractional values will be truncated",
          label,
          input,
          e.toString());
      return open(env, file, label, settings, fixedDims);
    }
  }

  /** The cache variant that names fixed dimensions, e.g. {@code |batch=2|height=64}. */
  private static String variant(Map<String, Long> fixedDims) {
    StringBuilder b = new StringBuilder();
    new java.util.TreeMap<>(fixedDims)
        .forEach((k, v) -> b.append('|').append(k).append('=').append(v));
    return b.toString();
  }

  /** Creates a session from some source, given the options to use. */
  @FunctionalInterface
  interface SessionSource {
    OrtSession create(OrtSession.SessionOptions options) throws OrtException, IOException;
  }

  /**
   * A session from {@code source}, through the optimised-graph cache when the settings name one: a
   * cached graph is loaded directly; otherwise the session saves its optimised graph for the next
   * run. Any cache failure falls back to {@code source} and never fails the load.
   */
  static OrtSession cachedSession(
      OrtEnvironment env,
      Path file,
      String variant,
      OrtSettings settings,
      Map<String, Long> fixedDims,
      SessionSource source)
      throws OrtException, IOException {
    if (settings.optimizedCacheDir().isEmpty()) {
      try (OrtSession.SessionOptions options = sessionOptions(settings, fixedDims)) {
        return source.create(options);
      }
    }
    OptimizedGraphCache cache = new OptimizedGraphCache(Path.of(settings.optimizedCacheDir()));
    String key = cache.key(file, variant, settings);
    Optional<Path> hit = cache.find(key);
    if (hit.isPresent()) {
      try (OrtSession.SessionOptions options = sessionOptions(settings, fixedDims)) {
        return env.createSession(hit.get().toString(), options);
      } catch (OrtException e) {
        LOG.log(
            System.Logger.Level.INFO, "cached graph for {0} unusable ({1}); rebuilding", file, e);
        cache.evict(key);
      }
    }
    if (!cache.skipped(key)) {
      try (OrtSession.SessionOptions options = sessionOptions(settings, fixedDims)) {
        options.setOptimizedModelFilePath(cache.target(key).toString());
        options.addConfigEntry(
            "session.optimized_model_external_initializers_file_name",
            OptimizedGraphCache.dataFileName(key));
        options.addConfigEntry(
            "session.optimized_model_external_initializers_min_size_in_bytes", "1024");
        OrtSession session = source.create(options);
        cache.commit(key);
        return session;
      } catch (OrtException | IOException e) {
        LOG.log(System.Logger.Level.INFO, "not caching the optimised graph of {0}: {1}", file, e);
        cache.evict(key);
        cache.skip(key);
      }
    }
    try (OrtSession.SessionOptions options = sessionOptions(settings, fixedDims)) {
      return source.create(options);
    }
  }

  private static OrtSession.SessionOptions sessionOptions(
      OrtSettings settings, Map<String, Long> fixedDims) throws OrtException {
    OrtSession.SessionOptions o = new OrtSession.SessionOptions();
    try {
      o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      // ONNX Runtime warns on every cached graph that it is specific to this machine; the cache
      // key already holds the CPU and ORT version, so only errors are worth a user's terminal.
      o.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
      o.setIntraOpNumThreads(settings.intraOpThreads());
      o.setInterOpNumThreads(1);
      // An idle server should not burn a core per thread spinning for work.
      o.addConfigEntry("session.intra_op.allow_spinning", "0");
      o.addConfigEntry("session.inter_op.allow_spinning", "0");
      o.setMemoryPatternOptimization(settings.memoryPattern());
      if (settings.cpuArena() == OrtSettings.CpuArena.OFF) {
        o.setCPUArenaAllocator(false);
      }
      for (Map.Entry<String, Long> d : fixedDims.entrySet()) {
        o.setSymbolicDimensionValue(d.getKey(), d.getValue());
      }
      if (settings.device() == OrtSettings.Device.CUDA) {
        o.addCUDA(settings.deviceId());
      }
      return o;
    } catch (OrtException | RuntimeException e) {
      o.close();
      throw e;
    }
  }
}
