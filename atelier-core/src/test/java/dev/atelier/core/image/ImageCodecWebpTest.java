package dev.atelier.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * WebP through the plugins on the test class path, as the server ships them: cwebp-made fixtures
 * (images/webp/README.md) decoded, limits checked from headers, and our own encoder round-tripped.
 */
class ImageCodecWebpTest {

  private static final ImageLimits LIMITS = ImageLimits.DEFAULT;

  // source-rgba.png's opaque blocks: x 8..15 / 16..31, y 0..11 / 12..23.
  private static final int TOP_LEFT = 0xdc285a;
  private static final int TOP_RIGHT = 0x14285a;
  private static final int BOTTOM_LEFT = 0xdcc85a;
  private static final int BOTTOM_RIGHT = 0x14c85a;

  @ParameterizedTest
  @ValueSource(strings = {"lossy.webp", "lossy-alpha.webp", "lossless-alpha.webp"})
  void decodesWebpMadeByCwebp(String name) throws IOException {
    RgbImage image = ImageCodec.decode(resource(name), LIMITS);

    assertThat(image.width()).isEqualTo(32);
    assertThat(image.height()).isEqualTo(24);
    int tolerance = name.startsWith("lossless") ? 0 : 12;
    assertClose(image.rgbAt(11, 5), TOP_LEFT, tolerance);
    assertClose(image.rgbAt(26, 5), TOP_RIGHT, tolerance);
    assertClose(image.rgbAt(11, 19), BOTTOM_LEFT, tolerance);
    assertClose(image.rgbAt(26, 19), BOTTOM_RIGHT, tolerance);
  }

  @ParameterizedTest
  @ValueSource(strings = {"lossy-alpha.webp", "lossless-alpha.webp"})
  void keepsTheAlphaChannelForDecodeRaw(String name) throws IOException {
    BufferedImage raw = ImageCodec.decodeRaw(resource(name), LIMITS);

    assertThat(raw.getColorModel().hasAlpha()).isTrue();
    assertThat(raw.getRGB(2, 10) >>> 24).isZero();
    assertThat(raw.getRGB(20, 10) >>> 24).isEqualTo(255);
  }

  @Test
  void decodesWithThePureJavaReaderWhenANativeOneIsAlsoRegistered() {
    ImageReader reader = WebpPlugins.reader().orElseThrow();
    try {
      assertThat(reader.getClass().getName()).startsWith(WebpPlugins.PURE_JAVA_READER_PACKAGE);
    } finally {
      reader.dispose();
    }
  }

