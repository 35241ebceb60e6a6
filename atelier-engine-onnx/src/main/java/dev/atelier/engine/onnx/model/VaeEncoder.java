package dev.atelier.engine.onnx.model;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import dev.atelier.core.AtelierException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The VAE encoder: pixels in [-1, 1] to the latent distribution.
 *
 * <p>Two export styles exist: {@code latent_parameters} {@code [b, 8, h, w]} (mean and
 * log-variance, sampled by the caller with its own generator, as diffusers does) and the older
 * {@code latent_sample} {@code [b, 4, h, w]} (sampled inside the graph; then the distribution has
 * zero spread here and seed-exactness with diffusers is not possible).
 */
public final class VaeEncoder implements AutoCloseable {
  private static final Set<OnnxJavaType> FLOATS =
      EnumSet.of(OnnxJavaType.FLOAT, OnnxJavaType.FLOAT16);
  private final OnnxComponent graph;
  private final boolean parameters;
  private final int scaleFactor;

  private VaeEncoder(OnnxComponent graph, boolean parameters, int scaleFactor) {
    this.graph = graph;
    this.parameters = parameters;
    this.scaleFactor = scaleFactor;
  }

  static VaeEncoder wrap(OnnxComponent graph, int scaleFactor) {
    try {
      graph.requireInput("sample", FLOATS, 4);
      if (graph.output("latent_parameters").isPresent()) {
        graph.requireOutput("latent_parameters", FLOATS, 4);
        return new VaeEncoder(graph, true, scaleFactor);
      }
      if (graph.output("latent_sample").isPresent()) {
        graph.requireOutput("latent_sample", FLOATS, 4);
        return new VaeEncoder(graph, false, scaleFactor);
      }
      throw graph.mismatch("has neither a 'latent_parameters' nor a 'latent_sample' output");
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  /** True when the graph returns mean and log-variance ({@code latent_parameters}). */
  public boolean returnsParameters() {
    return parameters;
  }

  /**
   * Encodes pixels {@code [b, 3, H, W]} in [-1, 1].
   *
   * @return the latent distribution, unscaled (not yet multiplied by the scaling factor)
   */
  public LatentDistribution encode(float[] pixels, long[] shape) {
    float[] out;
    try {
      Map<String, OnnxTensor> feeds = new HashMap<>();
      feeds.put("sample", graph.floatInput("sample", pixels, shape));
      out = graph.run(feeds, parameters ? "latent_parameters" : "latent_sample");
    } catch (OrtException e) {
      throw new AtelierException.EngineFailure(graph.label() + " input: " + e.getMessage(), e);
    }
    long[] latentShape = {shape[0], 4, shape[2] / scaleFactor, shape[3] / scaleFactor};
    int n = Math.toIntExact(latentShape[0] * 4 * latentShape[2] * latentShape[3]);
    if (out.length != (parameters ? 2 * n : n)) {
      throw new AtelierException.EngineFailure(
          graph.label()
              + " returned "
              + out.length
              + " values for "
              + Arrays.toString(shape)
              + " pixels; expected latents "
              + Arrays.toString(latentShape)
              + " (VAE scale factor "
              + scaleFactor
              + ")",
          null);
    }
    if (!parameters) {
      return LatentDistribution.ofSample(out, latentShape);
    }
    int batch = (int) shape[0];
    int per = 4 * (int) (latentShape[2] * latentShape[3]);
    float[] mean = new float[n];
    float[] logvar = new float[n];
    for (int b = 0; b < batch; b++) {
      System.arraycopy(out, b * 2 * per, mean, b * per, per);
      System.arraycopy(out, b * 2 * per + per, logvar, b * per, per);
    }
    return LatentDistribution.ofParameters(mean, logvar, latentShape);
  }

  @Override
  public void close() {
    graph.close();
  }
}
