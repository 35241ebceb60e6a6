package dev.atelier.engine.onnx.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Closing a model while a request runs on it (an unload, a shutdown after the drain's grace) waits
 * for the run instead of freeing the native session under it, which would crash the process; runs
 * asked for afterwards fail cleanly.
 */
class OnnxComponentCloseTest {
  private static final Path TINY_SD = TinyFolder.fixtureModels().resolve("tiny-sd");

  @Test
  void closeWaitsForTheRunInProgressAndLaterRunsFailCleanly() throws Exception {
    StableDiffusionModel model = StableDiffusionModel.load(TINY_SD, OrtSettings.cpu());
    UNet unet = model.unet();
    CountDownLatch running = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    int hidden = model.textEncoder().hiddenSize();
    Thread runs =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    // Many runs back to back: close() lands between or during them.
                    for (int i = 0; i < 200; i++) {
                      unet.predict(
                          new float[2 * 4 * 32 * 32],
                          new long[] {2, 4, 32, 32},
                          500f,
                          new float[2 * 77 * hidden],
                          new long[] {2, 77, hidden},
                          new float[0]);
                      running.countDown();
                    }
                  } catch (AtelierException.EngineFailure e) {
                    failure.set(e);
                  } catch (Throwable t) {
                    failure.set(t);
                  }
                });
    running.await();
    model.close(); // must not free a session under a run
    runs.join();
    assertThat(failure.get())
        .as("the runs after close fail with a clear engine error, the process lives")
        .isInstanceOf(AtelierException.EngineFailure.class)
        .hasMessageContaining("the model was closed");
    assertThatThrownBy(() -> model.textEncoder().encode(new int[][] {{1, 2, 3}}))
        .isInstanceOf(AtelierException.EngineFailure.class);
  }

  @Test
  void aCancelStopsTheUnetInsideOnnxRuntimeAndTheModelStaysUsable() {
    try (StableDiffusionModel model = StableDiffusionModel.load(TINY_SD, OrtSettings.cpu())) {
      UNet unet = model.unet();
      int hidden = model.textEncoder().hiddenSize();
      dev.atelier.core.CancellationToken cancel = new dev.atelier.core.CancellationToken();
      cancel.cancel(); // the terminate flag is set before ONNX Runtime starts the call
      assertThatThrownBy(
              () ->
                  unet.predict(
                      new float[4 * 32 * 32],
                      new long[] {1, 4, 32, 32},
                      500f,
                      new float[77 * hidden],
                      new long[] {1, 77, hidden},
                      UNet.Extras.NONE,
                      cancel))
          .isInstanceOf(AtelierException.Cancelled.class)
          .hasMessageContaining("cancelled inside unet/model.onnx");
      float[] out =
          unet.predict(
              new float[4 * 32 * 32],
              new long[] {1, 4, 32, 32},
              500f,
              new float[77 * hidden],
              new long[] {1, 77, hidden},
              UNet.Extras.NONE,
              new dev.atelier.core.CancellationToken());
      assertThat(out).hasSize(4 * 32 * 32);
      assertThatThrownBy(
              () ->
                  model
                      .vaeDecoder()
                      .decode(new float[4 * 32 * 32], new long[] {1, 4, 32, 32}, cancel))
          .isInstanceOf(AtelierException.Cancelled.class)
          .hasMessageContaining("cancelled inside vae_decoder/model.onnx");
    }
  }
}
