package dev.atelier.engine.onnx.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.atelier.engine.onnx.rng.TorchGenerator;
import org.junit.jupiter.api.Test;

/** The latent style pull: its schedule, its effect on clean and noisy latents, weight 0. */
class StyleStatisticsTest {
  static final long[] SHAPE = {2, 4, 32, 32};
  static final StyleStatistics TARGET =
      new StyleStatistics(
          new float[] {0.5f, -0.3f, 0.2f, 1.0f}, new float[] {0.4f, 0.8f, 1.2f, 0.6f});

  @Test
  void theFactorFallsLinearlyToZeroAtFortyPercent() {
    assertThat(StyleStatistics.factor(0, 10, 1)).isEqualTo(1);
    assertThat(StyleStatistics.factor(2, 10, 0.5)).isCloseTo(0.25, within(1e-12));
    assertThat(StyleStatistics.factor(3, 10, 1)).isCloseTo(0.25, within(1e-12));
    assertThat(StyleStatistics.factor(4, 10, 1)).isZero();
    assertThat(StyleStatistics.factor(9, 10, 1)).isZero();
  }

  @Test
  void aFullPullOnCleanLatentsGivesTheTargetStatistics() {
    float[] x = new TorchGenerator(5).randn(SHAPE);
    float[] pulled = TARGET.pull(x, SHAPE, 1, 1, 0);
    StyleStatistics second =
        StyleStatistics.of(java.util.Arrays.copyOfRange(pulled, 4 * 1024, 8 * 1024), SHAPE);
    for (int c = 0; c < 4; c++) {
      assertThat(second.mean()[c]).isCloseTo(TARGET.mean()[c], within(1e-4f));
      assertThat(second.std()[c]).isCloseTo(TARGET.std()[c], within(1e-4f));
    }
  }

  @Test
  void onNoisyLatentsTheNoiseLevelIsKept() {
    // x = x0 + 10 * eps: the total spread stays about sqrt(sigma0'^2 + 100).
    float[] x0 = new TorchGenerator(6).randn(SHAPE);
    float[] eps = new TorchGenerator(7).randn(SHAPE);
    float[] x = new float[x0.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = x0[i] + 10 * eps[i];
    }
    float[] pulled = TARGET.pull(x, SHAPE, 1, 1, 10);
    StyleStatistics after = StyleStatistics.of(pulled, SHAPE);
    for (int c = 0; c < 4; c++) {
      assertThat(after.std()[c]).isCloseTo(10f, within(0.5f));
      assertThat(after.mean()[c]).isCloseTo(TARGET.mean()[c], within(1e-3f));
    }
  }

  @Test
  void weightZeroReturnsTheLatentsThemselves() {
    float[] x = new TorchGenerator(8).randn(SHAPE);
    StepHook hook = TARGET.hook(null, new float[] {999, 500, 1}, SHAPE, 0);
    assertThat(hook.afterStep(0, x)).isSameAs(x);
  }
}
