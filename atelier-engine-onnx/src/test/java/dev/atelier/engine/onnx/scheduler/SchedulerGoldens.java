package dev.atelier.engine.onnx.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.engine.onnx.rng.NoiseSource;
import dev.atelier.engine.onnx.testing.Npy;
import dev.atelier.engine.onnx.testing.Numerics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * Replays diffusers scheduler goldens: one dynamic test per case of a {@code
 * schedulers/index.json}.
 *
 * <p>Each case runs the recorded number of steps from the recorded initial sample with the
 * synthetic model {@code eps = 0.5 * x_in * cos(t / 1000) + 0.1 * tanh(x_in)} and compares the
 * timesteps exactly, and the sigmas, scaled inputs, model outputs and every trajectory step to a
 * relative L2 error below {@value #TOLERANCE}. Stochastic steps draw from the recorded step noise.
 */
public final class SchedulerGoldens {
  /** Largest accepted relative L2 error. */
  public static final double TOLERANCE = 1e-5;

  private SchedulerGoldens() {}

  /**
   * One dynamic test per case listed in {@code indexJson}; the scheduler comes from the case's
   * {@code scheduler_class} (else its {@code scheduler} name) over its {@code config}, and when the
   * name is one of {@link Schedulers#names()} the named factory must give the same timesteps.
   */
  public static Stream<DynamicTest> tests(Path indexJson) {
    JsonValue index;
    try {
      index = Json.parse(Files.readString(indexJson));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + indexJson, e);
    }
    if (!(index instanceof JsonValue.Arr cases)) {
      throw new IllegalArgumentException(indexJson + " must hold a JSON array of cases");
    }
    Path dir = indexJson.toAbsolutePath().getParent();
    return cases.items().stream()
        .map(c -> (JsonValue.Obj) c)
        .map(c -> DynamicTest.dynamicTest(c.string("case", "?"), () -> run(dir, c)));
  }

  private static void run(Path dir, JsonValue.Obj c) {
    String name = c.string("case", "?");
    JsonValue.Obj files = c.object("files").orElseThrow();
    SchedulerConfig config = new SchedulerConfig(c.object("config").orElseThrow());
    String className = c.string("scheduler_class", null);
    Scheduler scheduler =
        className != null
            ? Schedulers.fromDiffusersClass(className, config)
            : Schedulers.create(c.string("scheduler", "?"), config);
    int steps = Math.toIntExact(c.integer("steps", 0));
    scheduler.setTimesteps(steps);

    float[] timesteps = scheduler.timesteps();
    assertThat(timesteps)
        .as("%s timesteps", name)
        .containsExactly(npy(dir, files, "timesteps").asFloats());
    if (files.has("sigmas")) {
      assertClose(
          scheduler.sigmas().orElseThrow(), npy(dir, files, "sigmas").asFloats(), name, "sigmas");
    }
    if (c.has("init_noise_sigma")) {
      double expected = c.number("init_noise_sigma", 1);
      assertThat((double) scheduler.initNoiseSigma())
          .as("%s init_noise_sigma", name)
          .isCloseTo(expected, within(TOLERANCE * Math.abs(expected)));
    }
    String alias = c.string("scheduler", "");
    if (className != null && Schedulers.names().contains(alias)) {
      Scheduler byName = Schedulers.create(alias, config);
      byName.setTimesteps(steps);
      assertThat(byName.timesteps()).as("%s timesteps by name", name).containsExactly(timesteps);
    }

    Npy x0 = npy(dir, files, "x0");
    long[] shape = x0.shape();
    RecordedNoise noise =
        new RecordedNoise(files.has("step_noise") ? npy(dir, files, "step_noise") : null);
    Npy scaled = files.has("scaled_inputs") ? npy(dir, files, "scaled_inputs") : null;
    Npy outputs = files.has("model_outputs") ? npy(dir, files, "model_outputs") : null;
    Npy trajectory = npy(dir, files, "trajectory");
    float[] x = x0.asFloats().clone();
    for (int i = 0; i < timesteps.length; i++) {
      float t = timesteps[i];
      float[] in = scheduler.scaleModelInput(x, t);
      if (scaled != null) {
        assertClose(in, scaled.slice(i), name, "scaled input " + i);
      }
      float[] eps = syntheticModel(in, t);
      if (outputs != null) {
        assertClose(eps, outputs.slice(i), name, "model output " + i);
      }
      x = scheduler.step(eps, t, x, shape, noise);
      assertClose(x, trajectory.slice(i), name, "trajectory " + i);
    }
    assertThat(noise.remaining()).as("%s unused step noise draws", name).isZero();
  }

  /** The golden model in float32: {@code 0.5 * x * cos(t / 1000) + 0.1 * tanh(x)}. */
  static float[] syntheticModel(float[] in, float t) {
    float c = (float) Math.cos(t / 1000f);
    float[] eps = new float[in.length];
    for (int i = 0; i < in.length; i++) {
      eps[i] = 0.5f * in[i] * c + 0.1f * (float) Math.tanh(in[i]);
    }
    return eps;
  }

  private static Npy npy(Path dir, JsonValue.Obj files, String key) {
    return Npy.read(dir.resolve(files.string(key, null)));
  }

  private static void assertClose(float[] actual, float[] expected, String name, String what) {
    double err = Numerics.relativeError(actual, expected);
    if (Boolean.getBoolean("atelier.goldens.verbose")) {
      System.out.printf("%s %s relative error %.3g%n", name, what, err);
    }
    assertThat(err).as("%s %s relative error", name, what).isLessThan(TOLERANCE);
  }

  /** Hands out the recorded draws in order; a draw of another shape or past the end fails. */
  private static final class RecordedNoise implements NoiseSource {
    private final Npy draws;
    private int next;

    RecordedNoise(Npy draws) {
      this.draws = draws;
    }

    int remaining() {
      return draws == null ? 0 : (int) draws.shape()[0] - next;
    }

    @Override
    public float[] randn(long... shape) {
      if (draws == null || next >= draws.shape()[0]) {
        throw new AssertionError(
            "the scheduler drew more noise than the reference (draw " + next + ")");
      }
      long[] recorded = Arrays.copyOfRange(draws.shape(), 1, draws.shape().length);
      if (!Arrays.equals(recorded, shape)) {
        throw new AssertionError(
            "noise shape must be "
                + Arrays.toString(recorded)
                + " but was "
                + Arrays.toString(shape));
      }
      return draws.slice(next++);
    }
  }
}
