package dev.atelier.engine.onnx.rng.internal;

/**
 * The 32-bit Mersenne Twister (MT19937), seeded the way torch's CPU generator seeds it.
 *
 * <p>Only the low 32 bits of the seed matter, as in {@code torch.Generator.manual_seed}. The state
 * is regenerated lazily on the first draw after seeding and then every 624 draws. Instances are not
 * thread-safe.
 */
public final class Mt19937 {
  private static final int N = 624;
  private static final int M = 397;
  private static final int MATRIX_A = 0x9908b0df;
  private static final int UPPER_MASK = 0x80000000;
  private static final int LOWER_MASK = 0x7fffffff;

  private final int[] state = new int[N];
  private int next;

  /**
   * Creates an engine seeded with the low 32 bits of {@code seed}.
   *
   * @param seed the seed; bits above the low 32 are ignored, as torch ignores them
   */
  public Mt19937(long seed) {
    state[0] = (int) seed;
    for (int j = 1; j < N; j++) {
      int prev = state[j - 1];
      // int arithmetic wraps exactly like the uint32 arithmetic of the reference.
      state[j] = 1812433253 * (prev ^ (prev >>> 30)) + j;
    }
    next = N;
  }

  /**
   * Returns the next tempered 32-bit output.
   *
   * @return the output's 32 bits; read them as unsigned with {@link Integer#toUnsignedLong(int)}
   */
  public int nextInt() {
    if (next == N) {
      regenerate();
    }
    int y = state[next++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y;
  }

  private void regenerate() {
    for (int k = 0; k < N; k++) {
      int y = (state[k] & UPPER_MASK) | (state[(k + 1) % N] & LOWER_MASK);
      state[k] = state[(k + M) % N] ^ (y >>> 1) ^ ((y & 1) == 0 ? 0 : MATRIX_A);
    }
    next = 0;
  }
}
