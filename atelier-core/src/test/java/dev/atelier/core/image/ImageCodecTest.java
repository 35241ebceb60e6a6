package dev.atelier.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImageCodecTest {

  private static final ImageLimits LIMITS = ImageLimits.DEFAULT;

  @Test
  void decodesTheRgbFixture() throws IOException {
    RgbImage image = ImageCodec.decode(resource("init.png"), LIMITS);
    assertThat(image.width()).isEqualTo(64);
    assertThat(image.height()).isEqualTo(64);
    // Expected values from an independent zlib + unfilter decode in Python.
    assertThat(image.rgbAt(0, 0)).isEqualTo(0x000080);
    assertThat(image.rgbAt(63, 0)).isEqualTo(0xff0083);
    assertThat(image.rgbAt(10, 20)).isEqualTo(0x285028);
    assertThat(image.rgbAt(63, 63)).isEqualTo(0xffff7c);
    assertThat(Arrays.stream(RgbImageTest.toInts(image.rgb())).asLongStream().sum())
        .isEqualTo(1525382L);
  }

  @Test
  void decodesTheGreyMaskFixture() throws IOException {
    Mask mask = Mask.fromGray(ImageCodec.decodeRaw(resource("mask.png"), LIMITS));
    // A 28x28 white square at x 18..45, y 14..41.
    assertThat(mask.coverage()).isEqualTo(784 / 4096.0);
    assertThat(mask.values()[14 * 64 + 18]).isEqualTo(1f);
    assertThat(mask.values()[13 * 64 + 18]).isEqualTo(0f);
    assertThat(mask.values()[41 * 64 + 45]).isEqualTo(1f);
    assertThat(mask.values()[41 * 64 + 46]).isEqualTo(0f);
  }

  @Test
  void roundTripsPngWithEnglishAndChineseText() {
    RgbImage image = RgbImage.fromFloats(3, 2, ramp(18));
    Map<String, String> text = new LinkedHashMap<>();
    text.put("prompt", "change the sofa colour from light grey to deep emerald; café");
    text.put("prompt_zh", "将沙发颜色从浅灰色改为深宝石绿");
    byte[] png = ImageCodec.encodePng(image, text);

    assertThat(ImageCodec.decode(png, LIMITS)).isEqualTo(image);
    assertThat(ImageCodec.readPngText(png)).containsExactlyEntriesOf(text);
    assertThat(contains(png, "tEXtprompt\0")).isTrue();
    assertThat(contains(png, "iTXtprompt_zh\0")).isTrue();
    assertThat(ImageCodec.readPngText(ImageCodec.encodePng(image, Map.of()))).isEmpty();
  }

  @Test
  void refusesKeywordsPngCannotHold() {
    RgbImage image = new RgbImage(1, 1, new byte[3]);
    assertThatThrownBy(() -> ImageCodec.encodePng(image, Map.of("提示", "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("PNG text keyword must be 1 to 79 printable Latin-1 characters but was '提示'");
    assertThatThrownBy(() -> ImageCodec.encodePng(image, Map.of("k", "a\0b")))
        .hasMessage("PNG text for keyword 'k' must not contain NUL characters but does");
  }

  @Test
  void readsCompressedTextAndTextAfterThePixels() {
    byte[] png = ImageCodec.encodePng(new RgbImage(1, 1, new byte[3]), Map.of());
    byte[] ztxt = PngFixtures.chunk("zTXt", PngFixtures.concat(bytes("note\0\0"), deflate("hi")));
    byte[] text = PngFixtures.chunk("tEXt", bytes("late\0after IDAT"));
    byte[] withText = PngFixtures.insertBeforeIend(png, PngFixtures.concat(ztxt, text));
    assertThat(ImageCodec.readPngText(withText))
        .containsExactly(entry("note", "hi"), entry("late", "after IDAT"));
  }

  @Test
  void refusesTextThatInflatesPastTheCap() {
    byte[] png = ImageCodec.encodePng(new RgbImage(1, 1, new byte[3]), Map.of());
    byte[] bomb = deflate("\0".repeat(PngText.MAX_INFLATED_BYTES + 1));
    byte[] ztxt = PngFixtures.chunk("zTXt", PngFixtures.concat(bytes("bomb\0\0"), bomb));
    assertThatThrownBy(() -> ImageCodec.readPngText(PngFixtures.insertBeforeIend(png, ztxt)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("PNG text chunk 'bomb' inflates to more than 8388608 bytes, the most allowed");
  }

  @Test
  void encodesJpegCloseToTheSource() {
    RgbImage image = RgbImage.fromFloats(16, 16, new float[16 * 16 * 3]);
    RgbImage decoded = ImageCodec.decode(ImageCodec.encodeJpeg(image, 0.95f), LIMITS);
    assertThat(decoded.width()).isEqualTo(16);
    for (byte b : decoded.rgb()) {
      assertThat(b & 0xff).isLessThanOrEqualTo(2);
    }
    assertThatThrownBy(() -> ImageCodec.encodeJpeg(image, 1.5f))
        .hasMessage("quality must be in [0, 1] but was 1.5");
  }

  @Test
  void decodesGifBmpAndTransparentPalettePng() throws IOException {
    RgbImage image = ImageCodec.decode(resource("init.png"), LIMITS);
    assertThat(ImageCodec.decode(imageIo(image.toBufferedImage(), "bmp"), LIMITS)).isEqualTo(image);
    assertThat(ImageCodec.decode(imageIo(image.toBufferedImage(), "gif"), LIMITS).width())
        .isEqualTo(64);

    byte[] grey = {0, (byte) 255};
    IndexColorModel palette = new IndexColorModel(8, 2, grey, grey, grey, 0);
    BufferedImage indexed = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_INDEXED, palette);
    indexed.getRaster().setSample(1, 0, 0, 1);
    BufferedImage decoded = ImageCodec.decodeRaw(imageIo(indexed, "png"), LIMITS);
    assertThat(Mask.fromAlpha(decoded).values()).containsExactly(1f, 0f);
  }

  @Test
  void refusesAGigapixelClaimFromTheHeaderAlone() {
    // 100000x100000 RGB would need 30 GB; the test heap is 2 GB, so passing proves no allocation.
    byte[] png = PngFixtures.headerOnly(100_000, 100_000);
    assertThat(png.length).isLessThan(100);
    assertThatThrownBy(() -> ImageCodec.decode(png, LIMITS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("image is 100000x100000 = 10000000000 pixels but at most 16777216 are allowed");
    assertThatThrownBy(() -> ImageCodec.decode(PngFixtures.headerOnly(10_000, 10), LIMITS))
        .hasMessage("image is 10000x10 but no side may exceed 8192 pixels");
  }

  @Test
  void refusesFilesOverTheByteLimit() throws IOException {
    byte[] png = resource("init.png");
    ImageLimits small = new ImageLimits(LIMITS.maxPixels(), LIMITS.maxSide(), 1000);
    assertThatThrownBy(() -> ImageCodec.decode(png, small))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("image is " + png.length + " bytes but at most 1000 are allowed");
  }

  @Test
  void reportsTruncatedPngData() throws IOException {
    byte[] png = resource("init.png");
    assertThatThrownBy(() -> ImageCodec.decode(Arrays.copyOf(png, png.length / 2), LIMITS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("image could not be decoded: truncated PNG data");
  }

  @Test
  void reportsJpegDataThatEndsBeforeThePixelsDo() throws IOException {
    byte[] jpeg = ImageCodec.encodeJpeg(ImageCodec.decode(resource("init.png"), LIMITS), 0.9f);
    assertThatThrownBy(() -> ImageCodec.decode(Arrays.copyOf(jpeg, jpeg.length / 2), LIMITS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("image could not be decoded: truncated JPEG data");
    // Only the two-byte end marker missing: every pixel is there, so browsers and we accept it.
    assertThat(ImageCodec.decode(Arrays.copyOf(jpeg, jpeg.length - 2), LIMITS).width())
        .isEqualTo(64);
  }

  @Test
  void namesTheFormatsItAcceptsForUnknownBytes() {
    assertThatThrownBy(() -> ImageCodec.decode(new byte[] {1, 2, 3, (byte) 0xab}, LIMITS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "expected PNG, JPEG, GIF, BMP or WebP data but the bytes start with 0x010203ab");
    assertThatThrownBy(() -> ImageCodec.decode(new byte[0], LIMITS))
        .hasMessage("expected PNG, JPEG, GIF, BMP or WebP data but got 0 bytes");
  }

  @Test
  void readsTheHeaderWithoutDecodingAndSubsamplesOnRequest() throws IOException {
    byte[] png = PngFixtures.headerOnly(100_000, 100_000);
    assertThat(ImageCodec.readHeader(png)).isEqualTo(new ImageHeader("png", 100_000, 100_000));
    byte[] init = resource("init.png");
    assertThat(ImageCodec.readHeader(init)).isEqualTo(new ImageHeader("png", 64, 64));
    BufferedImage half = ImageCodec.decodeRaw(init, LIMITS, 2);
    assertThat(half.getWidth()).isEqualTo(32);
    assertThat(half.getHeight()).isEqualTo(32);
    // The limits hold the size the file states, not the smaller result.
    assertThatThrownBy(() -> ImageCodec.decodeRaw(init, new ImageLimits(64 * 63, 64, 1 << 20), 2))
        .hasMessage("image is 64x64 = 4096 pixels but at most 4032 are allowed");
  }

  @Test
  void readsTheSizeABmpHeaderClaimsBeforeTheJdkReaderDoes() throws IOException {
    byte[] bmp = imageIo(new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB), "bmp");
    bmp[18] = (byte) 0xa0; // 100000 = 0x000186a0, little-endian
    bmp[19] = (byte) 0x86;
    bmp[20] = 0x01;
    assertThat(ImageCodec.readHeader(bmp)).isEqualTo(new ImageHeader("bmp", 100_000, 16));
    assertThatThrownBy(() -> ImageCodec.decode(bmp, LIMITS))
        .hasMessage("image is 100000x16 but no side may exceed 8192 pixels");
  }

  @Test
  void saysWhatForeignBytesLookLike() {
    byte[] svg =
        "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>"
            .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> ImageCodec.decode(svg, LIMITS))
        .hasMessage(
            "expected PNG, JPEG, GIF, BMP or WebP data but the bytes look like an SVG document"
                + " (vector images are not accepted; send a PNG rendering) (starting with"
                + " 0x3c3f786d6c207665)");
    assertThatThrownBy(() -> ImageCodec.readHeader("%PDF-1.7".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("look like a PDF file");
  }

  @Test
  void throwsOnlyIllegalArgumentForDamagedOrRandomInput() throws IOException {
    Random random = new Random(42);
    byte[] png = resource("init.png");
    byte[] jpeg = ImageCodec.encodeJpeg(ImageCodec.decode(png, LIMITS), 0.9f);
    for (byte[] source : new byte[][] {png, jpeg}) {
      for (int i = 0; i < 150; i++) {
        byte[] damaged = source.clone();
        for (int k = 0; k < 1 + random.nextInt(8); k++) {
          damaged[8 + random.nextInt(damaged.length - 8)] = (byte) random.nextInt(256);
        }
        decodeExpectingAtMostIllegalArgument(damaged);
        decodeExpectingAtMostIllegalArgument(Arrays.copyOf(source, random.nextInt(source.length)));
      }
    }
    for (String prefix :
        new String[] {"\u0089PNG\r\n\u001a\n", "\u00ff\u00d8\u00ff", "GIF89a", "BM"}) {
      for (int i = 0; i < 50; i++) {
        byte[] garbage = new byte[random.nextInt(300)];
        random.nextBytes(garbage);
        decodeExpectingAtMostIllegalArgument(PngFixtures.concat(bytes(prefix), garbage));
      }
    }
  }

  private static void decodeExpectingAtMostIllegalArgument(byte[] bytes) {
    try {
      ImageCodec.decode(bytes, LIMITS);
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = ImageCodecTest.class.getResourceAsStream("/images/" + name)) {
      return in.readAllBytes();
    }
  }

  private static byte[] imageIo(BufferedImage image, String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(ImageIO.write(image, format, out)).isTrue();
    return out.toByteArray();
  }

  private static float[] ramp(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) i / (n - 1);
    }
    return v;
  }

  private static byte[] bytes(String latin1) {
    return latin1.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] deflate(String latin1) {
    Deflater deflater = new Deflater();
    deflater.setInput(bytes(latin1));
    deflater.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    while (!deflater.finished()) {
      out.write(buf, 0, deflater.deflate(buf));
    }
    deflater.end();
    return out.toByteArray();
  }

  private static boolean contains(byte[] haystack, String latin1) {
    byte[] needle = bytes(latin1);
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return true;
      }
    }
    return false;
  }
}
