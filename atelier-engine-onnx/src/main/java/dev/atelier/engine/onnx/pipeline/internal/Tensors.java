package dev.atelier.engine.onnx.pipeline.internal;

/**
 * Batch and channel arithmetic on flat row-major {@code [batch, channels, h, w]} arrays, in float32
 * like the reference implementation.
 */
public final class Tensors {
  private Tensors() {}

  /** {@code x} (a batch of one) repeated {@code times} along the batch axis. */
  public static float[] repeat(float[] x, int times) {
    float[] out = new float[x.length * times];
    for (int i = 0; i < times; i++) {
      System.arraycopy(x, 0, out, i * x.length, x.length);
    }
    return out;
  }

  /** The parts concatenated along the batch axis. */
  public static float[] concat(float[]... parts) {
    int n = 0;
    for (float[] p : parts) {
      n += p.length;
    }
    float[] out = new float[n];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  /** Chunk {@code index} of {@code count} equal chunks along the batch axis. */
  public static float[] chunk(float[] x, int count, int index) {
    int per = x.length / count;
    float[] out = new float[per];
    System.arraycopy(x, index * per, out, 0, per);
    return out;
  }

  /**
   * Concatenates along the channel axis: each part is {@code [batch, c_k, h, w]} with its channel
   * count given in {@code channels}.
   */
  public static float[] concatChannels(int batch, int hw, float[][] parts, int[] channels) {
    int total = 0;
    for (int c : channels) {
      total += c;
    }
    float[] out = new float[batch * total * hw];
    for (int b = 0; b < batch; b++) {
      int at = b * total * hw;
      for (int k = 0; k < parts.length; k++) {
        int len = channels[k] * hw;
        System.arraycopy(parts[k], b * len, out, at, len);
        at += len;
      }
    }
    return out;
  }

  /** {@code x * s} elementwise, as a new array. */
  public static float[] scale(float[] x, float s) {
    float[] out = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i] * s;
    }
    return out;
  }

  /** {@code x / s} elementwise, as a new array (division, not a reciprocal, as torch does). */
  public static float[] divide(float[] x, float s) {
    float[] out = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i] / s;
    }
    return out;
  }

  /** The product of the dimensions. */
  public static int size(long... shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return Math.toIntExact(n);
  }
}
