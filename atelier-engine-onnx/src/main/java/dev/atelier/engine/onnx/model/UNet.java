package dev.atelier.engine.onnx.model;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import dev.atelier.core.AtelierException;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The denoising UNet: {@code (sample, timestep, encoder_hidden_states[, timestep_cond])} to the
 * predicted noise {@code out_sample}.
 *
 * <p>Adapts to the exports in the wild: {@code timestep} int64, float32 or float16 of rank 0 or 1;
 * float16 samples; 4 (text-to-image), 8 (InstructPix2Pix) or 9 (inpainting) input channels; an
 * optional {@code timestep_cond} (LCM's guidance embedding).
 */
public final class UNet implements AutoCloseable {
  private static final Set<OnnxJavaType> FLOATS =
      EnumSet.of(OnnxJavaType.FLOAT, OnnxJavaType.FLOAT16);
  private static final Set<OnnxJavaType> TIMESTEP =
      EnumSet.of(
          OnnxJavaType.INT64,
          OnnxJavaType.INT32,
          OnnxJavaType.FLOAT,
          OnnxJavaType.FLOAT16,
          OnnxJavaType.DOUBLE);

  private final OnnxComponent graph;
  private final int inChannels;
  private final OptionalInt timestepCondDim;
  private final String outputName;
  private final int maxBatch;
  private final ShapeSessions shapes;

  private UNet(
      OnnxComponent graph,
      int inChannels,
      OptionalInt condDim,
      String outputName,
      int maxBatch,
      ShapeSessions shapes) {
    this.graph = graph;
    this.shapes = shapes;
    this.inChannels = inChannels;
    this.timestepCondDim = condDim;
    this.outputName = outputName;
    this.maxBatch = maxBatch;
  }

  static UNet wrap(
      OnnxComponent graph,
      int configuredInChannels,
      int configuredCondDim,
      int hidden,
      int maxBatch) {
    return wrap(graph, configuredInChannels, configuredCondDim, hidden, maxBatch, 0, d -> graph);
  }

  /**
   * Wraps the graph, checking its inputs.
   *
   * @param fixedShapeSessions how many shape-specialised sessions to keep (see {@link
   *     ShapeSessions}); 0 runs every shape on {@code graph}
   * @param reopen opens the UNet again with the given symbolic dimensions fixed
   */
  static UNet wrap(
      OnnxComponent graph,
      int configuredInChannels,
      int configuredCondDim,
      int hidden,
      int maxBatch,
      int fixedShapeSessions,
      java.util.function.Function<Map<String, Long>, OnnxComponent> reopen) {
    try {
      TensorInfo sample = graph.requireInput("sample", FLOATS, 4);
      graph.requireInput("timestep", TIMESTEP, 0, 1);
      TensorInfo ehs = graph.requireInput("encoder_hidden_states", FLOATS, 3);
      if (graph.input("text_embeds").isPresent() || graph.input("time_ids").isPresent()) {
        throw graph.mismatch(
            "is an SDXL UNet (it takes text_embeds/time_ids); SDXL folders are not supported yet");
      }
      long graphChannels = sample.getShape()[1];
      int channels = configuredInChannels > 0 ? configuredInChannels : (int) graphChannels;
      if (channels <= 0) {
        throw graph.mismatch(
            "input 'sample' has a symbolic channel count and unet/config.json has no in_channels");
      }
      if (graphChannels > 0 && graphChannels != channels) {
        throw graph.mismatch(
            "input 'sample' has "
                + graphChannels
                + " channels but unet/config.json says in_channels "
                + channels);
      }
      if (channels != 4 && channels != 8 && channels != 9) {
        throw graph.mismatch(
            "input 'sample' must have 4, 8 or 9 channels (text-to-image, InstructPix2Pix,"
                + " inpainting) but has "
                + channels);
      }
      long ehsWidth = ehs.getShape()[2];
      if (ehsWidth > 0 && hidden > 0 && ehsWidth != hidden) {
        throw graph.mismatch(
            "input 'encoder_hidden_states' has width "
                + ehsWidth
                + " but the text encoder produces "
                + hidden);
      }
      OptionalInt cond = OptionalInt.empty();
      if (graph.input("timestep_cond").isPresent()) {
        TensorInfo tc = graph.requireInput("timestep_cond", FLOATS, 2);
        long dim = tc.getShape()[1] > 0 ? tc.getShape()[1] : configuredCondDim;
        if (dim <= 0) {
          throw graph.mismatch(
              "input 'timestep_cond' has a symbolic width and unet/config.json has no"
                  + " time_cond_proj_dim");
        }
        cond = OptionalInt.of((int) dim);
      }
      String out = graph.output("out_sample").isPresent() ? "out_sample" : "";
      if (out.isEmpty()) {
        throw graph.mismatch("has no output 'out_sample'");
      }
      graph.requireOutput(out, FLOATS, 4);
      return new UNet(
          graph,
          channels,
          cond,
          out,
          maxBatch,
          new ShapeSessions(graph, fixedShapeSessions, reopen));
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  /** Input channels: 4 plain, 8 InstructPix2Pix, 9 inpainting. */
  public int inChannels() {
    return inChannels;
  }

  /**
   * True when the graph's {@code timestep} input was exported as an integer and retyped to float32
   * at load (see ADR 0005), so fractional timesteps are not truncated.
   */
  public boolean timestepRetyped() {
    return graph.retyped("timestep");
  }

  /**
   * Nanoseconds the calling thread's latest {@link #predict} spent inside ONNX Runtime's {@code
   * run}, excluding the Java work of building input tensors and copying the output.
   */
  public long lastRunNanos() {
    return OnnxComponent.lastRunNanos();
  }

  /** Width of {@code timestep_cond} when the graph takes one (LCM). */
  public OptionalInt timestepCondDim() {
    return timestepCondDim;
  }

  /**
   * Predicts the noise (or v) for a batch.
   *
   * @param sample {@code [batch, inChannels, h, w]} flattened
   * @param shape the sample's shape
   * @param timestep the scheduler's timestep; cast to the graph's type
   * @param encoderHiddenStates {@code [batch, length, hidden]} flattened
   * @param hiddenShape its shape
   * @param timestepCond {@code [batch, timestepCondDim]} or an empty array when the graph has no
   *     such input
   * @return {@code [batch, 4, h, w]} flattened
   */
  public float[] predict(
      float[] sample,
      long[] shape,
      float timestep,
      float[] encoderHiddenStates,
      long[] hiddenShape,
      float[] timestepCond) {
    int batch = (int) shape[0];
    if (timestepCondDim.isPresent() && timestepCond.length != batch * timestepCondDim.getAsInt()) {
      throw new IllegalArgumentException(
          "timestep_cond must have "
              + batch * timestepCondDim.getAsInt()
              + " values but has "
              + timestepCond.length);
    }
    if (maxBatch == 0 || batch <= maxBatch) {
      return predictRows(
          sample, 0, shape, timestep, encoderHiddenStates, 0, hiddenShape, timestepCond, 0);
    }
    // Sub-batches: the same rows in the same order, so results equal one big call, with memory
    // and (on CPU) per-image cost bounded. Rows go to ONNX Runtime straight from the arrays, and
    // the timing covers all sub-batches.
    int sampleRow = sample.length / batch;
    int hiddenRow = encoderHiddenStates.length / batch;
    int condRow = timestepCond.length / batch;
    int outRow = (int) (4 * shape[2] * shape[3]);
    float[] out = new float[batch * outRow];
    long ort = 0;
    for (int start = 0; start < batch; start += maxBatch) {
      int n = Math.min(maxBatch, batch - start);
      long[] s = shape.clone();
      s[0] = n;
      long[] h = hiddenShape.clone();
      h[0] = n;
      float[] part =
          predictRows(
              sample,
              start * sampleRow,
              s,
              timestep,
              encoderHiddenStates,
              start * hiddenRow,
              h,
              timestepCond,
              start * condRow);
      ort += graph.lastRunNanosOfThread();
      System.arraycopy(part, 0, out, start * outRow, part.length);
    }
    graph.setLastRunNanosOfThread(ort);
    return out;
  }

  /** One UNet run on the rows of the arrays that start at the given offsets. */
  private float[] predictRows(
      float[] sample,
      int sampleFrom,
      long[] shape,
      float timestep,
      float[] hidden,
      int hiddenFrom,
      long[] hiddenShape,
      float[] timestepCond,
      int condFrom) {
    Map<String, long[]> feedShapes = new HashMap<>();
    feedShapes.put("sample", shape);
    feedShapes.put("timestep", graph.scalarShape("timestep"));
    feedShapes.put("encoder_hidden_states", hiddenShape);
    long[] condShape = {shape[0], timestepCondDim.orElse(0)};
    if (timestepCondDim.isPresent()) {
      feedShapes.put("timestep_cond", condShape);
    }
    try (ShapeSessions.Lease lease = shapes.acquire(feedShapes)) {
      OnnxComponent graph = lease.component();
      Map<String, OnnxTensor> feeds = new HashMap<>();
      feeds.put("sample", graph.floatInput("sample", sample, sampleFrom, size(shape), shape));
      feeds.put("timestep", graph.scalarInput("timestep", timestep));
      feeds.put(
          "encoder_hidden_states",
          graph.floatInput(
              "encoder_hidden_states", hidden, hiddenFrom, size(hiddenShape), hiddenShape));
      if (timestepCondDim.isPresent()) {
        feeds.put(
            "timestep_cond",
            graph.floatInput("timestep_cond", timestepCond, condFrom, size(condShape), condShape));
      }
      return graph.run(feeds, outputName);
    } catch (OrtException e) {
      throw new AtelierException.EngineFailure(graph.label() + " input: " + e.getMessage(), e);
    }
  }

  private static int size(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return Math.toIntExact(n);
  }

  /** The dynamic session (for tests). */
  OnnxComponent graph() {
    return graph;
  }

  /** How many shape-specialised sessions are open now. */
  int fixedShapeSessionsOpen() {
    return shapes.size();
  }

  @Override
  public void close() {
    shapes.close();
    graph.close();
  }
}
