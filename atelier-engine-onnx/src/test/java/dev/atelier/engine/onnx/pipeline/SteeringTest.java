package dev.atelier.engine.onnx.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.CancellationToken;
import dev.atelier.core.NoiseMode;
import dev.atelier.core.ProgressListener;
import dev.atelier.engine.onnx.model.OrtSettings;
import dev.atelier.engine.onnx.model.StableDiffusionModel;
import dev.atelier.engine.onnx.rng.PerImageNoise;
import dev.atelier.engine.onnx.scheduler.Scheduler;
import dev.atelier.engine.onnx.scheduler.Schedulers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Text-to-image with steering on tiny-sd: NONE and weight 0 change nothing; a pull moves means. */
class SteeringTest {
  static StableDiffusionModel model;
  static final StyleStatistics TARGET =
      new StyleStatistics(new float[] {1.5f, -1.5f, 1.5f, -1.5f}, new float[] {1, 1, 1, 1});

  @BeforeAll
  static void load() {
    model =
        StableDiffusionModel.load(
            Path.of("src/test/resources/diffusers-tiny/models/tiny-sd"), OrtSettings.cpu());
  }

  @AfterAll
  static void close() {
    model.close();
  }

  /** The latents after every step. */
  static List<float[]> run(Steering steering) {
    List<float[]> seen = new ArrayList<>();
    RunContext ctx =
        new RunContext(
            ProgressListener.NONE,
            CancellationToken.none(),
            new StageTimings(),
            (i, x, shape) -> seen.add(x.clone()));
    Scheduler scheduler = Schedulers.create("euler", model.schedulerConfig());
    new TextToImagePipeline(model, new PromptEncoder(model, 4))
        .run(
            new Prompting("a cup", "", 2, 10, 5, NoiseMode.PER_IMAGE),
            64,
            64,
            scheduler,
            PerImageNoise.seeded(9, 2),
            ctx,
            steering);
    return seen;
  }

  static double distanceToTarget(float[] latents) {
    // Channel means of image 1 after the first step, against the target's (the noise level after
    // step 0 is still high, so compare the direction of the change, not the values).
    long[] shape = {1, 4, 32, 32};
    float[] image1 = java.util.Arrays.copyOfRange(latents, 4 * 1024, 8 * 1024);
    StyleStatistics s = StyleStatistics.of(image1, shape);
    double d = 0;
    for (int c = 0; c < 4; c++) {
      d += Math.abs(s.mean()[c] - TARGET.mean()[c]);
    }
    return d;
  }

  @Test
  void weightZeroIsThePlainPipelineAndAPullMovesTheEarlyLatents() {
    List<float[]> plain = run(Steering.NONE);
    List<float[]> zero = run(Steering.NONE.withStyle(TARGET, 0));
    List<float[]> full = run(Steering.NONE.withStyle(TARGET, 1));
    assertThat(zero.get(9)).containsExactly(plain.get(9));
    assertThat(distanceToTarget(full.get(0))).isLessThan(distanceToTarget(plain.get(0)));
    assertThat(full.get(9)).isNotEqualTo(plain.get(9));
  }

  @Test
  void setNoiseOnlyChangesTheStart() {
    List<float[]> plain = run(Steering.NONE);
    List<float[]> set = run(Steering.NONE.withInitialNoise(new SetNoise(9, 0)));
    assertThat(set.get(9)).containsExactly(plain.get(9));
  }
}
