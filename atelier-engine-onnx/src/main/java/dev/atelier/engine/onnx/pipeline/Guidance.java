package dev.atelier.engine.onnx.pipeline;

/** Combining the UNet's batched predictions, and LCM's guidance embedding. */
public final class Guidance {
  private Guidance() {}

  /**
   * Classifier-free guidance on a {@code [uncond, cond]} batch: {@code u + g * (c - u)}.
   *
   * @param prediction {@code [2n, ...]} flattened, unconditional half first
   */
  public static float[] classifierFree(float[] prediction, double guidanceScale) {
    int half = prediction.length / 2;
    float g = (float) guidanceScale;
    float[] out = new float[half];
    for (int i = 0; i < half; i++) {
      float u = prediction[i];
      float c = prediction[half + i];
      out[i] = u + g * (c - u);
    }
    return out;
  }

  /**
   * InstructPix2Pix guidance on a {@code [text, image, uncond]} batch: {@code u + s_T * (t - i) +
   * s_I * (i - u)}.
   */
  public static float[] instructPix2Pix(
      float[] prediction, double guidanceScale, double imageGuidanceScale) {
    int third = prediction.length / 3;
    float g = (float) guidanceScale;
    float gi = (float) imageGuidanceScale;
    float[] out = new float[third];
    for (int k = 0; k < third; k++) {
      float t = prediction[k];
      float i = prediction[third + k];
      float u = prediction[2 * third + k];
      out[k] = (u + g * (t - i)) + gi * (i - u);
    }
    return out;
  }

  /**
   * LCM's guidance-scale embedding for {@code w = guidanceScale - 1}: {@code [sin(w * 1000 * f_k),
   * cos(w * 1000 * f_k)]} with {@code f_k = exp(-k * ln(10000) / (half - 1))}, repeated per batch
   * item (zero-padded when {@code dim} is odd).
   */
  public static float[] guidanceEmbedding(double guidanceScale, int dim, int batch) {
    float w = (float) (guidanceScale - 1) * 1000f;
    int half = dim / 2;
    float step = (float) Math.log(10000.0) / (half - 1);
    float[] row = new float[dim];
    for (int k = 0; k < half; k++) {
      float f = (float) Math.exp(k * -step);
      float arg = w * f;
      row[k] = (float) Math.sin(arg);
      row[half + k] = (float) Math.cos(arg);
    }
    float[] out = new float[dim * batch];
    for (int b = 0; b < batch; b++) {
      System.arraycopy(row, 0, out, b * dim, dim);
    }
    return out;
  }
}
