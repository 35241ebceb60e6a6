package dev.atelier.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PngWriterTest {

  @Test
  void everyLevelDecodesToTheSamePixels() throws Exception {
    RgbImage image = MetricFixtures.texture(67, 45, 3);
    RgbImage noise = MetricFixtures.noise(33, 70, 4);
    for (int level = 0; level <= 9; level++) {
      byte[] png = ImageCodec.encodePng(image, Map.of(), level);
      assertThat(ImageCodec.decode(png, ImageLimits.DEFAULT)).isEqualTo(image);
      // The JDK's own reader agrees, so any PNG tool reads these files.
      assertThat(RgbImage.from(ImageIO.read(new ByteArrayInputStream(png)))).isEqualTo(image);
      assertThat(
              ImageCodec.decode(ImageCodec.encodePng(noise, Map.of(), level), ImageLimits.DEFAULT))
          .isEqualTo(noise);
    }
  }

  @Test
  void aLargerImageSpanningSeveralIdatChunksRoundTrips() {
    RgbImage image = MetricFixtures.noise(400, 300, 8);
    assertThat(ImageCodec.decode(ImageCodec.encodePng(image, Map.of()), ImageLimits.DEFAULT))
        .isEqualTo(image);
  }

  @Test
  void textChunksKeepTheirOrderAndNonLatinTextAsUtf8() {
    Map<String, String> text = new LinkedHashMap<>();
    text.put("parameters", "a red box, Steps: 20");
    text.put("prompt", "把沙发换成绿色");
    text.put("Software", "Atelier");
    byte[] png = ImageCodec.encodePng(MetricFixtures.flat(8, 8, 100), text);
    assertThat(ImageCodec.readPngText(png))
        .containsExactly(
            Map.entry("parameters", "a red box, Steps: 20"),
            Map.entry("Software", "Atelier"),
            Map.entry("prompt", "把沙发换成绿色"));
  }

  @Test
  void badKeywordsValuesAndLevelsAreRefused() {
    RgbImage image = MetricFixtures.flat(4, 4, 0);
    assertThatThrownBy(() -> ImageCodec.encodePng(image, Map.of("k", "a\0b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not contain NUL");
    assertThatThrownBy(() -> ImageCodec.encodePng(image, Map.of(), 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("deflate level must be 0..9 but was 10");
  }

  @Test
  void aMaskIsAGreyPngWithTheLevelsOfItsGreyImage() throws Exception {
    Mask mask = MetricFixtures.featheredDisc(50, 40, 20, 20, 8, 6);
    byte[] png = ImageCodec.encodeMaskPng(mask, Map.of("kind", "mask"));
    BufferedImage raw = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(raw.getType()).isEqualTo(BufferedImage.TYPE_BYTE_GRAY);
    assertThat(RgbImage.from(raw)).isEqualTo(mask.toGrayImage());
    assertThat(Mask.fromGray(raw)).isEqualTo(Mask.fromGray(mask.toGrayImage()));
    assertThat(ImageCodec.readPngText(png)).containsEntry("kind", "mask");
  }
}
