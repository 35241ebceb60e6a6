package dev.atelier.engine.onnx.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.engine.onnx.rng.NoiseSource;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class SchedulerTest {
  private static final long[] SHAPE = {1, 1, 1, 1};
  private static final NoiseSource NO_NOISE =
      shape -> {
        throw new AssertionError("a deterministic scheduler drew noise");
      };

  /** Stable Diffusion 1.x's scheduler config (PNDM), the usual base config. */
  private static final SchedulerConfig SD =
      config(
          "{\"_class_name\":\"PNDMScheduler\",\"beta_start\":0.00085,\"beta_end\":0.012,"
              + "\"beta_schedule\":\"scaled_linear\",\"num_train_timesteps\":1000,"
              + "\"set_alpha_to_one\":false,\"skip_prk_steps\":true,\"steps_offset\":1,"
              + "\"clip_sample\":false}");

  /**
   * Two training steps with alphas_cumprod = [0.64, 0.36], so that every coefficient is exact by
   * hand: sqrt(ac) = [0.8, 0.6], sigmas = sqrt((1 - ac) / ac) = [0.75, 4/3].
   */
  private static final SchedulerConfig TOY =
      config("{\"num_train_timesteps\":2,\"trained_betas\":[0.36,0.4375]}");

  private static SchedulerConfig config(String json) {
    return new SchedulerConfig((JsonValue.Obj) Json.parse(json));
  }

  @TestFactory
  Stream<DynamicTest> diffusersGoldens() throws URISyntaxException {
    URL index =
        getClass().getClassLoader().getResource("diffusers-tiny/goldens/schedulers/index.json");
    assertThat(index).as("scheduler golden index on the test classpath").isNotNull();
    return SchedulerGoldens.tests(Path.of(index.toURI()));
  }

  @Test
  void namesCreateTheirClassesAndAliasesApplyTheirOverrides() {
    assertThat(Schedulers.names())
        .containsExactly(
            "euler", "euler_a", "euler_trailing", "ddim", "lcm", "dpmpp_2m", "dpmpp_2m_karras");
    assertThat(Schedulers.create("euler", SD)).isInstanceOf(EulerDiscreteScheduler.class);
    assertThat(Schedulers.create("euler_a", SD))
        .isInstanceOf(EulerAncestralDiscreteScheduler.class);
    assertThat(Schedulers.create("ddim", SD)).isInstanceOf(DdimScheduler.class);
    assertThat(Schedulers.create("lcm", SD)).isInstanceOf(LcmScheduler.class);
    assertThat(Schedulers.fromDiffusersClass("DPMSolverMultistepScheduler", SD))
        .isInstanceOf(DpmSolverMultistepScheduler.class);

    Scheduler euler = Schedulers.create("euler", SD);
    euler.setTimesteps(4);
    assertThat(euler.timesteps()).containsExactly(999f, 666f, 333f, 0f);
    Scheduler trailing = Schedulers.create("euler_trailing", SD);
    trailing.setTimesteps(4);
    assertThat(trailing.timesteps()).containsExactly(999f, 749f, 499f, 249f);
    assertThat(trailing.config().string("timestep_spacing", "")).isEqualTo("trailing");

    Scheduler plain = Schedulers.create("dpmpp_2m", SD);
    plain.setTimesteps(4);
    assertThat(plain.timesteps()).containsExactly(999f, 749f, 500f, 250f);
    Scheduler karras = Schedulers.create("dpmpp_2m_karras", SD);
    karras.setTimesteps(4);
    assertThat(karras.timesteps()).containsExactly(999f, 687f, 146f, 0f);
  }

  @Test
  void unknownNamesListTheAcceptedOnes() {
    assertThatThrownBy(() -> Schedulers.create("heun", SD))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "scheduler must be one of euler, euler_a, euler_trailing, ddim, lcm, dpmpp_2m,"
                + " dpmpp_2m_karras but was 'heun'");
    assertThatThrownBy(() -> Schedulers.fromDiffusersClass("PNDMScheduler", SD))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("EulerDiscreteScheduler")
        .hasMessageEndingWith("but was 'PNDMScheduler'");
  }

  @Test
  void badConfigValuesSayWhatWasExpected() {
    SchedulerConfig middle = SD.with("timestep_spacing", new JsonValue.Str("middle"));
    for (String name : Schedulers.names()) {
      if (!name.equals("lcm") && !name.equals("euler_trailing")) {
        assertThatThrownBy(() -> Schedulers.create(name, middle))
            .as(name)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage(
                "timestep_spacing must be one of leading, linspace, trailing but was 'middle'");
      }
    }
    assertThatThrownBy(
            () -> Schedulers.create("ddim", SD.with("beta_schedule", new JsonValue.Str("cubic"))))
        .hasMessage(
            "beta_schedule must be one of linear, scaled_linear, squaredcos_cap_v2 but was"
                + " 'cubic'");
  }

  @Test
  void stepCountsBelowOneAreRejected() {
    for (String name : Schedulers.names()) {
      Scheduler s = Schedulers.create(name, SD);
      assertThatThrownBy(() -> s.setTimesteps(0))
          .as(name)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "num_inference_steps must be between 1 and num_train_timesteps (1000) but was 0");
    }
  }

  @Test
  void eulerVPredictionMatchesHandComputation() {
    Scheduler s =
        new EulerDiscreteScheduler(TOY.with("prediction_type", new JsonValue.Str("v_prediction")));
    s.setTimesteps(2);
    assertThat(s.timesteps()).containsExactly(1f, 0f);
    assertThat(s.sigmas().orElseThrow())
        .containsExactly(new float[] {4f / 3, 0.75f, 0f}, within(1e-6f));
    // sigma = 4/3: sqrt(sigma^2 + 1) = 5/3, so the input is scaled by 0.6.
    assertThat(s.scaleModelInput(new float[] {1f}, 1f)[0]).isCloseTo(0.6f, within(1e-7f));
    // x0 = v * (-sigma / (5/3)) + x / (25/9) = -0.8 * 0.5 + 0.36 = -0.04;
    // x' = x + (x - x0) / sigma * (0.75 - sigma) = 1 + 0.78 * (-7/12) = 0.545.
    float[] next = s.step(new float[] {0.5f}, 1f, new float[] {1f}, SHAPE, NO_NOISE);
    assertThat(next[0]).isCloseTo(0.545f, within(1e-6f));
    assertThat(s.predictedOriginalSample().orElseThrow()[0]).isCloseTo(-0.04f, within(1e-6f));
  }

  @Test
  void ddimVPredictionMatchesHandComputation() {
    Scheduler s = new DdimScheduler(TOY.with("prediction_type", new JsonValue.Str("v_prediction")));
    s.setTimesteps(2);
    assertThat(s.timesteps()).containsExactly(1f, 0f);
    // t = 1: sqrt(ac) = 0.6, sqrt(1 - ac) = 0.8; x0 = 0.6 * 1 - 0.8 * 0.5 = 0.2 and
    // eps = 0.6 * 0.5 + 0.8 * 1 = 1.1; to t = 0: 0.8 * 0.2 + 0.6 * 1.1 = 0.82.
    float[] next = s.step(new float[] {0.5f}, 1f, new float[] {1f}, SHAPE, NO_NOISE);
    assertThat(next[0]).isCloseTo(0.82f, within(1e-6f));
    assertThat(s.predictedOriginalSample().orElseThrow()[0]).isCloseTo(0.2f, within(1e-6f));
  }

  @Test
  void eulerImageToImageUsesTheBeginIndexForAddNoiseAndScaling() {
    Scheduler s = new EulerDiscreteScheduler(TOY);
    s.setTimesteps(2);
    float[] image = {1f};
    float[] noise = {2f};
    // Without a begin index add_noise finds each timestep's own sigma: 1 + 2 * 4/3.
    assertThat(s.addNoise(image, noise, 1f)[0]).isCloseTo(11f / 3, within(1e-6f));
    // Strength 0.5 starts at index 1 (t = 0, sigma = 0.75) whatever timestep is passed.
    s.setBeginIndex(1);
    float[] start = s.addNoise(image, noise, 1f);
    assertThat(start[0]).isCloseTo(2.5f, within(1e-6f));
    // Scaling at the begin index divides by sqrt(0.75^2 + 1) = 1.25.
    assertThat(s.scaleModelInput(start, 0f)[0]).isCloseTo(2f, within(1e-6f));
    // Once stepping started, add_noise follows the step index (now 2, the final zero sigma).
    s.step(new float[] {0f}, 0f, start, SHAPE, NO_NOISE);
    assertThat(s.addNoise(image, noise, 1f)[0]).isEqualTo(1f);
  }

  @Test
  void ddimImageToImageNoisesByAlphasCumprodAndRecoversTheImage() {
    Scheduler s = new DdimScheduler(TOY);
    s.setTimesteps(2);
    float[] image = {1f};
    float[] noise = {2f};
    assertThat(s.addNoise(image, noise, 1f)[0]).isCloseTo(0.6f + 1.6f, within(1e-6f));
    s.setBeginIndex(1);
    float[] start = s.addNoise(image, noise, 0f);
    assertThat(start[0]).isCloseTo(0.8f + 1.2f, within(1e-6f));
    // The true noise as model output at t = 0 gives x0 = (2 - 0.6 * 2) / 0.8 = 1, and with
    // set_alpha_to_one the last step returns x0 itself.
    float[] next = s.step(noise, 0f, start, SHAPE, NO_NOISE);
    assertThat(next[0]).isCloseTo(1f, within(1e-6f));
  }
}
