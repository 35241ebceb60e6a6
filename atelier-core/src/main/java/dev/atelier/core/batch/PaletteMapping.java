package dev.atelier.core.batch;

import dev.atelier.core.image.ColorSpaces;
import dev.atelier.core.image.PaletteTransfer;
import dev.atelier.core.image.RgbImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Palette transfer by colour clusters: the output's dominant colours ({@link Palette}, k-means in
 * Lab) are matched to the reference's, lightest to lightest in proportion to their shares, and
 * every pixel moves by its cluster's offset, scaled by a weight.
 *
 * <p>Unlike matching each Lab channel on its own, which mixes one reference colour's lightness with
 * another's hue, this keeps the reference's colours whole: a reference of orange, teal and cream
 * turns the output's dark, middle and light areas into those three colours, with the output's own
 * shading within each area kept. Weight 0 returns the image itself. Pure and thread-safe.
 */
public final class PaletteMapping {
  private PaletteMapping() {}

  /**
   * Maps {@code out}'s palette onto {@code reference}'s.
   *
   * @param weight 0 (unchanged) to 1 (each cluster moved onto its reference colour)
   * @throws IllegalArgumentException when {@code weight} is outside [0, 1]
   */
  public static RgbImage apply(RgbImage out, Palette reference, double weight) {
    if (!(weight >= 0 && weight <= 1)) {
      throw new IllegalArgumentException("weight must be in [0, 1] but was " + weight);
    }
    if (weight == 0 || reference.swatches().isEmpty()) {
      return out;
    }
    List<Palette.Swatch> own = byLightness(Palette.of(out));
    List<Palette.Swatch> ref = byLightness(reference);
    ColorSpaces.Lab[] offsets = new ColorSpaces.Lab[own.size()];
    double before = 0;
    for (int i = 0; i < own.size(); i++) {
      double middle = before + own.get(i).share() / 2;
      before += own.get(i).share();
      ColorSpaces.Lab target = at(ref, middle);
      ColorSpaces.Lab from = own.get(i).lab();
      offsets[i] =
          new ColorSpaces.Lab(target.l() - from.l(), target.a() - from.a(), target.b() - from.b());
    }
    byte[] rgb = new byte[out.rgb().length];
    for (int y = 0; y < out.height(); y++) {
      for (int x = 0; x < out.width(); x++) {
        ColorSpaces.Lab lab = ColorSpaces.srgbToLab(out.rgbAt(x, y));
        int nearest = nearest(own, lab);
        ColorSpaces.Lab d = offsets[nearest];
        int v =
            PaletteTransfer.labToSrgb(
                lab.l() + weight * d.l(), lab.a() + weight * d.a(), lab.b() + weight * d.b());
        int p = (y * out.width() + x) * 3;
        rgb[p] = (byte) (v >> 16);
        rgb[p + 1] = (byte) (v >> 8);
        rgb[p + 2] = (byte) v;
      }
    }
    return new RgbImage(out.width(), out.height(), rgb);
  }

  private static List<Palette.Swatch> byLightness(Palette p) {
    List<Palette.Swatch> s = new ArrayList<>(p.swatches());
    s.sort(Comparator.comparingDouble(w -> w.lab().l()));
    return s;
  }

  /** The reference colour whose share interval (in lightness order) holds {@code position}. */
  private static ColorSpaces.Lab at(List<Palette.Swatch> ref, double position) {
    double total = ref.stream().mapToDouble(Palette.Swatch::share).sum();
    double before = 0;
    for (Palette.Swatch s : ref) {
      before += s.share() / total;
      if (position <= before + 1e-12) {
        return s.lab();
      }
    }
    return ref.get(ref.size() - 1).lab();
  }

  private static int nearest(List<Palette.Swatch> swatches, ColorSpaces.Lab lab) {
    int best = 0;
    double bestD = Double.MAX_VALUE;
    for (int i = 0; i < swatches.size(); i++) {
      ColorSpaces.Lab c = swatches.get(i).lab();
      double d =
          (c.l() - lab.l()) * (c.l() - lab.l())
              + (c.a() - lab.a()) * (c.a() - lab.a())
              + (c.b() - lab.b()) * (c.b() - lab.b());
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    return best;
  }
}
