package dev.atelier.engine.onnx.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.atelier.core.AtelierException;
import dev.atelier.core.CancellationToken;
import dev.atelier.engine.onnx.model.internal.Half;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One ONNX Runtime session of a model folder, with the type adaptation at its boundary.
 *
 * <p>Reads input and output names, element types and ranks from the session metadata, so that
 * callers pass plain float and integer arrays and this class casts them to what the graph wants
 * (int32/int64 ids, int64/float32/float16 timesteps of rank 0 or 1, float16 tensors). Errors name
 * the file and the input. Thread-safe: ONNX Runtime sessions may be run concurrently.
 */
final class OnnxComponent implements AutoCloseable {

  // Time inside OrtSession.run of this thread's latest call; pipelines run on one thread each.
  private static final ThreadLocal<long[]> LAST_RUN_NANOS =
      ThreadLocal.withInitial(() -> new long[1]);

  private final OrtEnvironment env;
  private final Path file;
  private final String label;
  private final OrtSession session;
  private final Map<String, TensorInfo> inputs;
  private final Map<String, TensorInfo> outputs;
  private final Set<String> retypedInputs;
  // Options for every run; null for ONNX Runtime's defaults.
  private final OrtSession.RunOptions runOptions;
  private final OrtSettings.CpuArena arena;
  // Runs hold the read side, close the write side: a session is never freed under a run (that is a
  // use-after-free in native code, which kills the process), and a run after close fails cleanly.
  private final java.util.concurrent.locks.ReentrantReadWriteLock inUse =
      new java.util.concurrent.locks.ReentrantReadWriteLock();
  private volatile boolean closed;

  /** How long {@link #close()} waits for runs in progress before it leaves the session open. */
  static final java.time.Duration CLOSE_WAIT = java.time.Duration.ofSeconds(30);

  // Per-thread input buffers: a tensor built on a buffer lives only for one run on that thread.
  private final ThreadLocal<java.util.Map<String, FloatBuffer>> buffers =
      ThreadLocal.withInitial(java.util.HashMap::new);

  OnnxComponent(
      OrtEnvironment env,
      Path file,
      String label,
      OrtSession session,
      Set<String> retypedInputs,
      OrtSettings.CpuArena arena)
      throws OrtException {
    this.env = env;
    this.file = file;
    this.label = label;
    this.session = session;
    this.retypedInputs = retypedInputs;
    this.inputs = tensorInfos(session.getInputInfo());
    this.outputs = tensorInfos(session.getOutputInfo());
    this.arena = arena;
    this.runOptions = arena == OrtSettings.CpuArena.SHRINK ? shrinkingRuns() : null;
  }

  /** Run options that hand the CPU arena's unused blocks back after each run. */
  private static OrtSession.RunOptions shrinkingRuns() throws OrtException {
    OrtSession.RunOptions o = new OrtSession.RunOptions();
    try {
      o.addRunConfigEntry("memory.enable_memory_arena_shrinkage", "cpu:0");
      return o;
    } catch (OrtException | RuntimeException e) {
      o.close();
      throw e;
    }
  }

  /** True when {@code input} was retyped from an integer type to float32 at load. */
  boolean retyped(String input) {
    return retypedInputs.contains(input);
  }

  private static Map<String, TensorInfo> tensorInfos(Map<String, NodeInfo> infos) {
    Map<String, TensorInfo> m = new LinkedHashMap<>();
    for (Map.Entry<String, NodeInfo> e : infos.entrySet()) {
      if (e.getValue().getInfo() instanceof TensorInfo t) {
        m.put(e.getKey(), t);
      }
    }
    return m;
  }

  /** The file label errors use. */
  String label() {
    return label;
  }

  /** The graph file. */
  Path file() {
    return file;
  }

  /** Every tensor input, by name, in the graph's order. */
  Map<String, TensorInfo> inputs() {
    return inputs;
  }

  /** The input named {@code name}, if the graph has it. */
  Optional<TensorInfo> input(String name) {
    return Optional.ofNullable(inputs.get(name));
  }

  /** The output named {@code name}, if the graph has it. */
  Optional<TensorInfo> output(String name) {
    return Optional.ofNullable(outputs.get(name));
  }

