package dev.atelier.engine.onnx.model;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import dev.atelier.core.AtelierException;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The CLIP text encoder: token ids to {@code last_hidden_state} {@code [batch, length, hidden]}.
 *
 * <p>Accepts graphs whose {@code input_ids} are int32 (older exports) or int64 (optimum >= 1.24).
 * SDXL's towers are exported with every layer's output ({@code hidden_states.0} is the embeddings,
 * {@code hidden_states.i} layer i's, before the final layer norm) and, for the second tower, the
 * pooled and projected {@code text_embeds}: {@link #encodePenultimate} gives what SDXL conditions
 * on.
 */
public final class TextEncoder implements AutoCloseable {
  private static final Set<OnnxJavaType> IDS = EnumSet.of(OnnxJavaType.INT32, OnnxJavaType.INT64);
  private static final Set<OnnxJavaType> FLOATS =
      EnumSet.of(OnnxJavaType.FLOAT, OnnxJavaType.FLOAT16);

  /** One encoding for SDXL: the penultimate layer's states, and the pooled output if any. */
  public record Penultimate(float[] hidden, float[] pooled) {}

  private final OnnxComponent graph;
  private final int hiddenSize;
  private final String penultimate;
  private final String pooled;
  private final int pooledSize;

  private TextEncoder(
      OnnxComponent graph, int hiddenSize, String penultimate, String pooled, int pooledSize) {
    this.graph = graph;
    this.hiddenSize = hiddenSize;
    this.penultimate = penultimate;
    this.pooled = pooled;
    this.pooledSize = pooledSize;
  }

  static TextEncoder wrap(OnnxComponent graph, int configuredHidden) {
    try {
      graph.requireInput("input_ids", IDS, 2);
      TensorInfo out = graph.requireOutput("last_hidden_state", FLOATS, 3);
      long graphHidden = out.getShape()[2];
      int hidden = graphHidden > 0 ? (int) graphHidden : configuredHidden;
      if (hidden <= 0) {
        throw graph.mismatch(
            "has a symbolic hidden size and text_encoder/config.json gives no hidden_size");
      }
      if (graphHidden > 0 && configuredHidden > 0 && graphHidden != configuredHidden) {
        throw graph.mismatch(
            "output 'last_hidden_state' has width "
                + graphHidden
                + " but text_encoder/config.json says hidden_size "
                + configuredHidden);
      }
      // hidden_states.0 .. hidden_states.L: the penultimate is L - 1.
      int states = 0;
      while (graph.output("hidden_states." + states).isPresent()) {
        states++;
      }
      String penultimate = states >= 2 ? "hidden_states." + (states - 2) : "";
      String pooled = "";
      int pooledSize = 0;
      if (graph.output("text_embeds").isPresent()) {
        TensorInfo te = graph.requireOutput("text_embeds", FLOATS, 2);
        pooled = "text_embeds";
        pooledSize = (int) te.getShape()[1];
      }
      return new TextEncoder(graph, hidden, penultimate, pooled, pooledSize);
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  /** Whether the graph exports every layer's states, so {@link #encodePenultimate} works. */
  public boolean hasPenultimate() {
    return !penultimate.isEmpty();
  }

  /** Whether the graph exports a pooled, projected {@code text_embeds}. */
  public boolean hasPooled() {
    return !pooled.isEmpty();
  }

  /** Width of {@code text_embeds} (as the graph declares it; 0 when symbolic or absent). */
  public int pooledSize() {
    return pooledSize;
  }

  /** Width of each token's embedding (768 for SD 1.x, 1024 for SD 2.x). */
  public int hiddenSize() {
    return hiddenSize;
  }

  /**
   * Encodes a batch of equally long id sequences.
   *
   * @param ids {@code [batch][length]} token ids
   * @return {@code [batch, length, hidden]}, flattened
   * @throws IllegalArgumentException when the rows differ in length
   */
  public float[] encode(int[][] ids) {
    int batch = ids.length;
    int length = ids[0].length;
    long[] flat = new long[batch * length];
    for (int b = 0; b < batch; b++) {
      if (ids[b].length != length) {
        throw new IllegalArgumentException(
            "all id rows must have length " + length + " but row " + b + " has " + ids[b].length);
      }
      for (int i = 0; i < length; i++) {
        flat[b * length + i] = ids[b][i];
      }
    }
    try {
      Map<String, OnnxTensor> feeds = new HashMap<>();
      feeds.put("input_ids", graph.integerInput("input_ids", flat, new long[] {batch, length}));
      return graph.run(feeds, "last_hidden_state");
    } catch (OrtException e) {
      throw new AtelierException.EngineFailure(graph.label() + " input: " + e.getMessage(), e);
    }
  }

  /**
   * Encodes one id sequence as SDXL does: the states of the penultimate layer ({@code
   * hidden_states[-2]}, {@code [1, length, hidden]}) and, when the graph has it, the pooled {@code
   * text_embeds} ({@code [1, projection]}; else empty).
   *
   * @throws IllegalStateException when the graph exports no per-layer states
   */
  public Penultimate encodePenultimate(int[] ids) {
    if (penultimate.isEmpty()) {
      throw new IllegalStateException(
          graph.label() + " exports no hidden_states.N outputs, which SDXL conditions on");
    }
    long[] flat = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      flat[i] = ids[i];
    }
    Set<String> outputs = pooled.isEmpty() ? Set.of(penultimate) : Set.of(penultimate, pooled);
    try {
      Map<String, OnnxTensor> feeds = new HashMap<>();
      feeds.put("input_ids", graph.integerInput("input_ids", flat, new long[] {1, ids.length}));
      Map<String, float[]> out = graph.run(feeds, outputs);
      return new Penultimate(
          out.get(penultimate), pooled.isEmpty() ? new float[0] : out.get(pooled));
    } catch (OrtException e) {
      throw new AtelierException.EngineFailure(graph.label() + " input: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    graph.close();
  }
}
