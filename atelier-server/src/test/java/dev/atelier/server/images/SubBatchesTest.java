package dev.atelier.server.images;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.CancellationToken;
import dev.atelier.core.Consistency;
import dev.atelier.core.EditMode;
import dev.atelier.core.EditRequest;
import dev.atelier.core.GeneratedImage;
import dev.atelier.core.GenerationRequest;
import dev.atelier.core.ImageSize;
import dev.atelier.core.NoiseMode;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.SamplingParams;
import dev.atelier.core.image.RgbImage;
import dev.atelier.server.FakeEngine;
import java.util.List;
import org.junit.jupiter.api.Test;

/** n up to 10 in calls of at most four 512x512 images, the same images as one call. */
class SubBatchesTest {
  final FakeEngine fake = new FakeEngine();
  final SubBatches engine = new SubBatches(fake);

  static SamplingParams.Builder ten() {
    return SamplingParams.builder().n(10).seed(7).steps(2);
  }

  @Test
  void tenImagesAt512AreThreeCallsWithConsecutiveSeeds() {
    ImageSize size = new ImageSize(512, 512);
    List<GeneratedImage> split =
        engine.generate(
            new GenerationRequest("a cup", size, ten().build(), List.of(), List.of()),
            ProgressListener.NONE,
            CancellationToken.none());
    assertThat(fake.generations).extracting(r -> r.sampling().n()).containsExactly(4, 4, 2);
    assertThat(fake.generations).extracting(r -> r.sampling().seed()).containsExactly(7L, 11L, 15L);
    assertThat(split)
        .extracting(GeneratedImage::seed)
        .containsExactly(7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L);

    List<GeneratedImage> whole =
        new FakeEngine()
            .generate(
                new GenerationRequest("a cup", size, ten().build(), List.of(), List.of()),
                ProgressListener.NONE,
                CancellationToken.none());
    for (int i = 0; i < 10; i++) {
      assertThat(split.get(i).image().rgb()).isEqualTo(whole.get(i).image().rgb());
    }
  }

  @Test
  void editsSplitTooAndSmallImagesStayInOneCall() {
    RgbImage image = new RgbImage(512, 512, new byte[512 * 512 * 3]);
    List<GeneratedImage> made =
        engine.edit(
            new EditRequest("warmer", image, new EditMode.ImageToImage(0.5), ten().build()),
            ProgressListener.NONE,
            CancellationToken.none());
    assertThat(made).extracting(GeneratedImage::seed).startsWith(7L, 8L).endsWith(16L);
    assertThat(fake.calls.get()).isEqualTo(3);

    engine.generate(
        new GenerationRequest("a cup", new ImageSize(64, 64), ten().build(), List.of(), List.of()),
        ProgressListener.NONE,
        CancellationToken.none());
    assertThat(fake.calls.get()).isEqualTo(4);
  }

  @Test
  void batchNoiseAndSetsRunAsOneCall() {
    ImageSize size = new ImageSize(512, 512);
    engine.generate(
        new GenerationRequest(
            "a cup", size, ten().noiseMode(NoiseMode.BATCH).build(), List.of(), List.of()),
        ProgressListener.NONE,
        CancellationToken.none());
    engine.generate(
        new GenerationRequest(
            "a cup", size, ten().consistency(Consistency.SET).build(), List.of(), List.of()),
        ProgressListener.NONE,
        CancellationToken.none());
    assertThat(fake.generations).extracting(r -> r.sampling().n()).containsExactly(10, 10);
  }
}
