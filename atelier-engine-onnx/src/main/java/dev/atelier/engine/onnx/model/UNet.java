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
 * The denoising UNet: {@code (sample, timestep, encoder_hidden_states[, timestep_cond][,
 * text_embeds, time_ids])} to the predicted noise {@code out_sample}.
 *
 * <p>Adapts to the exports in the wild: {@code timestep} int64, float32 or float16 of rank 0 or 1;
 * float16 samples; 4 (text-to-image), 8 (InstructPix2Pix) or 9 (inpainting) input channels; an
 * optional {@code timestep_cond} (LCM's guidance embedding); SDXL's added conditions {@code
 * text_embeds} (the second text tower's pooled, projected output) and {@code time_ids} (sizes and
 * crop), diffusers' {@code addition_embed_type="text_time"}.
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

  /**
   * The per-row inputs of a UNet call besides the sample and the text, each {@code [batch, width]}
   * flattened and empty when the graph has no such input.
   *
   * @param timestepCond LCM's guidance embedding
   * @param textEmbeds SDXL's pooled text embedding
   * @param timeIds SDXL's {@code add_time_ids}: original size, crop top-left, target size (or an
   *     aesthetic score instead of the target size, for models that require one)
   */
  public record Extras(float[] timestepCond, float[] textEmbeds, float[] timeIds) {
    /** No extra inputs. */
    public static final Extras NONE = new Extras(new float[0], new float[0], new float[0]);

    /** Only LCM's guidance embedding (may be empty). */
    public static Extras ofTimestepCond(float[] timestepCond) {
      return new Extras(timestepCond, new float[0], new float[0]);
    }

    /** diffusers' SDXL default {@code aesthetic_score}, for models that require one. */
    public static final float AESTHETIC_SCORE = 6.0f;

    /** diffusers' SDXL default {@code negative_aesthetic_score}. */
    public static final float NEGATIVE_AESTHETIC_SCORE = 2.5f;

    /**
     * SDXL's {@code add_time_ids} for {@code rows} rows, diffusers' defaults: original size =
     * target size = the output's {@code (height, width)}, crop top-left {@code (0, 0)}; with 5
     * values (models requiring an aesthetic score) {@code score} replaces the target size; empty
     * when {@code dims} is 0 (no such input).
     */
    public static float[] timeIds(int dims, int width, int height, float score, int rows) {
      if (dims == 0) {
        return new float[0];
      }
      float[] one =
          dims == 5
              ? new float[] {height, width, 0, 0, score}
              : new float[] {height, width, 0, 0, height, width};
      float[] out = new float[rows * dims];
      for (int r = 0; r < rows; r++) {
        System.arraycopy(one, 0, out, r * dims, dims);
      }
      return out;
    }
  }

  private final OnnxComponent graph;
  private final int inChannels;
  private final OptionalInt timestepCondDim;
  private final int textEmbedsDim;
  private final int timeIdsDim;
  private final String outputName;
  private final int maxBatch;
  private final ShapeSessions shapes;

  private UNet(
      OnnxComponent graph,
      int inChannels,
      OptionalInt condDim,
      int textEmbedsDim,
      int timeIdsDim,
      String outputName,
      int maxBatch,
      ShapeSessions shapes) {
    this.graph = graph;
    this.textEmbedsDim = textEmbedsDim;
    this.timeIdsDim = timeIdsDim;
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
    return wrap(graph, configuredInChannels, configuredCondDim, 0, hidden, maxBatch, 0, d -> graph);
  }

  /**
   * Wraps the graph, checking its inputs.
   *
   * @param configuredTextEmbeds {@code projection_class_embeddings_input_dim - 6 *
   *     addition_time_embed_dim} from the config when the graph's {@code text_embeds} width is
   *     symbolic; 0 when unknown
   * @param fixedShapeSessions how many shape-specialised sessions to keep (see {@link
   *     ShapeSessions}); 0 runs every shape on {@code graph}
   * @param reopen opens the UNet again with the given symbolic dimensions fixed
   */
  static UNet wrap(
      OnnxComponent graph,
      int configuredInChannels,
      int configuredCondDim,
      int configuredTextEmbeds,
      int hidden,
      int maxBatch,
      int fixedShapeSessions,
      java.util.function.Function<Map<String, Long>, OnnxComponent> reopen) {
    try {
      TensorInfo sample = graph.requireInput("sample", FLOATS, 4);
      graph.requireInput("timestep", TIMESTEP, 0, 1);
      TensorInfo ehs = graph.requireInput("encoder_hidden_states", FLOATS, 3);
      int textEmbeds = 0;
      int timeIds = 0;
      if (graph.input("text_embeds").isPresent() || graph.input("time_ids").isPresent()) {
        TensorInfo te = graph.requireInput("text_embeds", FLOATS, 2);
        TensorInfo ti = graph.requireInput("time_ids", FLOATS, 2);
        textEmbeds = te.getShape()[1] > 0 ? (int) te.getShape()[1] : configuredTextEmbeds;
        // 6 values (original size, crop, target size), or 5 with an aesthetic score instead of
        // the target size (the refiner's requires_aesthetics_score).
        timeIds = ti.getShape()[1] > 0 ? (int) ti.getShape()[1] : 6;
        if (textEmbeds <= 0) {
          throw graph.mismatch(
              "input 'text_embeds' has a symbolic width and unet/config.json gives no"
                  + " projection_class_embeddings_input_dim");
        }
        if (timeIds != 5 && timeIds != 6) {
          throw graph.mismatch("input 'time_ids' must have 5 or 6 values but has " + timeIds);
        }
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
                + hidden
                + (graph.input("time_ids").isPresent()
                    ? " (it is an SDXL UNet: it takes text_embeds and time_ids and reads"
                        + " text_encoder and text_encoder_2 side by side; is text_encoder_2/"
                        + " missing?)"
                    : ""));
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
          textEmbeds,
          timeIds,
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

  /** Width of {@code text_embeds} (SDXL's pooled text), 0 when the graph takes none. */
  public int textEmbedsDim() {
    return textEmbedsDim;
  }

  /** Width of {@code time_ids} (SDXL: 6, or 5 with an aesthetic score), 0 when it takes none. */
  public int timeIdsDim() {
    return timeIdsDim;
  }

  /** Whether the graph takes SDXL's added conditions ({@code text_embeds}, {@code time_ids}). */
  public boolean takesAddedConditions() {
    return timeIdsDim > 0;
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
    return predict(
        sample,
        shape,
        timestep,
        encoderHiddenStates,
        hiddenShape,
        Extras.ofTimestepCond(timestepCond));
  }

  /**
   * Predicts the noise (or v) for a batch, with every per-row input the graph takes.
   *
   * @param extras each {@code [batch, width]} for the inputs the graph has, empty otherwise
   * @return {@code [batch, 4, h, w]} flattened
   */
  public float[] predict(
      float[] sample,
      long[] shape,
      float timestep,
      float[] encoderHiddenStates,
      long[] hiddenShape,
      Extras extras) {
    return predict(sample, shape, timestep, encoderHiddenStates, hiddenShape, extras, null);
  }

  /**
   * Like {@link #predict(float[], long[], float, float[], long[], Extras)}, stopping inside ONNX
   * Runtime as soon as {@code cancel} is set (null: runs to the end of each call).
   *
   * @throws dev.atelier.core.AtelierException.Cancelled when {@code cancel} stopped a call
   */
  public float[] predict(
      float[] sample,
      long[] shape,
      float timestep,
      float[] encoderHiddenStates,
      long[] hiddenShape,
      Extras extras,
      dev.atelier.core.CancellationToken cancel) {
    int batch = (int) shape[0];
    checkRows("timestep_cond", extras.timestepCond(), batch, timestepCondDim.orElse(0));
    checkRows("text_embeds", extras.textEmbeds(), batch, textEmbedsDim);
    checkRows("time_ids", extras.timeIds(), batch, timeIdsDim);
    if (maxBatch == 0 || batch <= maxBatch) {
      return predictRows(
          sample, shape, timestep, encoderHiddenStates, hiddenShape, extras, 0, cancel);
    }
    // Sub-batches: the same rows in the same order, so results equal one big call, with memory
    // and (on CPU) per-image cost bounded. Rows go to ONNX Runtime straight from the arrays, and
    // the timing covers all sub-batches.
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
          predictRows(sample, s, timestep, encoderHiddenStates, h, extras, start, cancel);
      ort += graph.lastRunNanosOfThread();
      System.arraycopy(part, 0, out, start * outRow, part.length);
    }
    graph.setLastRunNanosOfThread(ort);
    return out;
  }

  private static void checkRows(String input, float[] values, int batch, int width) {
    if (values.length != batch * width) {
      throw new IllegalArgumentException(
          input + " must have " + batch * width + " values but has " + values.length);
    }
  }

  /**
   * One UNet run on {@code shape[0]} rows of the arrays, starting at row {@code firstRow} (each
   * array's row size is its length over the whole batch's row count, {@code sample.length /
   * rowSize(sample)}).
   */
  private float[] predictRows(
      float[] sample,
      long[] shape,
      float timestep,
      float[] hidden,
      long[] hiddenShape,
      Extras extras,
      int firstRow,
      dev.atelier.core.CancellationToken cancel) {
    int rows = (int) shape[0];
    int sampleRow = size(shape) / rows;
    int hiddenRow = size(hiddenShape) / rows;
    Map<String, long[]> feedShapes = new HashMap<>();
    feedShapes.put("sample", shape);
    feedShapes.put("timestep", graph.scalarShape("timestep"));
    feedShapes.put("encoder_hidden_states", hiddenShape);
    Map<String, float[]> rowInputs = new java.util.LinkedHashMap<>();
    Map<String, Integer> widths = new HashMap<>();
    if (timestepCondDim.isPresent()) {
      rowInputs.put("timestep_cond", extras.timestepCond());
      widths.put("timestep_cond", timestepCondDim.getAsInt());
    }
    if (takesAddedConditions()) {
      rowInputs.put("text_embeds", extras.textEmbeds());
      widths.put("text_embeds", textEmbedsDim);
      rowInputs.put("time_ids", extras.timeIds());
      widths.put("time_ids", timeIdsDim);
    }
    rowInputs.keySet().forEach(k -> feedShapes.put(k, new long[] {rows, widths.get(k)}));
    try (ShapeSessions.Lease lease = shapes.acquire(feedShapes)) {
      OnnxComponent graph = lease.component();
      Map<String, OnnxTensor> feeds = new HashMap<>();
      feeds.put(
          "sample",
          graph.floatInput("sample", sample, firstRow * sampleRow, rows * sampleRow, shape));
      feeds.put("timestep", graph.scalarInput("timestep", timestep));
      feeds.put(
          "encoder_hidden_states",
          graph.floatInput(
              "encoder_hidden_states",
              hidden,
              firstRow * hiddenRow,
              rows * hiddenRow,
              hiddenShape));
      for (Map.Entry<String, float[]> e : rowInputs.entrySet()) {
        int width = widths.get(e.getKey());
        feeds.put(
            e.getKey(),
            graph.floatInput(
                e.getKey(),
                e.getValue(),
                firstRow * width,
                rows * width,
                feedShapes.get(e.getKey())));
      }
      return cancel == null ? graph.run(feeds, outputName) : graph.run(feeds, outputName, cancel);
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
