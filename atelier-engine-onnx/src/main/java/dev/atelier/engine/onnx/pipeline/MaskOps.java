package dev.atelier.engine.onnx.pipeline;

/** Mask arithmetic of the inpainting pipelines, in the reference's float32 order. */
final class MaskOps {
  private MaskOps() {}

  /**
   * {@code torch.nn.functional.interpolate(mode="nearest")} of a {@code h x w} mask to {@code outH
   * x outW}: source index {@code floor(dst * in / out)}.
   */
  static float[] nearest(float[] mask, int w, int h, int outW, int outH) {
    float[] out = new float[outW * outH];
    float sy = (float) h / outH;
    float sx = (float) w / outW;
    for (int y = 0; y < outH; y++) {
      int srcY = Math.min((int) Math.floor(y * sy), h - 1);
      for (int x = 0; x < outW; x++) {
        int srcX = Math.min((int) Math.floor(x * sx), w - 1);
        out[y * outW + x] = mask[srcY * w + srcX];
      }
    }
    return out;
  }

  /**
   * {@code image * (mask < 0.5)}: the pixels to keep, zero where the mask repaints.
   *
   * @param image {@code [1, 3, h, w]}
   * @param mask {@code h * w}
   */
  static float[] keepOutside(float[] image, float[] mask) {
    int hw = mask.length;
    float[] out = new float[image.length];
    for (int c = 0; c < image.length / hw; c++) {
      for (int p = 0; p < hw; p++) {
        out[c * hw + p] = image[c * hw + p] * (mask[p] < 0.5f ? 1f : 0f);
      }
    }
    return out;
  }

  /**
   * {@code (1 - m) * original + m * latents} per batch item, with the {@code [n, 1, h, w]} mask
   * broadcast over the 4 channels.
   */
  static float[] blend(float[] original, float[] latents, float[] mask, int hw) {
    float[] out = new float[latents.length];
    int n = mask.length / hw;
    int channels = latents.length / (n * hw);
    for (int b = 0; b < n; b++) {
      for (int c = 0; c < channels; c++) {
        int base = (b * channels + c) * hw;
        for (int p = 0; p < hw; p++) {
          float m = mask[b * hw + p];
          out[base + p] = (1f - m) * original[base + p] + m * latents[base + p];
        }
      }
    }
    return out;
  }
}
