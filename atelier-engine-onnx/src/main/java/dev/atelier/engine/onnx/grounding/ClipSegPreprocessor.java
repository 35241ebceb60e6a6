package dev.atelier.engine.onnx.grounding;

import dev.atelier.core.image.RgbImage;
import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.engine.onnx.grounding.internal.PilResize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The image half of transformers' {@code CLIPSegProcessor} (a {@code ViTImageProcessor}): resize,
 * rescale, normalise, channels first.
 *
 * <p>The resize is Pillow's bilinear resize of the 8-bit image, antialiased when shrinking and
 * rounded back to 8 bits, as transformers does before rescaling; see {@link PilResize}. Rescale and
 * normalisation then run in float32 as NumPy does: {@code (v * rescale_factor - mean) / std}.
 *
 * @param width the width images are resized to
 * @param height the height images are resized to
 * @param doResize whether to resize; when false images must already have the model's size
 * @param rescaleFactor the factor from 8-bit values to [0, 1], usually {@code 1/255}; 1 when {@code
 *     do_rescale} is false
 * @param mean per-channel mean subtracted after rescaling (0 when {@code do_normalize} is false)
 * @param std per-channel divisor after the mean (1 when {@code do_normalize} is false)
 */
public record ClipSegPreprocessor(
    int width, int height, boolean doResize, double rescaleFactor, float[] mean, float[] std) {

  // PIL.Image.Resampling.BILINEAR, the only filter implemented here.
  private static final int BILINEAR = 2;

  /**
   * Reads {@code preprocessor_config.json}.
   *
   * @param file the config file
   * @return the preprocessor it describes
   * @throws IllegalArgumentException naming the file and field that is missing or unsupported
   */
  public static ClipSegPreprocessor read(Path file) {
    JsonValue.Obj c;
    try {
      c = Json.parse(Files.readString(file)).asObject();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
    }
    long resample = c.integer("resample", BILINEAR);
    if (resample != BILINEAR) {
      throw new IllegalArgumentException(
          file + ": expected resample 2 (bilinear) but found " + resample);
    }
    int[] size = size(file, c);
    boolean rescale = c.bool("do_rescale", true);
    boolean normalize = c.bool("do_normalize", true);
    float[] mean = normalize ? triple(file, c, "image_mean") : new float[] {0f, 0f, 0f};
    float[] std = normalize ? triple(file, c, "image_std") : new float[] {1f, 1f, 1f};
    return new ClipSegPreprocessor(
        size[0],
        size[1],
        c.bool("do_resize", true),
        rescale ? c.number("rescale_factor", 1.0 / 255) : 1.0,
        mean,
        std);
  }

  private static int[] size(Path file, JsonValue.Obj c) {
    JsonValue v = c.get("size").orElse(null);
    if (v instanceof JsonValue.Num n && n.value() >= 1) {
      // Older configs give one number for a square size.
      return new int[] {(int) n.asLong(), (int) n.asLong()};
    }
    if (v instanceof JsonValue.Obj o && o.has("height") && o.has("width")) {
      return new int[] {(int) o.integer("width", 0), (int) o.integer("height", 0)};
    }
    throw new IllegalArgumentException(
        file + ": expected \"size\" as a number or {\"height\", \"width\"} but found " + v);
  }

  private static float[] triple(Path file, JsonValue.Obj c, String key) {
    List<JsonValue> items = c.array(key);
    if (items.size() != 3 || !items.stream().allMatch(i -> i instanceof JsonValue.Num)) {
      throw new IllegalArgumentException(
          file + ": expected \"" + key + "\" to be 3 numbers but found " + c.get(key).orElse(null));
    }
    float[] out = new float[3];
    for (int i = 0; i < 3; i++) {
      out[i] = (float) ((JsonValue.Num) items.get(i)).value();
    }
    return out;
  }

  /**
   * Validates the sizes and statistics.
   *
   * @throws IllegalArgumentException if a side is below 1, the rescale factor is not positive, or
   *     mean or std does not hold 3 values (std all non-zero)
   */
  public ClipSegPreprocessor {
    mean = mean.clone();
    std = std.clone();
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException(
          "preprocessor size must be at least 1x1 but was " + width + "x" + height);
    }
    if (!(rescaleFactor > 0)) {
      throw new IllegalArgumentException("rescale_factor must be > 0 but was " + rescaleFactor);
    }
    if (mean.length != 3 || std.length != 3) {
      throw new IllegalArgumentException(
          "image_mean and image_std must hold 3 values but hold "
              + mean.length
              + " and "
              + std.length);
    }
    for (float s : std) {
      if (s == 0f) {
        throw new IllegalArgumentException("image_std values must be non-zero but one is 0");
      }
    }
  }

  /**
   * Turns an image into the model's {@code pixel_values} for one batch row.
   *
   * @param image any size when {@link #doResize()}, else exactly {@code width x height}
   * @return {@code 3 * height * width} floats, channel planes in R, G, B order
   * @throws IllegalArgumentException if resizing is off and the image has another size
   */
  public float[] apply(RgbImage image) {
    byte[] rgb = image.rgb();
    if (image.width() != width || image.height() != height) {
      if (!doResize) {
        throw new IllegalArgumentException(
            "image must be %dx%d (do_resize is false) but was %dx%d"
                .formatted(width, height, image.width(), image.height()));
      }
      rgb = PilResize.bilinear(rgb, image.width(), image.height(), width, height);
    }
    int plane = width * height;
    float[] out = new float[3 * plane];
    for (int p = 0; p < plane; p++) {
      for (int c = 0; c < 3; c++) {
        // transformers rescales in float64 and stores float32, then normalises in float32.
        float x = (float) ((rgb[p * 3 + c] & 0xff) * rescaleFactor);
        out[c * plane + p] = (x - mean[c]) / std[c];
      }
    }
    return out;
  }
}
