package dev.atelier.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class RgbImageTest {

  @Test
  void rejectsArraysThatDoNotMatchTheSize() {
    assertThatThrownBy(() -> new RgbImage(2, 2, new byte[11]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("rgb must hold 2x2x3 = 12 bytes but holds 11");
    assertThatThrownBy(() -> new RgbImage(0, 2, new byte[0]))
        .hasMessage("width and height must be at least 1 but were 0x2");
  }

  @Test
  void quantisesLikeNumpyRoundHalfToEven() {
    // Expected bytes from numpy: (np.clip(a, 0, 1) * 255).round().astype("uint8") on float32.
    // Every (k + 0.5) / 255 in float32 times 255 lands exactly on the tie k + 0.5.
    float[] hwc = {
      0.5f, 0.50196f, 0.5f / 255f, 1.5f / 255f, 2.5f / 255f, 0f, 1f, -0.2f, 1.3f,
    };
    RgbImage image = RgbImage.fromFloats(3, 1, hwc);
    assertThat(toInts(image.rgb())).containsExactly(128, 128, 0, 2, 2, 0, 255, 0, 255);
  }

  @Test
  void refusesNanRatherThanPaintingItBlack() {
    assertThatThrownBy(() -> RgbImage.fromFloats(1, 1, new float[] {0f, Float.NaN, 0f}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("hwc[1] must be a number in [0, 1] but is NaN");
    assertThatThrownBy(() -> RgbImage.fromFloats(2, 1, new float[3]))
        .hasMessage("hwc must hold 2x1x3 = 6 floats but holds 3");
  }

  @Test
  void floatsRoundTripThroughBytes() {
    byte[] all = new byte[256 * 3];
    for (int i = 0; i < all.length; i++) {
      all[i] = (byte) (i / 3);
    }
    RgbImage image = new RgbImage(256, 1, all);
    float[] hwc = image.toFloatsHwc();
    assertThat(hwc[128 * 3]).isEqualTo(128f / 255f);
    assertThat(hwc[255 * 3]).isEqualTo(1f);
    assertThat(RgbImage.fromFloats(256, 1, hwc)).isEqualTo(image);
  }

  @Test
  void normalisesToChwInFloat32LikeTorch() {
    // Pixel 0 = (0, 1, 127), pixel 1 = (128, 255, 0); expected values from numpy float32:
    // 2.0 * (v / 255.0) - 1.0.
    RgbImage image = new RgbImage(2, 1, new byte[] {0, 1, 127, (byte) 128, (byte) 255, 0});
    assertThat(image.toNormalizedChw())
        .containsExactly(
            -1f, 0.003921627998352051f, // red plane
            -0.9921568632125854f, 1f, // green plane
            -0.003921568393707275f, -1f); // blue plane
  }

  @Test
  void readsPixelsAsPackedRgb() {
    RgbImage image = new RgbImage(2, 1, new byte[] {1, 2, 3, (byte) 0xff, (byte) 0x80, 0});
    assertThat(image.rgbAt(0, 0)).isEqualTo(0x010203);
    assertThat(image.rgbAt(1, 0)).isEqualTo(0xff8000);
    assertThatThrownBy(() -> image.rgbAt(2, 0)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void comparesContentNotArrayIdentity() {
    RgbImage a = new RgbImage(1, 1, new byte[] {1, 2, 3});
    RgbImage b = new RgbImage(1, 1, new byte[] {1, 2, 3});
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(new RgbImage(1, 1, new byte[] {1, 2, 4}));
    assertThat(new RgbImage(3, 1, new byte[9])).isNotEqualTo(new RgbImage(1, 3, new byte[9]));
    assertThat(a).hasToString("RgbImage[1x1]");
  }

  @Test
  void convertsToAndFromBufferedImage() {
    RgbImage image = new RgbImage(2, 2, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
    BufferedImage buffered = image.toBufferedImage();
    assertThat(buffered.getRGB(1, 1) & 0xffffff).isEqualTo(0x0a0b0c);
    assertThat(RgbImage.from(buffered)).isEqualTo(image);
  }

  @Test
  void keepsGreyLevelsInsteadOfTreatingThemAsLinear() {
    BufferedImage grey = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
    grey.getRaster().setSample(0, 0, 0, 128);
    grey.getRaster().setSample(1, 0, 0, 255);
    RgbImage image = RgbImage.from(grey);
    assertThat(image.rgbAt(0, 0)).isEqualTo(0x808080);
    assertThat(image.rgbAt(1, 0)).isEqualTo(0xffffff);

    BufferedImage grey16 = new BufferedImage(1, 1, BufferedImage.TYPE_USHORT_GRAY);
    grey16.getRaster().setSample(0, 0, 0, 0x8080);
    assertThat(RgbImage.from(grey16).rgbAt(0, 0)).isEqualTo(0x808080);
  }

  @Test
  void dropsAlphaWithoutCompositing() {
    BufferedImage argb = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
    argb.setRGB(0, 0, 0x00123456);
    assertThat(RgbImage.from(argb).rgbAt(0, 0)).isEqualTo(0x123456);
  }

  static int[] toInts(byte[] bytes) {
    int[] out = new int[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = bytes[i] & 0xff;
    }
    return out;
  }

  @Test
  void theByteRasterFastPathReadsWhatGetRgbReads() {
    java.util.Random random = new java.util.Random(5);
    for (int type : new int[] {BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_4BYTE_ABGR}) {
      BufferedImage image = new BufferedImage(37, 23, type);
      for (int y = 0; y < 23; y++) {
        for (int x = 0; x < 37; x++) {
          image.setRGB(x, y, random.nextInt());
        }
      }
      // A sub-image shares the raster with offsets, which the fast path must honour.
      BufferedImage sub = image.getSubimage(5, 3, 20, 15);
      for (BufferedImage b : new BufferedImage[] {image, sub}) {
        RgbImage fast = RgbImage.from(b);
        for (int y = 0; y < b.getHeight(); y++) {
          for (int x = 0; x < b.getWidth(); x++) {
            assertThat(fast.rgbAt(x, y)).isEqualTo(b.getRGB(x, y) & 0xffffff);
          }
        }
      }
    }
  }
}
