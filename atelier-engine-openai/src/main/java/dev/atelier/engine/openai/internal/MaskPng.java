package dev.atelier.engine.openai.internal;

import dev.atelier.core.image.Mask;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * Writes a {@link Mask} in OpenAI's convention: an RGBA PNG, fully transparent where the image is
 * to be edited and opaque everywhere else.
 *
 * <p>OpenAI reads only full transparency as "edit", so the soft edge of a feathered mask cannot be
 * sent: values at or above {@link Mask#DIFFUSERS_THRESHOLD} become transparent.
 */
public final class MaskPng {
  private MaskPng() {}

  /** The mask as a PNG of its size: alpha 0 where it says edit, 255 elsewhere; colour black. */
  public static byte[] encode(Mask mask) {
    int w = mask.width();
    int h = mask.height();
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
    int[] row = new int[w];
    float[] values = mask.values();
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        row[x] = values[y * w + x] >= Mask.DIFFUSERS_THRESHOLD ? 0 : 0xff000000;
      }
      image.setRGB(0, y, w, 1, row, 0, w);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, "png", out)) {
        throw new IllegalStateException("this JDK has no PNG writer");
      }
    } catch (IOException e) {
      // Only memory is written, so this is a JDK fault, not bad input.
      throw new UncheckedIOException("encoding the mask to memory failed", e);
    }
    return out.toByteArray();
  }
}
