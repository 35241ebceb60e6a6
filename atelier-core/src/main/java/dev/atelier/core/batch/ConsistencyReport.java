package dev.atelier.core.batch;

import dev.atelier.core.image.RgbImage;
import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How alike the colours of a batch's images are: the mean over all pairs of images of their {@link
 * Palette} distance (CIEDE2000) and of their {@link LabHistogram} distance.
 *
 * <p>Lower is more consistent. For scale, from the tests: the same drawn scene at 64x64 and at
 * 512x384 scores a palette distance of 0.4 and a histogram distance of 0.03; that scene against a
 * grey striped picture 23 and 0.99; flat red against flat blue 47 and 1. A batch of fewer than two
 * images has no pairs and reports zeros.
 *
 * @param paletteCiede2000 mean pairwise {@link Palette#distanceTo}, at least 0
 * @param labHistogramDistance mean pairwise {@link LabHistogram#distanceTo}, in [0, 1]
 * @param pairs the number of pairs averaged, {@code images * (images - 1) / 2}
 * @param images the number of images
 */
public record ConsistencyReport(
    double paletteCiede2000, double labHistogramDistance, int pairs, int images) {

  /**
   * Validates the values.
   *
   * @throws IllegalArgumentException if a distance is negative or not finite, the histogram
   *     distance exceeds 1, or {@code pairs} is not {@code images * (images - 1) / 2}
   */
  public ConsistencyReport {
    if (!(paletteCiede2000 >= 0) || Double.isInfinite(paletteCiede2000)) {
      throw new IllegalArgumentException(
          "paletteCiede2000 must be a finite number >= 0 but was " + paletteCiede2000);
    }
    if (!(labHistogramDistance >= 0 && labHistogramDistance <= 1)) {
      throw new IllegalArgumentException(
          "labHistogramDistance must be in [0, 1] but was " + labHistogramDistance);
    }
    if (images < 0 || pairs != pairsOf(images)) {
      throw new IllegalArgumentException(
          "pairs must be images * (images - 1) / 2 = %d for %d images but was %d"
              .formatted(pairsOf(Math.max(0, images)), images, pairs));
    }
  }

  /**
   * Measures a batch.
   *
   * @param images the batch, in any order
   * @return the report; zeros with no pairs when fewer than two images are given
   */
  public static ConsistencyReport of(List<RgbImage> images) {
    int n = images.size();
    if (n < 2) {
      return new ConsistencyReport(0, 0, 0, n);
    }
    Palette[] palettes = new Palette[n];
    LabHistogram[] histograms = new LabHistogram[n];
    for (int i = 0; i < n; i++) {
      palettes[i] = Palette.of(images.get(i));
      histograms[i] = LabHistogram.of(images.get(i));
    }
    double palette = 0;
    double histogram = 0;
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        palette += palettes[i].distanceTo(palettes[j]);
        histogram += histograms[i].distanceTo(histograms[j]);
      }
    }
    int pairs = pairsOf(n);
    return new ConsistencyReport(palette / pairs, Math.min(1, histogram / pairs), pairs, n);
  }

  /**
   * The report as a JSON object: {@code {"palette_ciede2000": x, "lab_histogram_distance": y,
   * "pairs": p, "images": n}}.
   *
   * @return the JSON object
   */
  public JsonValue.Obj toJsonValue() {
    Map<String, JsonValue> m = new LinkedHashMap<>();
    m.put("palette_ciede2000", new JsonValue.Num(paletteCiede2000));
    m.put("lab_histogram_distance", new JsonValue.Num(labHistogramDistance));
    m.put("pairs", new JsonValue.Num(pairs));
    m.put("images", new JsonValue.Num(images));
    return new JsonValue.Obj(m);
  }

  /**
   * The report as compact JSON text, as {@link #toJsonValue} describes.
   *
   * @return the JSON text
   */
  public String toJson() {
    return Json.write(toJsonValue());
  }

  private static int pairsOf(int images) {
    return images < 2 ? 0 : images * (images - 1) / 2;
  }
}
