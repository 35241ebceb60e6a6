package dev.atelier.engine.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.CancellationToken;
import dev.atelier.core.Decoder;
import dev.atelier.core.GeneratedImage;
import dev.atelier.core.GenerationRequest;
import dev.atelier.core.ImageSize;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.SamplingParams;
import dev.atelier.core.image.RgbImage;
import dev.atelier.engine.onnx.model.OrtSettings;
import dev.atelier.engine.onnx.model.StableDiffusionModel;
import dev.atelier.engine.onnx.model.TinyVae;
import dev.atelier.engine.onnx.pipeline.RunContext;
import dev.atelier.engine.onnx.pipeline.StageTimings;
import dev.atelier.engine.onnx.testing.TinyGraphs;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** quality low: decoding with a tiny (TAESD-layout) decoder, checked against its formula. */
class TinyDecoderTest {
  @TempDir Path tmp;

  /** A tiny decoder whose output is 0.5 * latent (first 3 channels), upsampled x2. */
  Path tinyFolder() throws Exception {
    Path root = tmp.resolve("taesd");
    TinyGraphs.vaeDecoder(root.resolve("vae_decoder"), false);
    Files.writeString(root.resolve("vae_decoder/config.json"), "{\"scaling_factor\": 1.0}");
    return root;
  }

  @Test
  void tinyDecodingFollowsTheTinyDecoderAndSaysSo() throws Exception {
    Path sd = Path.of("src/test/resources/diffusers-tiny/models/tiny-sd");
    SamplingParams s =
        SamplingParams.builder().steps(3).seed(5).scheduler("euler").decoder(Decoder.TINY).build();
    GenerationRequest r = new GenerationRequest("a cup", new ImageSize(64, 64), s);
    try (OnnxEngine engine =
        new OnnxEngine(
            StableDiffusionModel.load(sd, OrtSettings.cpu()),
            TinyVae.load(tinyFolder(), OrtSettings.cpu()))) {
      float[][] last = new float[1][];
      RunContext ctx =
          new RunContext(
              ProgressListener.NONE,
              CancellationToken.none(),
              new StageTimings(),
              (step, latents, shape) -> last[0] = latents.clone());
      GeneratedImage tiny = engine.generate(r, ctx).get(0);
      assertThat(tiny.parameters()).containsEntry("decoder", "tiny");
      // Expected: clamp(0.5 * latent / 1.0 / 2 + 0.5), nearest x2, channels 0..2.
      float[] hwc = new float[64 * 64 * 3];
      for (int y = 0; y < 64; y++) {
        for (int x = 0; x < 64; x++) {
          for (int c = 0; c < 3; c++) {
            float l = last[0][c * 32 * 32 + (y / 2) * 32 + (x / 2)];
            float v = (0.5f * (l / 1.0f)) / 2f + 0.5f;
            hwc[(y * 64 + x) * 3 + c] = Math.min(1f, Math.max(0f, v));
          }
        }
      }
      assertThat(tiny.image()).isEqualTo(RgbImage.fromFloats(64, 64, hwc));

      GeneratedImage full =
          engine
              .generate(
                  new GenerationRequest(
                      "a cup", new ImageSize(64, 64), s.toBuilder().decoder(Decoder.FULL).build()),
                  ProgressListener.NONE,
                  CancellationToken.none())
              .get(0);
      assertThat(full.parameters()).containsEntry("decoder", "full");
      assertThat(full.image()).isNotEqualTo(tiny.image());
    }
  }

  @Test
  void withoutATinyDecoderLowQualityUsesTheFullOneAndSaysSo() {
    try (OnnxEngine engine =
        OnnxEngine.load(
            Path.of("src/test/resources/diffusers-tiny/models/tiny-sd"), OrtSettings.cpu())) {
      SamplingParams s = SamplingParams.builder().steps(2).seed(1).decoder(Decoder.TINY).build();
      GeneratedImage img =
          engine
              .generate(
                  new GenerationRequest("a cup", new ImageSize(64, 64), s),
                  ProgressListener.NONE,
                  CancellationToken.none())
              .get(0);
      assertThat(img.parameters()).containsEntry("decoder", "full (no tiny decoder loaded)");
    }
  }
}
