package dev.atelier.engine.onnx.rng;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Noise drawn image by image from one source per image, like diffusers given a list of generators.
 *
 * <p>A draw of shape {@code [B, ...]} asks source {@code i} for {@code [1, ...]} and concatenates
 * the results along the first axis. Image {@code i} therefore depends only on its own source, so
 * the same seed gives the same image whatever the batch size, unlike a single {@link
 * TorchGenerator} shared by the batch. Not thread-safe when its sources are not.
 */
public final class PerImageNoise implements NoiseSource {
  private final List<NoiseSource> sources;

  /**
   * Creates per-image noise from one source per image, in batch order.
   *
   * @param sources the sources; image {@code i} of every draw comes from {@code sources.get(i)}
   * @throws IllegalArgumentException if {@code sources} is empty
   * @throws NullPointerException if {@code sources} or one of its elements is null
   */
  public PerImageNoise(List<NoiseSource> sources) {
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("per-image noise needs at least 1 source but got 0");
    }
    this.sources = List.copyOf(sources);
  }

  /**
   * Creates per-image noise from {@link TorchGenerator}s seeded {@code firstSeed + i}.
   *
   * <p>This is how a batch is seeded so that image {@code i} equals a single-image run with seed
   * {@code firstSeed + i}.
   *
   * @param firstSeed the seed of image 0
   * @param count the number of images
   * @return noise for a batch of {@code count} images
   * @throws IllegalArgumentException if {@code count < 1}
   */
  public static PerImageNoise seeded(long firstSeed, int count) {
    if (count < 1) {
      throw new IllegalArgumentException("image count must be >= 1 but was " + count);
    }
    List<NoiseSource> generators = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      generators.add(new TorchGenerator(firstSeed + i));
    }
    return new PerImageNoise(generators);
  }

  /**
   * Returns the number of images, which every draw's first dimension must equal.
   *
   * @return the number of sources
   */
  public int imageCount() {
    return sources.size();
  }

  /**
   * Draws {@code [1, shape[1..]]} from each source and concatenates the results in image order.
   *
   * @param shape the batch shape; {@code shape[0]} is the batch size
   * @return a new row-major array of the shape's element count
   * @throws IllegalArgumentException if the shape has no dimensions, {@code shape[0]} differs from
   *     the number of sources, a dimension is negative, or the element count exceeds {@code
   *     Integer.MAX_VALUE - 8}
   */
  @Override
  public float[] randn(long... shape) {
    if (shape.length == 0) {
      throw new IllegalArgumentException("shape must have a batch dimension but was [] (a scalar)");
    }
    if (shape[0] != sources.size()) {
      throw new IllegalArgumentException(
          "shape[0] must equal the image count "
              + sources.size()
              + " but was "
              + shape[0]
              + " in shape "
              + Arrays.toString(shape));
    }
    float[] out = new float[TorchGenerator.elementCount(shape)];
    long[] perImage = shape.clone();
    perImage[0] = 1;
    int per = out.length / sources.size();
    for (int i = 0; i < sources.size(); i++) {
      float[] image = sources.get(i).randn(perImage);
      if (image.length != per) {
        throw new IllegalStateException(
            "source "
                + i
                + " must return "
                + per
                + " values for shape "
                + Arrays.toString(perImage)
                + " but returned "
                + image.length);
      }
      System.arraycopy(image, 0, out, i * per, per);
    }
    return out;
  }
}
