package dev.atelier.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Memory sizes for {@code serve --max-memory}: parsing them and estimating a model folder's. */
final class MemorySize {
  private static final Pattern SIZE =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(?:i?b)?", Pattern.CASE_INSENSITIVE);

  private MemorySize() {}

  /**
   * The bytes {@code text} names: a number with an optional binary unit, {@code 12g}, {@code 800m},
   * {@code 1.5GiB}, {@code 1048576}.
   *
   * @throws IllegalArgumentException when {@code text} is not such a size or names 0 bytes
   */
  static long parse(String text) {
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "--max-memory must be a size like 12g, 800m or 1.5GiB but was '" + text + "'");
    }
    int shift =
        switch (m.group(2).toLowerCase(Locale.ROOT)) {
          case "k" -> 10;
          case "m" -> 20;
          case "g" -> 30;
          case "t" -> 40;
          default -> 0;
        };
    double bytes = Double.parseDouble(m.group(1)) * (1L << shift);
    if (bytes < 1 || bytes >= Long.MAX_VALUE) {
      throw new IllegalArgumentException(
          "--max-memory must be at least 1 byte and below 8 EiB but was '" + text + "'");
    }
    return (long) bytes;
  }

  /**
   * A first estimate of the memory a loaded ONNX model folder takes: the size on disk of its {@code
   * .onnx} files and their external data (the other files beside them, except JSON and text such as
   * configs and tokenizers). ONNX Runtime's working memory comes on top.
   *
   * @throws UncheckedIOException when the folder cannot be read
   */
  static long estimate(Path folder) {
    try (Stream<Path> files = Files.walk(folder)) {
      return files
          .filter(Files::isRegularFile)
          .filter(MemorySize::isWeights)
          .mapToLong(MemorySize::size)
          .sum();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read model folder " + folder, e);
    }
  }

  private static boolean isWeights(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".onnx")) {
      return true;
    }
    if (name.startsWith(".") || name.endsWith(".json") || name.endsWith(".txt")) {
      return false;
    }
    if (name.endsWith(".md") || name.endsWith(".png")) {
      return false;
    }
    // External data sits beside its graph (weights.pb, model.onnx_data).
    try (Stream<Path> siblings = Files.list(file.getParent())) {
      return siblings.anyMatch(p -> p.getFileName().toString().endsWith(".onnx"));
    } catch (IOException e) {
      return false;
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** For the banner: {@code 12.0 GiB}. */
  static String format(long bytes) {
    return dev.atelier.engine.onnx.hub.ProgressFormatter.bytes(bytes);
  }
}
