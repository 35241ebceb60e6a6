package dev.atelier.engine.onnx.pipeline;

import dev.atelier.core.image.RgbImage;
import java.util.Arrays;

/**
 * Decoded images before quantisation, as diffusers' {@code output_type="np"}.
 *
 * @param count images
 * @param width pixels
 * @param height pixels
 * @param hwc {@code [count, height, width, 3]} in [0, 1], flattened
 */
public record PipelineOutput(int count, int width, int height, float[] hwc) {

  /** Checks the array length. */
  public PipelineOutput {
    if (hwc.length != count * width * height * 3) {
      throw new IllegalArgumentException(
          "hwc must hold " + count * width * height * 3 + " values but holds " + hwc.length);
    }
  }

  /** Image {@code index}'s float pixels, HWC. */
  public float[] floats(int index) {
    int per = width * height * 3;
    return Arrays.copyOfRange(hwc, index * per, (index + 1) * per);
  }

  /** Image {@code index} quantised to 8 bits (round half to even, as numpy). */
  public RgbImage image(int index) {
    return RgbImage.fromFloats(width, height, floats(index));
  }
}
