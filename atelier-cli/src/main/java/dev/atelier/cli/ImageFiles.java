package dev.atelier.cli;

import dev.atelier.core.GeneratedImage;
import dev.atelier.core.image.ImageCodec;
import dev.atelier.core.image.ImageLimits;
import dev.atelier.core.image.PngMetadata;
import dev.atelier.core.image.RgbImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** Reading input images and writing results as PNGs that carry their parameters. */
final class ImageFiles {
  private ImageFiles() {}

  /**
   * The PNG text chunks for an image ({@link PngMetadata}: A1111 {@code parameters}, {@code
   * atelier} JSON, {@code Software}), the same as the server writes.
   */
  static Map<String, String> metadata(GeneratedImage image) {
    Map<String, String> provenance = new LinkedHashMap<>(image.parameters());
    provenance.putIfAbsent("seed", Long.toString(image.seed()));
    return PngMetadata.textChunks(provenance);
  }

  /**
   * Writes {@code image} to {@code file} atomically (temp file, then move).
   *
   * <p>The file gets the mode any CLI tool's output gets, 0666 less the user's umask (0644 under
   * the usual 022): the temp file is created with a plain open rather than {@link
   * Files#createTempFile}, which would make it 0600.
   */
  static void writePng(GeneratedImage image, Path file) throws IOException {
    byte[] png = ImageCodec.encodePng(image.image(), metadata(image));
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = dir.resolve(".atelier-" + UUID.randomUUID() + ".png.tmp");
    try {
      Files.write(tmp, png, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Reads an image file.
   *
   * @throws IllegalArgumentException naming the file when it is missing or not a readable image
   */
  static RgbImage read(Path file, String what) {
    return RgbImage.from(readRaw(file, what));
  }

  static java.awt.image.BufferedImage readRaw(Path file, String what) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(what + " " + file + " does not exist or is not a file");
    }
    try {
      return ImageCodec.decodeRaw(Files.readAllBytes(file), ImageLimits.DEFAULT);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read " + what + " " + file + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + " " + file + ": " + e.getMessage());
    }
  }

  /**
   * Writes every image into {@code dir} and prints one line per file with its seed.
   *
   * @param batchNoise whether the images share one seed (file names then carry the index)
   */
  static void writeAll(
      java.util.List<GeneratedImage> images, Path dir, boolean batchNoise, java.io.PrintWriter out)
      throws IOException {
    for (int i = 0; i < images.size(); i++) {
      GeneratedImage image = images.get(i);
      Path file = dir.resolve(fileName(image, i, batchNoise));
      writePng(image, file);
      out.println(file + "  seed " + image.seed());
    }
    out.flush();
  }

  /** The file name for image {@code index} of a batch. */
  static String fileName(GeneratedImage image, int index, boolean batchNoise) {
    return batchNoise
        ? "atelier-" + image.seed() + "-" + index + ".png"
        : "atelier-" + image.seed() + ".png";
  }
}
