package dev.atelier.engine.onnx.model.internal;

import java.nio.ShortBuffer;

/** IEEE half-float conversion at the model boundary (inputs and outputs of fp16 graphs). */
public final class Half {
  private Half() {}

  /** Rounds each float to the nearest half (ties to even), as bit patterns. */
  public static ShortBuffer toHalf(float[] values) {
    short[] out = new short[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Float.floatToFloat16(values[i]);
    }
    return ShortBuffer.wrap(out);
  }
}
