package dev.atelier.engine.onnx.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.atelier.engine.onnx.rng.PerImageNoise;
import dev.atelier.engine.onnx.rng.TorchGenerator;
import org.junit.jupiter.api.Test;

/** Set noise: unit variance kept, low frequencies shared across a set and not across variations. */
class SetNoiseTest {
  static final long[] SHAPE = {4, 4, 64, 64};

  static double std(float[] x, int from, int count) {
    double sum = 0;
    double sq = 0;
    for (int i = from; i < from + count; i++) {
      sum += x[i];
      sq += (double) x[i] * x[i];
    }
    double mean = sum / count;
    return Math.sqrt(sq / count - mean * mean);
  }

  /** 8x8 average pooling of one image: the low-frequency content a viewer sees as layout. */
  static double[] pooled(float[] x, int image) {
    int h = 64;
    int w = 64;
    double[] out = new double[4 * 8 * 8];
    for (int c = 0; c < 4; c++) {
      for (int y = 0; y < h; y++) {
        for (int xx = 0; xx < w; xx++) {
          out[c * 64 + (y / 8) * 8 + xx / 8] += x[((image * 4 + c) * h + y) * w + xx] / 64.0;
        }
      }
    }
    return out;
  }

  static double correlation(double[] a, double[] b) {
    double ma = 0;
    double mb = 0;
    for (int i = 0; i < a.length; i++) {
      ma += a[i] / a.length;
      mb += b[i] / b.length;
    }
    double ab = 0;
    double aa = 0;
    double bb = 0;
    for (int i = 0; i < a.length; i++) {
      ab += (a[i] - ma) * (b[i] - mb);
      aa += (a[i] - ma) * (a[i] - ma);
      bb += (b[i] - mb) * (b[i] - mb);
    }
    return ab / Math.sqrt(aa * bb);
  }

  @Test
  void everyImageKeepsUnitVariance() {
    int per = 4 * 64 * 64;
    double total = 0;
    int count = 0;
    for (long seed = 1; seed <= 5; seed++) {
      float[] own = PerImageNoise.seeded(seed, 4).randn(SHAPE);
      float[] set = new SetNoise(seed).apply(own, SHAPE);
      for (int i = 0; i < 4; i++) {
        double s = std(set, i * per, per);
        assertThat(s).as("seed %d image %d", seed, i).isCloseTo(1.0, within(0.06));
        total += s;
        count++;
      }
    }
    assertThat(total / count).isCloseTo(1.0, within(0.02));
  }

  @Test
  void lowFrequenciesAreSharedInASetAndNotAcrossVariations() {
    float[] own = PerImageNoise.seeded(11, 4).randn(SHAPE);
    float[] set = new SetNoise(11).apply(own, SHAPE);
    double minSet = 1;
    double maxVariations = 0;
    for (int i = 0; i < 4; i++) {
      for (int j = i + 1; j < 4; j++) {
        minSet = Math.min(minSet, correlation(pooled(set, i), pooled(set, j)));
        maxVariations =
            Math.max(maxVariations, Math.abs(correlation(pooled(own, i), pooled(own, j))));
      }
    }
    assertThat(minSet).isGreaterThan(0.8);
    assertThat(maxVariations).isLessThan(0.25);
  }

  @Test
  void theLowPassIsUnitVarianceEvenWithPartialBlocks() {
    long[] shape = {1, 4, 13, 21};
    double sum = 0;
    int n = 0;
    for (long seed = 0; seed < 2000; seed++) {
      float[] lp = SetNoise.lowPass(new TorchGenerator(seed).randn(shape), shape);
      for (float v : lp) {
        sum += (double) v * v;
        n++;
      }
    }
    assertThat(sum / n).isCloseTo(1.0, within(0.03));
  }

  @Test
  void mixingZeroIsTheOwnNoise() {
    float[] own = PerImageNoise.seeded(3, 2).randn(2, 4, 8, 8);
    assertThat(new SetNoise(3, 0).apply(own, new long[] {2, 4, 8, 8})).containsExactly(own);
    assertThatThrownBy(() -> new SetNoise(3, 1.5)).hasMessage("mixing must be in 0..1 but was 1.5");
  }
}
