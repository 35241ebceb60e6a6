package dev.atelier.engine.onnx.rng;

import dev.atelier.engine.onnx.rng.internal.AvxMathFun;
import dev.atelier.engine.onnx.rng.internal.Mt19937;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * A CPU random generator whose draws equal {@code torch.Generator("cpu").manual_seed(seed)}.
 *
 * <p>{@link #randn} reproduces {@code torch.randn(shape, generator=g)} in float32 bit for bit on
 * x86-64 with AVX2, which is where the reference images are made: tensors of 16 or more elements
 * take torch's vectorised Box-Muller path (float32 Cephes polynomials, see {@link AvxMathFun}),
 * smaller ones take its scalar double-precision path, which caches every second normal value in the
 * generator. Consecutive calls continue one stream, exactly as consecutive torch calls do.
 *
 * <p>Instances are not thread-safe: every draw advances shared state, so a generator must be
 * confined to one thread (or externally synchronised), as torch's own generators must be.
 */
public final class TorchGenerator implements NoiseSource {
  /** The largest element count one draw may ask for; larger arrays fail on common JVMs. */
  static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  private static final int BLOCK = 16;
  private static final int HALF_BLOCK = BLOCK / 2;
  private static final float TWO_PI_FLOAT = (float) (2 * Math.PI);
  private static final float FLOAT_UNIT = 0x1.0p-24f;
  private static final double DOUBLE_UNIT = 0x1.0p-53;
  private static final long DOUBLE_MASK = (1L << 53) - 1;

  private final long seed;
  private final Mt19937 engine;
  private boolean hasCachedNormal;
  private double cachedNormal;

  /**
   * Creates a generator in the state {@code manual_seed(seed)} leaves torch's CPU generator in.
   *
   * @param seed the seed; like torch, only its low 32 bits influence the draws
   */
  public TorchGenerator(long seed) {
    this.seed = seed;
    this.engine = new Mt19937(seed);
  }

  /**
   * Returns the seed this generator was created with.
   *
   * @return the full 64-bit seed as given, not only the low 32 bits the engine uses
   */
  public long seed() {
    return seed;
  }

  /**
   * Draws {@code prod(shape)} standard-normal floats as {@code torch.randn(shape, generator=g)}.
   *
   * <p>An empty shape is a scalar (one element); a zero dimension gives an empty array and draws
   * nothing.
   *
   * @param shape the tensor shape
   * @return a new row-major array of the shape's element count
   * @throws IllegalArgumentException if a dimension is negative or the element count exceeds {@code
   *     Integer.MAX_VALUE - 8}
   */
  @Override
  public float[] randn(long... shape) {
    float[] out = new float[elementCount(shape)];
    if (out.length >= BLOCK) {
      fillVectorised(out);
    } else {
      for (int i = 0; i < out.length; i++) {
        // The reference applies value * std + mean with std = 1, mean = 0: only -0 changes.
        out[i] = (float) (nextNormalDouble() + 0.0);
      }
    }
    return out;
  }

  /**
   * Returns the next 32-bit engine output.
   *
   * @return the tempered MT19937 output; its bits are torch's unsigned 32-bit value
   */
  public int nextInt() {
    return engine.nextInt();
  }

  /**
   * Returns the next 64-bit draw, built from two engine outputs.
   *
   * @return the first output in the high 32 bits and the second in the low 32 bits, as torch's
   *     {@code random64()}
   */
  public long nextLong() {
    long high = Integer.toUnsignedLong(engine.nextInt());
    long low = Integer.toUnsignedLong(engine.nextInt());
    return (high << 32) | low;
  }

  /**
   * Returns a uniform float in [0, 1) with 24 random bits, using one engine output.
   *
   * @return torch's {@code uniform_real_distribution<float>(0, 1)} draw
   */
  public float nextFloat() {
    return (engine.nextInt() & 0xFFFFFF) * FLOAT_UNIT;
  }

  /**
   * Returns a uniform double in [0, 1) with 53 random bits, using two engine outputs.
   *
   * @return torch's {@code uniform_real_distribution<double>(0, 1)} draw
   */
  public double nextDouble() {
    return (nextLong() & DOUBLE_MASK) * DOUBLE_UNIT;
  }

  /**
   * Returns the element count of {@code shape}.
   *
   * @throws IllegalArgumentException if a dimension is negative or the count exceeds {@link
   *     #MAX_ELEMENTS}
   */
  static int elementCount(long... shape) {
    long count = 1;
    for (long dim : shape) {
      if (dim < 0) {
        throw new IllegalArgumentException("shape dimensions must be >= 0 but was " + dim);
      }
    }
    for (long dim : shape) {
      if (dim == 0) {
        return 0;
      }
      // Dividing first keeps the check itself from overflowing.
      if (count > MAX_ELEMENTS / dim) {
        throw new IllegalArgumentException(
            "shape element count must be <= "
                + MAX_ELEMENTS
                + " but was "
                + exactProduct(shape)
                + " for shape "
                + Arrays.toString(shape));
      }
      count *= dim;
    }
    return (int) count;
  }

  private static BigInteger exactProduct(long... shape) {
    BigInteger product = BigInteger.ONE;
    for (long dim : shape) {
      product = product.multiply(BigInteger.valueOf(dim));
    }
    return product;
  }

  private void fillVectorised(float[] d) {
    int n = d.length;
    for (int i = 0; i < n; i++) {
      d[i] = nextFloat();
    }
    for (int i = 0; i + BLOCK <= n; i += BLOCK) {
      boxMuller16(d, i);
    }
    if (n % BLOCK != 0) {
      // torch redraws the whole last block rather than transforming a partial one, overwriting
      // values the loop above already produced.
      int start = n - BLOCK;
      for (int i = start; i < n; i++) {
        d[i] = nextFloat();
      }
      boxMuller16(d, start);
    }
  }

  /** torch's {@code normal_fill_16_AVX2}: pairs element j with j + 8; every step is float32. */
  private static void boxMuller16(float[] d, int offset) {
    for (int j = offset; j < offset + HALF_BLOCK; j++) {
      float u1 = 1f - d[j];
      float u2 = d[j + HALF_BLOCK];
      float radius = (float) Math.sqrt(-2f * AvxMathFun.log(u1));
      float theta = TWO_PI_FLOAT * u2;
      // The reference ends with fma(n, std = 1, mean = 0), which only changes -0 into +0.
      d[j] = radius * AvxMathFun.cos(theta) + 0f;
      d[j + HALF_BLOCK] = radius * AvxMathFun.sin(theta) + 0f;
    }
  }

  /** torch's scalar {@code normal_distribution<double>}, whose spare value outlives the call. */
  private double nextNormalDouble() {
    if (hasCachedNormal) {
      hasCachedNormal = false;
      return cachedNormal;
    }
    double u1 = nextDouble();
    double u2 = nextDouble();
    double r = StrictMath.sqrt(-2.0 * StrictMath.log1p(-u2));
    double theta = 2.0 * Math.PI * u1;
    cachedNormal = r * StrictMath.sin(theta);
    hasCachedNormal = true;
    return r * StrictMath.cos(theta);
  }
}
