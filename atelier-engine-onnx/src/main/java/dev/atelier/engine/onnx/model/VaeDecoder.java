package dev.atelier.engine.onnx.model;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import dev.atelier.core.AtelierException;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** The VAE decoder: unscaled latents {@code [b, 4, h, w]} to pixels in [-1, 1]. */
public final class VaeDecoder implements AutoCloseable {
  private static final Set<OnnxJavaType> FLOATS =
      EnumSet.of(OnnxJavaType.FLOAT, OnnxJavaType.FLOAT16);
  private final OnnxComponent graph;

  private VaeDecoder(OnnxComponent graph) {
    this.graph = graph;
  }

  static VaeDecoder wrap(OnnxComponent graph) {
    try {
      graph.requireInput("latent_sample", FLOATS, 4);
      graph.requireOutput("sample", FLOATS, 4);
      return new VaeDecoder(graph);
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  /**
   * Decodes latents already divided by the VAE scaling factor.
   *
   * @return {@code [b, 3, h * f, w * f]} in about [-1, 1], flattened
   */
  public float[] decode(float[] latents, long[] shape) {
    return decode(latents, shape, null);
  }

  /**
   * Like {@link #decode(float[], long[])}, stopping inside ONNX Runtime as soon as {@code cancel}
   * is set (null: runs to the end of the call).
   *
   * @throws AtelierException.Cancelled when {@code cancel} stopped the call
   */
  public float[] decode(float[] latents, long[] shape, dev.atelier.core.CancellationToken cancel) {
    try {
      Map<String, OnnxTensor> feeds = new HashMap<>();
      feeds.put("latent_sample", graph.floatInput("latent_sample", latents, shape));
      return cancel == null ? graph.run(feeds, "sample") : graph.run(feeds, "sample", cancel);
    } catch (OrtException e) {
      throw new AtelierException.EngineFailure(graph.label() + " input: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    graph.close();
  }
}
