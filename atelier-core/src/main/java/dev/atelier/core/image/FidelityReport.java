package dev.atelier.core.image;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * How faithfully an edit kept the image outside its region, and how much it changed inside.
 *
 * <p>A correct masked edit composited with {@link Compositor#composite} leaves every pixel outside
 * the region byte-identical: {@code changedOutside} 0, {@code psnrOutside} infinite, {@code
 * ssimOutside} 1 and {@code deltaE00Outside} 0. A pipeline that forgets to composite shows VAE
 * drift outside, typically 30-40 dB and a mean Delta E 00 near 1. The region is every pixel whose
 * mask value is above 0, so a feathered edge counts as inside.
 *
 * <p>A metric with no pixels to measure (nothing lies outside a region that covers the image) is
 * NaN.
 *
 * <p>Cost: one pass over the pixels for the counts, PSNR and box; SSIM is computed only when some
 * outside pixel changed (otherwise it is exactly 1, or NaN without a window clear of the region);
 * the mean CIEDE2000 of a side with more than {@value Regions#DELTA_E_SAMPLE} pixels is taken over
 * a regular grid of that side's pixels (a nearest-neighbour downscaled copy), so a report at
 * 3840x2160 costs tens of milliseconds instead of seconds. Every figure is exact for sides up to
 * that many pixels.
 *
 * @param region the bounding box of the region
 * @param regionFraction the fraction of the image's pixels inside the region, in (0, 1]
 * @param changedOutside the fraction of outside pixels in which any channel differs, in [0, 1]
 * @param psnrOutside PSNR over the outside pixels in dB; infinite if they are identical
 * @param ssimOutside mean SSIM over the windows that lie wholly outside the region
 * @param deltaE00Outside the mean CIEDE2000 difference over the outside pixels (over a regular grid
 *     of them above {@value Regions#DELTA_E_SAMPLE} pixels)
 * @param deltaE00Inside the mean CIEDE2000 difference over the region's pixels (over a regular grid
 *     of them above {@value Regions#DELTA_E_SAMPLE} pixels)
 */
public record FidelityReport(
    Box region,
    double regionFraction,
    double changedOutside,
    double psnrOutside,
    double ssimOutside,
    double deltaE00Outside,
    double deltaE00Inside) {

  /**
   * Validates the ranges.
   *
   * @throws IllegalArgumentException if a value lies outside its documented range (NaN is accepted
   *     for every metric but {@code regionFraction})
   */
  public FidelityReport {
    if (!(regionFraction > 0 && regionFraction <= 1)) {
      throw new IllegalArgumentException(
          "regionFraction must be in (0, 1] but was " + regionFraction);
    }
    check("changedOutside", changedOutside, 0, 1);
    check("psnrOutside", psnrOutside, 0, Double.POSITIVE_INFINITY);
    check("ssimOutside", ssimOutside, -1, 1);
    check("deltaE00Outside", deltaE00Outside, 0, Double.MAX_VALUE);
    check("deltaE00Inside", deltaE00Inside, 0, Double.MAX_VALUE);
  }

  private static void check(String name, double value, double min, double max) {
    if (!Double.isNaN(value) && !(value >= min && value <= max)) {
      throw new IllegalArgumentException(
          "%s must be in [%s, %s] or NaN but was %s".formatted(name, min, max, value));
    }
  }

  /**
   * Measures an edit of {@code before} into {@code after} within a region.
   *
   * @param before the image before the edit
   * @param after the image after it, the same size
   * @param region the edit mask, the same size; values above 0 are inside
   * @return the report
   * @throws IllegalArgumentException if the sizes differ, the region marks no pixel, or an image is
   *     smaller than the {@value Ssim#WINDOW}-pixel SSIM window
   */
  public static FidelityReport compare(RgbImage before, RgbImage after, Mask region) {
    Ssim.checkSameSize(before, after);
    Regions.checkSize(region, before.width(), before.height());
    Regions.Tally t = Regions.tally(before, after, region);
    Box box = t.box();
    // Windows wholly outside the region see only outside pixels; when none of those changed, each
    // window's SSIM is exactly 1 (the formula's two sides are the same numbers), so the mean is 1
    // without filtering the image, or NaN when no such window exists.
    double ssim =
        t.changedOutside == 0
            ? Ssim.identicalOutside(before, region)
            : Ssim.meanOutside(before, after, region);
    double[] deltaE = Regions.meanDeltaE(before, after, region, t);
    return new FidelityReport(
        box,
        (double) t.inside / ((long) before.width() * before.height()),
        t.changedFraction(),
        Psnr.fromMse(
            t.outside == 0 ? Double.NaN : (double) t.squaredErrorOutside / (3 * t.outside)),
        ssim,
        deltaE[1],
        deltaE[0]);
  }

  /**
   * Returns the fraction of never-edited pixels that differ between the first round of a
   * multi-round edit session and the current image.
   *
   * <p>Each round should composite its edit, so pixels no round has masked must stay identical to
   * round 0; any drift means a round skipped compositing or re-encoded the whole image.
   *
   * @param round0 the image the session started from
   * @param current the image after the latest round, the same size
   * @param everEdited the union of every round's mask; values above 0 count as edited
   * @return a fraction in [0, 1]; empty when every pixel has been edited (a whole-image round, or
   *     regions that together cover the image): then nothing is "never edited" and drift is not
   *     measurable, which is not the same as 0 (nothing drifted)
   * @throws IllegalArgumentException if the sizes differ
   */
  public static OptionalDouble driftOutside(RgbImage round0, RgbImage current, Mask everEdited) {
    Ssim.checkSameSize(round0, current);
    Regions.checkSize(everEdited, round0.width(), round0.height());
    double fraction = Regions.tally(round0, current, everEdited).changedFraction();
    // changedFraction answers NaN for an empty set of pixels; callers get that as "absent" instead
    // of a number that would leak into JSON.
    return Double.isNaN(fraction) ? OptionalDouble.empty() : OptionalDouble.of(fraction);
  }

  /**
   * Returns the report as a JSON object with snake_case keys.
   *
   * <p>Non-finite numbers (an infinite PSNR, or NaN for a metric with nothing to measure) are
   * written as JSON {@code null} so that any JSON parser, not only Python's, reads the result; an
   * infinite PSNR is the one with {@code changed_outside} 0.
   *
   * @return the JSON object
   */
  public JsonValue.Obj toJsonValue() {
    Map<String, JsonValue> box = new LinkedHashMap<>();
    box.put("x", new JsonValue.Num(region.x()));
    box.put("y", new JsonValue.Num(region.y()));
    box.put("width", new JsonValue.Num(region.width()));
    box.put("height", new JsonValue.Num(region.height()));
    Map<String, JsonValue> m = new LinkedHashMap<>();
    m.put("region", new JsonValue.Obj(box));
    m.put("region_fraction", number(regionFraction));
    m.put("changed_outside", number(changedOutside));
    m.put("psnr_outside", number(psnrOutside));
    m.put("ssim_outside", number(ssimOutside));
    m.put("delta_e00_outside", number(deltaE00Outside));
    m.put("delta_e00_inside", number(deltaE00Inside));
    return new JsonValue.Obj(m);
  }

  /**
   * Returns the report as compact JSON text, as {@link #toJsonValue} describes.
   *
   * @return the JSON text
   */
  public String toJson() {
    return Json.write(toJsonValue());
  }

  private static JsonValue number(double value) {
    return Double.isFinite(value) ? new JsonValue.Num(value) : JsonValue.Null.INSTANCE;
  }
}
