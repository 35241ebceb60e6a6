package dev.atelier.engine.onnx.testing;

import dev.atelier.engine.onnx.rng.NoiseSource;
import java.util.Arrays;
import java.util.List;

/**
 * Replays recorded {@code randn} draws in order; fails when a draw's shape differs from the
 * recording or when more draws are asked for than were recorded.
 */
public final class RecordedNoise implements NoiseSource {
  private final List<Npy> draws;
  private int next;

  /** Replays {@code draws} in order. */
  public RecordedNoise(List<Npy> draws) {
    this.draws = List.copyOf(draws);
  }

  @Override
  public float[] randn(long... shape) {
    if (next >= draws.size()) {
      throw new AssertionError(
          "draw "
              + next
              + " of shape "
              + Arrays.toString(shape)
              + " was not recorded (only "
              + draws.size()
              + " draws)");
    }
    Npy d = draws.get(next);
    if (!Arrays.equals(d.shape(), shape)) {
      throw new AssertionError(
          "draw "
              + next
              + " was recorded with shape "
              + Arrays.toString(d.shape())
              + " but asked for "
              + Arrays.toString(shape));
    }
    next++;
    return d.floats().clone();
  }

  /** How many draws were taken. */
  public int used() {
    return next;
  }

  /** How many draws were recorded. */
  public int recorded() {
    return draws.size();
  }
}
