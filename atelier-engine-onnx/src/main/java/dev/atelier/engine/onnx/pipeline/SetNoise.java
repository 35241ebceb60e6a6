package dev.atelier.engine.onnx.pipeline;

import dev.atelier.engine.onnx.rng.TorchGenerator;

/**
 * Initial noise for a coherent set ({@link dev.atelier.core.Consistency#SET}): every image's own
 * noise mixed with one low-frequency field shared by the whole batch, so that palette and layout
 * stay related while details differ.
 *
 * <p>Image {@code i} starts from {@code sqrt(1 - w) * own_i + sqrt(w) * shared}, with {@code w =}
 * {@value #SET_MIXING}. {@code shared} is a standard-normal draw {@code [1, 4, h, w]} from a {@link
 * TorchGenerator} seeded {@code seed ^ }{@value #SHARED_STREAM} (the batch seed on a stream no
 * image's own generator uses: those are seeded {@code seed + i}), low-passed by averaging {@value
 * #POOL}x{@value #POOL} latent blocks and upsampling bilinearly. Both steps are renormalised
 * analytically per element (a block mean of {@code k} values times {@code sqrt(k)}; an interpolated
 * value divided by the root of its squared weights), so {@code shared} is exactly N(0, 1) per
 * element, independent of {@code own_i}, and the mix keeps unit variance.
 *
 * <p>Image {@code i} of a set depends only on the batch seed and {@code i} (through its own seed
 * {@code seed + i}), not on {@code n}: the first images of a larger set equal a smaller set. An
 * {@code n = 1} request with seed {@code seed + i} does not reproduce it, because its shared field
 * would come from {@code seed + i}; provenance records {@code set_seed} for that reason.
 */
public final class SetNoise implements InitialNoise {
  /** Share of variance that comes from the shared low-frequency field. */
  public static final double SET_MIXING = 0.35;

  /** XOR-ed into the batch seed to seed the shared field's generator. */
  public static final long SHARED_STREAM = 0x9E3779B9L;

  /** Side of the latent blocks averaged by the low-pass filter. */
  public static final int POOL = 8;

  private final long seed;
  private final double mixing;

  /** Set noise for the batch seeded {@code seed}, mixed with {@link #SET_MIXING}. */
  public SetNoise(long seed) {
    this(seed, SET_MIXING);
  }

  /**
   * Set noise with an explicit mixing weight.
   *
   * @throws IllegalArgumentException when {@code mixing} is outside [0, 1]
   */
  public SetNoise(long seed, double mixing) {
    if (!(mixing >= 0 && mixing <= 1)) {
      throw new IllegalArgumentException("mixing must be in 0..1 but was " + mixing);
    }
    this.seed = seed;
    this.mixing = mixing;
  }

  @Override
  public float[] apply(float[] drawn, long[] shape) {
    long[] one = shape.clone();
    one[0] = 1;
    float[] shared = lowPass(new TorchGenerator(seed ^ SHARED_STREAM).randn(one), one);
    float a = (float) Math.sqrt(1 - mixing);
    float b = (float) Math.sqrt(mixing);
    float[] out = new float[drawn.length];
    int per = shared.length;
    for (int i = 0; i < out.length; i++) {
      out[i] = a * drawn[i] + b * shared[i % per];
    }
    return out;
  }

  /**
   * The unit-variance low-frequency part of {@code x} ({@code [b, c, h, w]}): {@value #POOL}x
   * {@value #POOL} block means (partial blocks at the edges use their own count), each times the
   * root of its count, upsampled bilinearly (half-pixel centres, edges clamped) and divided by the
   * root of the sum of the squared interpolation weights.
   */
  public static float[] lowPass(float[] x, long[] shape) {
    int planes = (int) (shape[0] * shape[1]);
    int h = (int) shape[2];
    int w = (int) shape[3];
    int bh = (h + POOL - 1) / POOL;
    int bw = (w + POOL - 1) / POOL;
    float[] out = new float[x.length];
    double[] blocks = new double[bh * bw];
    for (int p = 0; p < planes; p++) {
      int base = p * h * w;
      for (int by = 0; by < bh; by++) {
        for (int bx = 0; bx < bw; bx++) {
          double sum = 0;
          int count = 0;
          for (int y = by * POOL; y < Math.min(h, (by + 1) * POOL); y++) {
            for (int xx = bx * POOL; xx < Math.min(w, (bx + 1) * POOL); xx++) {
              sum += x[base + y * w + xx];
              count++;
            }
          }
          blocks[by * bw + bx] = sum / Math.sqrt(count);
        }
      }
      for (int y = 0; y < h; y++) {
        double fy = Math.min(Math.max((y + 0.5) / POOL - 0.5, 0), bh - 1);
        int y0 = (int) Math.floor(fy);
        int y1 = Math.min(y0 + 1, bh - 1);
        double ty = fy - y0;
        for (int xx = 0; xx < w; xx++) {
          double fx = Math.min(Math.max((xx + 0.5) / POOL - 0.5, 0), bw - 1);
          int x0 = (int) Math.floor(fx);
          int x1 = Math.min(x0 + 1, bw - 1);
          double tx = fx - x0;
          double[] wts = {(1 - ty) * (1 - tx), (1 - ty) * tx, ty * (1 - tx), ty * tx};
          int[] idx = {y0 * bw + x0, y0 * bw + x1, y1 * bw + x0, y1 * bw + x1};
          // Weights on the same block (clamped edges) add before squaring: they are one value.
          double[] merged = new double[4];
          int[] mergedIdx = new int[4];
          int m = 0;
          outer:
          for (int k = 0; k < 4; k++) {
            for (int j = 0; j < m; j++) {
              if (mergedIdx[j] == idx[k]) {
                merged[j] += wts[k];
                continue outer;
              }
            }
            mergedIdx[m] = idx[k];
            merged[m++] = wts[k];
          }
          double v = 0;
          double sq = 0;
          for (int j = 0; j < m; j++) {
            v += merged[j] * blocks[mergedIdx[j]];
            sq += merged[j] * merged[j];
          }
          out[base + y * w + xx] = (float) (v / Math.sqrt(sq));
        }
      }
    }
    return out;
  }

  /** The mixing weight. */
  public double mixing() {
    return mixing;
  }
}
