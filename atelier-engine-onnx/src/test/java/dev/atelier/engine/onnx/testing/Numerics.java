package dev.atelier.engine.onnx.testing;

/** Error measures the golden comparisons use. */
public final class Numerics {
  private Numerics() {}

  /** ||a - b|| / ||b|| (L2); 0 when both are zero. */
  public static double relativeError(float[] actual, float[] expected) {
    if (actual.length != expected.length) {
      throw new AssertionError(
          "length differs: expected " + expected.length + " but was " + actual.length);
    }
    double num = 0;
    double den = 0;
    for (int i = 0; i < actual.length; i++) {
      double d = (double) actual[i] - expected[i];
      num += d * d;
      den += (double) expected[i] * expected[i];
    }
    if (den == 0) {
      return num == 0 ? 0 : Double.POSITIVE_INFINITY;
    }
    return Math.sqrt(num / den);
  }

  /** Largest |a - b|. */
  public static double maxAbsDiff(float[] actual, float[] expected) {
    double m = 0;
    for (int i = 0; i < actual.length; i++) {
      m = Math.max(m, Math.abs((double) actual[i] - expected[i]));
    }
    return m;
  }

  /** Index of the first element whose bits differ, or -1. */
  public static int firstBitDifference(float[] actual, float[] expected) {
    for (int i = 0; i < Math.min(actual.length, expected.length); i++) {
      if (Float.floatToRawIntBits(actual[i]) != Float.floatToRawIntBits(expected[i])) {
        return i;
      }
    }
    return actual.length == expected.length ? -1 : Math.min(actual.length, expected.length);
  }
}
