package dev.atelier.engine.onnx.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.CancellationToken;
import dev.atelier.core.GenerationRequest;
import dev.atelier.core.ImageSize;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.SamplingParams;
import dev.atelier.core.image.RgbImage;
import dev.atelier.engine.onnx.OnnxEngine;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Shape-specialised UNet sessions: the same numbers as the dynamic session, one session per shape
 * up to the capacity, and the dynamic session wherever a shape cannot be fixed by name.
 */
class ShapeSessionsTest {
  private static final Path TINY_SD = Path.of("src/test/resources/diffusers-tiny/models/tiny-sd");

  private static float[] predict(UNet unet, int batch, int side) {
    long[] shape = {batch, 4, side, side};
    float[] sample = new float[batch * 4 * side * side];
    for (int i = 0; i < sample.length; i++) {
      sample[i] = (float) Math.sin(i * 0.37);
    }
    float[] hidden = new float[batch * 77 * 32];
    for (int i = 0; i < hidden.length; i++) {
      hidden[i] = (float) Math.cos(i * 0.11);
    }
    return unet.predict(sample, shape, 856.2857f, hidden, new long[] {batch, 77, 32}, new float[0]);
  }

  @Test
  void fixedShapeSessionsPredictWhatTheDynamicSessionPredicts() {
    try (StableDiffusionModel dynamic = StableDiffusionModel.load(TINY_SD, OrtSettings.cpu());
        StableDiffusionModel fixed =
            StableDiffusionModel.load(TINY_SD, OrtSettings.cpu().withFixedShapeSessions(2))) {
      float[] a = predict(dynamic.unet(), 2, 16);
      float[] b = predict(fixed.unet(), 2, 16);
      assertThat(fixed.unet().fixedShapeSessionsOpen()).isEqualTo(1);
      assertThat(dynamic.unet().fixedShapeSessionsOpen()).isZero();
      // Other kernels, other summation order: float32 rounding, far below what parity allows.
      double diff = 0;
      double norm = 0;
      for (int i = 0; i < a.length; i++) {
        diff += (a[i] - b[i]) * (double) (a[i] - b[i]);
        norm += a[i] * (double) a[i];
      }
      assertThat(Math.sqrt(diff / norm)).isLessThan(1e-5);
      // The same shape again reuses the session; a second shape gets its own.
      predict(fixed.unet(), 2, 16);
      assertThat(fixed.unet().fixedShapeSessionsOpen()).isEqualTo(1);
      predict(fixed.unet(), 1, 8);
      assertThat(fixed.unet().fixedShapeSessionsOpen()).isEqualTo(2);
    }
  }

  @Test
  void pastTheCapacityTheLeastRecentlyUsedShapeIsClosedAndResultsStayTheSame() {
    try (StableDiffusionModel m =
        StableDiffusionModel.load(TINY_SD, OrtSettings.cpu().withFixedShapeSessions(1))) {
      float[] first = predict(m.unet(), 1, 8);
      predict(m.unet(), 1, 16);
      assertThat(m.unet().fixedShapeSessionsOpen()).isEqualTo(1);
      // The evicted shape is rebuilt on demand and computes the same numbers.
      assertThat(predict(m.unet(), 1, 8)).containsExactly(first);
      assertThat(m.unet().fixedShapeSessionsOpen()).isEqualTo(1);
    }
  }

  @Test
  void imagesFromTheEngineMatchWithAndWithoutFixedShapes() {
    SamplingParams s = SamplingParams.builder().n(3).steps(3).seed(9).scheduler("euler_a").build();
    GenerationRequest r = new GenerationRequest("a red kite", new ImageSize(32, 32), s);
    try (OnnxEngine plain = OnnxEngine.load(TINY_SD, OrtSettings.cpu());
        OnnxEngine fixed = OnnxEngine.load(TINY_SD, OrtSettings.cpu().withFixedShapeSessions(2))) {
      var a = plain.generate(r, ProgressListener.NONE, CancellationToken.none());
      var b = fixed.generate(r, ProgressListener.NONE, CancellationToken.none());
      // n=3 with guidance runs sub-batches of 2 rows (one image) each: one shape.
      assertThat(fixed.model().unet().fixedShapeSessionsOpen()).isEqualTo(1);
      for (int i = 0; i < a.size(); i++) {
        assertThat(maxPixelDifference(a.get(i).image(), b.get(i).image())).isLessThanOrEqualTo(1);
      }
    }
  }

  @Test
  void shapesThatNeedOneNameTwiceOrDoNotFitTheGraphAreNotSpecialised() {
    try (StableDiffusionModel m = StableDiffusionModel.load(TINY_SD, OrtSettings.cpu())) {
      OnnxComponent graph = m.unet().graph();
      Map<String, long[]> fits =
          Map.of(
              "sample", new long[] {2, 4, 8, 8},
              "timestep", new long[] {1},
              "encoder_hidden_states", new long[] {2, 77, 32});
      assertThat(ShapeSessions.dimensions(graph.inputs(), fits))
          .hasValue(Map.of("batch", 2L, "height", 8L, "width", 8L, "steps", 1L, "sequence", 77L));
      Map<String, long[]> batchTwice =
          Map.of(
              "sample", new long[] {2, 4, 8, 8},
              "timestep", new long[] {1},
              "encoder_hidden_states", new long[] {1, 77, 32});
      assertThat(ShapeSessions.dimensions(graph.inputs(), batchTwice)).isEmpty();
      Map<String, long[]> wrongRank =
          Map.of(
              "sample", new long[] {2, 4, 8},
              "timestep", new long[] {1},
              "encoder_hidden_states", new long[] {2, 77, 32});
      assertThat(ShapeSessions.dimensions(graph.inputs(), wrongRank)).isEmpty();
    }
  }

  private static int maxPixelDifference(RgbImage a, RgbImage b) {
    int worst = 0;
    for (int y = 0; y < a.height(); y++) {
      for (int x = 0; x < a.width(); x++) {
        int p = a.rgbAt(x, y);
        int q = b.rgbAt(x, y);
        for (int shift = 0; shift <= 16; shift += 8) {
          worst = Math.max(worst, Math.abs(((p >> shift) & 255) - ((q >> shift) & 255)));
        }
      }
    }
    return worst;
  }
}
