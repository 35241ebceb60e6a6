package dev.atelier.engine.onnx.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.NoiseMode;
import dev.atelier.engine.onnx.model.OrtSettings;
import dev.atelier.engine.onnx.model.StableDiffusionModel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the UNet is given: per-image prompt rows, image tokens after the text tokens. */
class ConditioningTest {
  static StableDiffusionModel model;

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

  static Prompting prompting(List<String> perImage) {
    return new Prompting("set", "blurry", 3, 2, 7.5, NoiseMode.PER_IMAGE, perImage);
  }

  @Test
  void eachDistinctPromptIsEncodedOnceAndRowsFollowTheImages() {
    PromptEncoder uncached = new PromptEncoder(model, 0);
    StageTimings timings = new StageTimings();
    RunContext ctx =
        new RunContext(
            dev.atelier.core.ProgressListener.NONE,
            dev.atelier.core.CancellationToken.none(),
            timings,
            LatentObserver.NONE);
    Conditioning c =
        Conditioning.forGuidance(
            uncached, prompting(List.of("a fox", "a city", "a fox")), model.unet(), 64, 64, ctx);
    // "a fox", "a city" and the negative prompt: three encoder runs for six rows.
    assertThat(timings.counts()).containsEntry(StageTimings.TEXT_ENCODER, 3L);
    int row = 77 * 32;
    assertThat(c.hiddenShape()).containsExactly(6, 77, 32);
    float[] fox = uncached.embed("a fox", new StageTimings());
    float[] city = uncached.embed("a city", new StageTimings());
    float[] negative = uncached.embed("blurry", new StageTimings());
    assertThat(Arrays.copyOfRange(c.hidden(), 0, row)).containsExactly(negative);
    assertThat(Arrays.copyOfRange(c.hidden(), 3 * row, 4 * row)).containsExactly(fox);
    assertThat(Arrays.copyOfRange(c.hidden(), 4 * row, 5 * row)).containsExactly(city);
    assertThat(Arrays.copyOfRange(c.hidden(), 5 * row, 6 * row)).containsExactly(fox);
  }

  @Test
  void imageTokensFollowTheTextTokensOfEveryRowTheUnetSees() {
    PromptEncoder prompts = new PromptEncoder(model, 8);
    float[] cond = new float[2 * 32];
    float[] uncond = new float[2 * 32];
    for (int i = 0; i < cond.length; i++) {
      cond[i] = 1 + i;
      uncond[i] = -1 - i;
    }
    Conditioning c =
        Conditioning.forGuidance(
            prompts,
            prompting(List.of()),
            model.unet(),
            64,
            64,
            RunContext.quiet(),
            new ImageTokens(2, 32, cond, uncond));
    StepModel.UNetBatch batch =
        c.plainStep(7.5).assemble(new float[3 * 4 * 4 * 4], new long[] {3, 4, 4, 4}, 999);
    assertThat(batch.hiddenShape()).containsExactly(6, 79, 32);
    int row = 79 * 32;
    float[] text = prompts.embed("set", new StageTimings());
    for (int b = 0; b < 6; b++) {
      float[] r = Arrays.copyOfRange(batch.hidden(), b * row, (b + 1) * row);
      assertThat(Arrays.copyOfRange(r, 77 * 32, row)).containsExactly(b < 3 ? uncond : cond);
      if (b >= 3) {
        assertThat(Arrays.copyOfRange(r, 0, 77 * 32)).containsExactly(text);
      }
    }
    // The UNet (symbolic sequence length) accepts the longer sequence.
    float[] out =
        model
            .unet()
            .predict(
                batch.sample(),
                batch.sampleShape(),
                999,
                batch.hidden(),
                batch.hiddenShape(),
                new float[0]);
    assertThat(out).hasSize(6 * 4 * 4 * 4);
  }
}
