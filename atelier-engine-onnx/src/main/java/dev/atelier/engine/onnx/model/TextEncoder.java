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
 */
public final class TextEncoder implements AutoCloseable {
  private static final Set<OnnxJavaType> IDS = EnumSet.of(OnnxJavaType.INT32, OnnxJavaType.INT64);
  private static final Set<OnnxJavaType> FLOATS =
      EnumSet.of(OnnxJavaType.FLOAT, OnnxJavaType.FLOAT16);

  private final OnnxComponent graph;
  private final int hiddenSize;

  private TextEncoder(OnnxComponent graph, int hiddenSize) {
    this.graph = graph;
    this.hiddenSize = hiddenSize;
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
      return new TextEncoder(graph, hidden);
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
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

  @Override
  public void close() {
    graph.close();
  }
}