  /**
   * The input named {@code name}, checked for element type and rank.
   *
   * @throws AtelierException.ModelUnavailable naming the file, the input, expected and found
   */
  TensorInfo requireInput(String name, Set<OnnxJavaType> types, int... ranks) {
    TensorInfo info = inputs.get(name);
    if (info == null) {
      throw mismatch("has no input '" + name + "'; its inputs are " + describe(inputs));
    }
    checkTypeAndRank("input", name, info, types, ranks);
    return info;
  }

  /** Like {@link #requireInput} for outputs. */
  TensorInfo requireOutput(String name, Set<OnnxJavaType> types, int... ranks) {
    TensorInfo info = outputs.get(name);
    if (info == null) {
      throw mismatch("has no output '" + name + "'; its outputs are " + describe(outputs));
    }
    checkTypeAndRank("output", name, info, types, ranks);
    return info;
  }

  private void checkTypeAndRank(
      String kind, String name, TensorInfo info, Set<OnnxJavaType> types, int... ranks) {
    if (!types.contains(info.type)) {
      throw mismatch(
          kind + " '" + name + "' must be " + typeNames(types) + " but is " + typeName(info.type));
    }
    int rank = info.getShape().length;
    if (ranks.length > 0 && Arrays.stream(ranks).noneMatch(r -> r == rank)) {
      throw mismatch(
          kind
              + " '"
              + name
              + "' must have rank "
              + Arrays.stream(ranks).mapToObj(Integer::toString).collect(Collectors.joining(" or "))
              + " but has rank "
              + rank
              + " "
              + Arrays.toString(info.getShape()));
    }
  }

  /** An error that names this component's file. */
  AtelierException.ModelUnavailable mismatch(String what) {
    return new AtelierException.ModelUnavailable(label + " " + what);
  }

  /** A float tensor for {@code input}, converted to float16 when the graph wants it. */
  OnnxTensor floatInput(String input, float[] data, long[] shape) throws OrtException {
    return floatInput(input, data, 0, data.length, shape);
  }

  /**
   * Like {@link #floatInput(String, float[], long[])} for {@code length} values from {@code from}.
   */
  OnnxTensor floatInput(String input, float[] data, int from, int length, long[] shape)
      throws OrtException {
    TensorInfo info = inputs.get(input);
    if (info != null && info.type == OnnxJavaType.FLOAT16) {
      return OnnxTensor.createTensor(
          env,
          Half.toHalf(java.util.Arrays.copyOfRange(data, from, from + length)),
          shape,
          OnnxJavaType.FLOAT16);
    }
    // A direct, native-order buffer is handed to ONNX Runtime without a further copy; reusing one
    // per thread and input avoids allocating (and zeroing) a fresh one on every step.
    FloatBuffer direct = directBuffer(input, length);
    direct.put(data, from, length).flip();
    return OnnxTensor.createTensor(env, direct, shape);
  }

  private FloatBuffer directBuffer(String input, int floats) {
    java.util.Map<String, FloatBuffer> mine = buffers.get();
    FloatBuffer b = mine.get(input);
    if (b == null || b.capacity() < floats) {
      b =
          java.nio.ByteBuffer.allocateDirect(floats * Float.BYTES)
              .order(java.nio.ByteOrder.nativeOrder())
              .asFloatBuffer();
      mine.put(input, b);
    }
    b.clear().limit(floats);
    return b;
  }

  /** An integer tensor for {@code input}, as int32 or int64 per the graph. */
  OnnxTensor integerInput(String input, long[] values, long[] shape) throws OrtException {
    TensorInfo info = inputs.get(input);
    if (info != null && info.type == OnnxJavaType.INT32) {
      int[] ints = new int[values.length];
      for (int i = 0; i < values.length; i++) {
        ints[i] = Math.toIntExact(values[i]);
      }
      return OnnxTensor.createTensor(env, IntBuffer.wrap(ints), shape);
    }
    return OnnxTensor.createTensor(env, LongBuffer.wrap(values), shape);
  }

  /** The shape {@link #scalarInput} feeds {@code input} with. */
  long[] scalarShape(String input) {
    long[] graphShape = inputs.get(input).getShape();
    return graphShape.length == 0
        ? new long[0]
        : new long[] {graphShape[0] > 1 ? graphShape[0] : 1};
  }

