package dev.atelier.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ImageHeaderTest {

  @Test
  void countsPixelsInLongAndAtEachSubsampling() {
    ImageHeader h = new ImageHeader("png", 100_000, 100_000);
    assertThat(h.pixels()).isEqualTo(10_000_000_000L);
    assertThat(new ImageHeader("png", 97, 96).pixelsAt(2)).isEqualTo(49 * 48);
    assertThatThrownBy(() -> h.pixelsAt(0)).hasMessage("subsampling must be at least 1 but was 0");
  }

  @Test
  void findsTheSmallestSubsamplingThatFits() {
    assertThat(new ImageHeader("png", 96, 96).subsamplingToFit(96 * 96)).isEqualTo(1);
    assertThat(new ImageHeader("png", 97, 96).subsamplingToFit(96 * 96)).isEqualTo(2);
    // 6000x4000 (24 MP) into OpenAI's largest size, 3840x2160: every second pixel is 3000x2000.
    assertThat(new ImageHeader("jpeg", 6000, 4000).subsamplingToFit(3840L * 2160)).isEqualTo(2);
    assertThat(new ImageHeader("png", 16_384, 16_384).subsamplingToFit(3840L * 2160)).isEqualTo(6);
  }
}