  @Test
  void refusesAnOversizedLosslessHeaderBeforeDecoding() {
    // 16384x16384 claimed by 25 bytes: VP8L signature, then 14 + 14 bits of (side - 1).
    byte[] bomb =
        riff(chunk("VP8L", new byte[] {0x2f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f}));

    assertThatThrownBy(() -> ImageCodec.decode(bomb, LIMITS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("image is 16384x16384 = 268435456 pixels but at most 16777216 are allowed");
  }

  @Test
  void refusesAnOversizedLossyHeaderBeforeDecoding() {
    // Frame tag, start code, then 16383 x 16383 (the 2-bit scales left 0).
    byte[] vp8 = {0x10, 0x02, 0x00, (byte) 0x9d, 0x01, 0x2a, (byte) 0xff, 0x3f, (byte) 0xff, 0x3f};

    assertThatThrownBy(() -> ImageCodec.decode(riff(chunk("VP8 ", vp8)), LIMITS))
        .hasMessage("image is 16383x16383 = 268402689 pixels but at most 16777216 are allowed");
  }

  @Test
  void refusesABitstreamLargerThanItsSmallExtendedCanvas() {
    // A 16x16 VP8X canvas that passes the reader's getWidth check, wrapping a 16384x16384 VP8L
    // bitstream that the decoder would size its buffers by.
    byte[] canvas = {0, 0, 0, 0, 15, 0, 0, 15, 0, 0};
    byte[] big = {0x2f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f};
    byte[] file = riff(concat(chunk("VP8X", canvas), chunk("VP8L", big)));

    assertThatThrownBy(() -> ImageCodec.decode(file, LIMITS))
        .hasMessage("image is 16384x16384 = 268435456 pixels but at most 16777216 are allowed");
  }

  @Test
  void checksTheCanvasOfTheExtendedFormatAgainstTheSideLimit() {
    // 20000 x 2 canvas: few pixels, but one side is too long.
    byte[] canvas = {0, 0, 0, 0, 0x1f, 0x4e, 0, 1, 0, 0};
    byte[] file = riff(chunk("VP8X", canvas));

    assertThatThrownBy(() -> ImageCodec.decode(file, LIMITS))
        .hasMessage("image is 20000x2 but no side may exceed 8192 pixels");
  }

  @Test
  void turnsDamagedWebpIntoIllegalArgumentOnly() throws IOException {
    Random random = new Random(7);
    for (String name : new String[] {"lossy.webp", "lossy-alpha.webp", "lossless-alpha.webp"}) {
      byte[] good = resource(name);
      for (int cut = 12; cut < good.length; cut += 7) {
        decodeExpectingAtMostIllegalArgument(java.util.Arrays.copyOf(good, cut));
      }
      for (int i = 0; i < 60; i++) {
        byte[] bad = good.clone();
        bad[12 + random.nextInt(bad.length - 12)] = (byte) random.nextInt(256);
        decodeExpectingAtMostIllegalArgument(bad);
      }
    }
  }

  @Test
  void writesLosslessWebpAtQualityOne() {
    RgbImage image = noise(40, 30, 3);

    byte[] webp = ImageCodec.encodeWebp(image, 1f);

    assertThat(new String(webp, 12, 4, StandardCharsets.ISO_8859_1)).isEqualTo("VP8L");
    assertThat(ImageCodec.decode(webp, LIMITS)).isEqualTo(image);
  }

  @Test
  void writesLossyWebpWhoseSizeFollowsQuality() {
    RgbImage image = noise(64, 64, 5);

    byte[] high = ImageCodec.encodeWebp(image, 0.95f);
    byte[] low = ImageCodec.encodeWebp(image, 0.1f);

    assertThat(new String(high, 12, 4, StandardCharsets.ISO_8859_1)).isEqualTo("VP8 ");
    assertThat(low.length).isLessThan(high.length);
    assertThat(Psnr.of(image, ImageCodec.decode(high, LIMITS)))
        .isGreaterThan(Psnr.of(image, ImageCodec.decode(low, LIMITS)));
  }

  @Test
  void refusesAWebpQualityOutsideZeroToOne() {
    assertThatThrownBy(() -> ImageCodec.encodeWebp(noise(2, 2, 1), 1.5f))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("quality must be in [0, 1] but was 1.5");
  }

  @Test
  void reportsNoEncoderProblemWhenTheWriterIsPresent() {
    assertThat(ImageCodec.webpEncoderProblem()).isEmpty();
  }

  @Test
  void jpegQualityChangesTheFileSize() {
    RgbImage image = noise(64, 64, 9);

    assertThat(ImageCodec.encodeJpeg(image, 0.3f).length)
        .isLessThan(ImageCodec.encodeJpeg(image, 1f).length);
  }

  private static void decodeExpectingAtMostIllegalArgument(byte[] bytes) {
    try {
      ImageCodec.decode(bytes, LIMITS);
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
  }

  private static void assertClose(int actual, int expected, int tolerance) {
    for (int shift = 0; shift <= 16; shift += 8) {
      int a = (actual >> shift) & 0xff;
      int e = (expected >> shift) & 0xff;
      assertThat(Math.abs(a - e))
          .as("channel at bit %d of %06x vs %06x", shift, actual, expected)
          .isLessThanOrEqualTo(tolerance);
    }
  }

  private static RgbImage noise(int w, int h, long seed) {
    Random r = new Random(seed);
    float[] v = new float[w * h * 3];
    for (int i = 0; i < v.length; i++) {
      // Smooth ramp plus noise: compressible enough that quality matters.
      v[i] = Math.min(1f, (i % (w * 3)) / (float) (w * 3) * 0.8f + r.nextFloat() * 0.2f);
    }
    return RgbImage.fromFloats(w, h, v);
  }

  private static byte[] chunk(String type, byte[] data) {
    byte[] out = new byte[8 + data.length + (data.length & 1)];
    System.arraycopy(type.getBytes(StandardCharsets.ISO_8859_1), 0, out, 0, 4);
    le32(out, 4, data.length);
    System.arraycopy(data, 0, out, 8, data.length);
    return out;
  }

  private static byte[] riff(byte[] chunks) {
    byte[] out = new byte[12 + chunks.length];
    System.arraycopy("RIFF".getBytes(StandardCharsets.ISO_8859_1), 0, out, 0, 4);
    le32(out, 4, 4 + chunks.length);
    System.arraycopy("WEBP".getBytes(StandardCharsets.ISO_8859_1), 0, out, 8, 4);
    System.arraycopy(chunks, 0, out, 12, chunks.length);
    return out;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static void le32(byte[] b, int at, int v) {
    for (int i = 0; i < 4; i++) {
      b[at + i] = (byte) (v >>> (8 * i));
    }
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = ImageCodecWebpTest.class.getResourceAsStream("/images/webp/" + name)) {
      return in.readAllBytes();
    }
  }

  static {
    // Plugins are found through the service loader; make sure a prior test's scan is current.
    ImageIO.scanForPlugins();
  }
}