  /**
   * A scalar-valued input (a timestep) in the graph's type and rank: rank 0, or rank 1 with length
   * 1 (broadcast by the graph) or the graph's fixed length. Integer types truncate toward zero, as
   * {@code tensor.to(torch.int64)} does.
   */
  OnnxTensor scalarInput(String input, double value) throws OrtException {
    TensorInfo info = inputs.get(input);
    long[] shape = scalarShape(input);
    int n = (int) (shape.length == 0 ? 1 : shape[0]);
    return switch (info.type) {
      case INT64 -> {
        long[] v = new long[n];
        Arrays.fill(v, (long) value);
        yield OnnxTensor.createTensor(env, LongBuffer.wrap(v), shape);
      }
      case INT32 -> {
        int[] v = new int[n];
        Arrays.fill(v, (int) value);
        yield OnnxTensor.createTensor(env, IntBuffer.wrap(v), shape);
      }
      case FLOAT16 -> {
        float[] v = new float[n];
        Arrays.fill(v, (float) value);
        yield OnnxTensor.createTensor(env, Half.toHalf(v), shape, OnnxJavaType.FLOAT16);
      }
      case DOUBLE -> {
        double[] v = new double[n];
        Arrays.fill(v, value);
        yield OnnxTensor.createTensor(env, java.nio.DoubleBuffer.wrap(v), shape);
      }
      default -> {
        float[] v = new float[n];
        Arrays.fill(v, (float) value);
        yield OnnxTensor.createTensor(env, FloatBuffer.wrap(v), shape);
      }
    };
  }

  /**
   * Runs the graph and returns {@code output} as floats (float16 outputs widened).
   *
   * @throws AtelierException.EngineFailure when ONNX Runtime fails at run time
   */
  float[] run(Map<String, OnnxTensor> feeds, String output) {
    acquire(feeds);
    try {
      return runHeld(feeds, output);
    } finally {
      inUse.readLock().unlock();
    }
  }

  /** Takes the read side for one run; refuses (closing the feeds) once the session is closed. */
  private void acquire(Map<String, OnnxTensor> feeds) {
    inUse.readLock().lock();
    if (closed) {
      inUse.readLock().unlock();
      feeds.values().forEach(OnnxTensor::close);
      throw new AtelierException.EngineFailure(
          label + " failed: the model was closed (unloaded or shutting down)", null);
    }
  }

  /**
   * Like {@link #run(Map, String)}, stopping inside ONNX Runtime as soon as {@code cancel} is set
   * (its run options' terminate flag) instead of at the end of the call: a single UNet call at real
   * size takes seconds to minutes on a CPU.
   *
   * @throws AtelierException.Cancelled when {@code cancel} stopped the call
   */
  float[] run(Map<String, OnnxTensor> feeds, String output, CancellationToken cancel) {
    acquire(feeds);
    OrtSession.RunOptions options = null;
    try {
      options =
          arena == OrtSettings.CpuArena.SHRINK ? shrinkingRuns() : new OrtSession.RunOptions();
    } catch (OrtException e) {
      inUse.readLock().unlock();
      feeds.values().forEach(OnnxTensor::close);
      throw new AtelierException.EngineFailure(label + " failed: " + e.getMessage(), e);
    }
    OrtSession.RunOptions terminate = options;
    try (CancellationToken.Registration r =
        cancel.onCancel(
            () -> {
              try {
                terminate.setTerminate(true);
              } catch (OrtException e) {
                // The step-level check stops the work instead.
              }
            })) {
      return runHeld(feeds, output, options);
    } catch (AtelierException.EngineFailure e) {
      if (cancel.isCancelled()) {
        throw new AtelierException.Cancelled("cancelled inside " + label);
      }
      throw e;
    } finally {
      options.close();
      inUse.readLock().unlock();
    }
  }

  private float[] runHeld(Map<String, OnnxTensor> feeds, String output) {
    return runHeld(feeds, output, runOptions);
  }

