package dev.atelier.engine.onnx.pipeline;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Wall time spent per pipeline stage, for {@code atelier bench}: tokenize, text encoder, each UNet
 * call, the Java work of each step outside ONNX Runtime, VAE encode and decode.
 *
 * <p>Confined to the thread running the pipeline.
 */
public final class StageTimings {
  /** Stage names used by the pipelines. */
  public static final String TOKENIZE = "tokenize";

  /** Text encoder runs. */
  public static final String TEXT_ENCODER = "text_encoder";

  /** UNet runs inside ONNX Runtime (one per denoising step). */
  public static final String UNET = "unet";

  /**
   * Java work per step outside ONNX Runtime: scheduler, guidance, batch assembly, and copying
   * tensors into and out of ONNX Runtime.
   */
  public static final String STEP_JAVA = "step_java";

  /** VAE encoder runs. */
  public static final String VAE_ENCODER = "vae_encoder";

  /** VAE decoder runs. */
  public static final String VAE_DECODER = "vae_decoder";

  private final Map<String, long[]> stages = new LinkedHashMap<>();
  private final Map<String, List<Long>> calls = new LinkedHashMap<>();

  /** Adds {@code nanos} to {@code stage} and counts one call. */
  public void add(String stage, long nanos) {
    long[] v = stages.computeIfAbsent(stage, k -> new long[2]);
    v[0] += nanos;
    v[1]++;
    calls.computeIfAbsent(stage, k -> new ArrayList<>()).add(nanos);
  }

  /** Each call's nanoseconds for {@code stage}, in order (e.g. every UNet step). */
  public List<Long> calls(String stage) {
    return List.copyOf(calls.getOrDefault(stage, List.of()));
  }

  /** Total nanoseconds per stage. */
  public Map<String, Long> totals() {
    Map<String, Long> m = new LinkedHashMap<>();
    stages.forEach((k, v) -> m.put(k, v[0]));
    return Collections.unmodifiableMap(m);
  }

  /** Calls per stage. */
  public Map<String, Long> counts() {
    Map<String, Long> m = new LinkedHashMap<>();
    stages.forEach((k, v) -> m.put(k, v[1]));
    return Collections.unmodifiableMap(m);
  }

  /** Forgets everything recorded. */
  public void clear() {
    stages.clear();
    calls.clear();
  }
}