  private float[] runHeld(
      Map<String, OnnxTensor> feeds, String output, OrtSession.RunOptions options) {
    long start = System.nanoTime();
    try (OrtSession.Result result =
        options == null
            ? session.run(feeds, Set.of(output))
            : session.run(feeds, Set.of(output), options)) {
      LAST_RUN_NANOS.get()[0] = System.nanoTime() - start;
      OnnxValue v = result.get(output).orElseThrow();
      FloatBuffer fb = ((OnnxTensor) v).getFloatBuffer();
      float[] out = new float[fb.remaining()];
      fb.get(out);
      return out;
    } catch (OrtException e) {
      throw new AtelierException.EngineFailure(label + " failed: " + e.getMessage(), e);
    } finally {
      feeds.values().forEach(OnnxTensor::close);
    }
  }

  /** Like {@link #run(Map, String)} for several outputs at once, by name. */
  Map<String, float[]> run(Map<String, OnnxTensor> feeds, Set<String> outputs) {
    acquire(feeds);
    try {
      return runHeld(feeds, outputs);
    } finally {
      inUse.readLock().unlock();
    }
  }

  private Map<String, float[]> runHeld(Map<String, OnnxTensor> feeds, Set<String> outputs) {
    long start = System.nanoTime();
    try (OrtSession.Result result =
        runOptions == null
            ? session.run(feeds, outputs)
            : session.run(feeds, outputs, runOptions)) {
      LAST_RUN_NANOS.get()[0] = System.nanoTime() - start;
      Map<String, float[]> out = new java.util.HashMap<>();
      for (String name : outputs) {
        FloatBuffer fb = ((OnnxTensor) result.get(name).orElseThrow()).getFloatBuffer();
        float[] values = new float[fb.remaining()];
        fb.get(values);
        out.put(name, values);
      }
      return out;
    } catch (OrtException e) {
      throw new AtelierException.EngineFailure(label + " failed: " + e.getMessage(), e);
    } finally {
      feeds.values().forEach(OnnxTensor::close);
    }
  }

  /** Nanoseconds the calling thread's latest {@link #run} spent inside ONNX Runtime. */
  static long lastRunNanos() {
    return LAST_RUN_NANOS.get()[0];
  }

  /** Same as {@link #lastRunNanos()}, for callers holding an instance. */
  long lastRunNanosOfThread() {
    return LAST_RUN_NANOS.get()[0];
  }

  /** Records the total of several runs (sub-batches) as the thread's latest. */
  void setLastRunNanosOfThread(long nanos) {
    LAST_RUN_NANOS.get()[0] = nanos;
  }

  static String typeName(OnnxJavaType t) {
    return switch (t) {
      case FLOAT -> "float32";
      case FLOAT16 -> "float16";
      case BFLOAT16 -> "bfloat16";
      case DOUBLE -> "float64";
      case INT64 -> "int64";
      case INT32 -> "int32";
      case INT16 -> "int16";
      case INT8 -> "int8";
      case UINT8 -> "uint8";
      case BOOL -> "bool";
      case STRING -> "string";
      default -> t.name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  private static String typeNames(Set<OnnxJavaType> types) {
    return types.stream().map(OnnxComponent::typeName).sorted().collect(Collectors.joining(" or "));
  }

  private static String describe(Map<String, TensorInfo> infos) {
    return infos.entrySet().stream()
        .map(
            e ->
                e.getKey()
                    + " "
                    + typeName(e.getValue().type)
                    + Arrays.toString(e.getValue().getShape()))
        .collect(Collectors.joining(", ", "[", "]"));
  }

  /**
   * Frees the session once no run is in progress on it (waiting up to {@link #CLOSE_WAIT}); runs
   * asked for afterwards fail with {@link AtelierException.EngineFailure}. When a run outlasts the
   * wait the session is left open (its memory is reclaimed when the process ends) rather than freed
   * under the run.
   */
  @Override
  public void close() {
    closed = true;
    boolean idle;
    try {
      idle =
          inUse
              .writeLock()
              .tryLock(CLOSE_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      idle = false;
    }
    if (!idle) {
      System.getLogger(OnnxComponent.class.getName())
          .log(
              System.Logger.Level.WARNING,
              "{0}: a run is still in progress after {1}; its session is left open",
              label,
              CLOSE_WAIT);
      return;
    }
    try {
      if (runOptions != null) {
        runOptions.close();
      }
      try {
        session.close();
      } catch (OrtException e) {
        // Closing only frees native memory; nothing useful can be done if it fails.
      }
    } finally {
      inUse.writeLock().unlock();
    }
  }
}
