package dev.atelier.core.image;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriter;

/**
 * Finds the WebP ImageIO plugins that the application put on the class path; the JDK has none.
 *
 * <p>Core names no plugin at compile time (ADR 0003, 0013): the server and CLI ship TwelveMonkeys'
 * pure-Java reader and a libwebp-backed writer, and this class picks them by what they are. Uploads
 * are untrusted, so a pure-Java reader is preferred over any native one that may also be
 * registered: a malformed file then costs an exception, not memory corruption (libwebp's own
 * decoder had CVE-2023-4863). The writer only ever sees pixels this process made.
 */
final class WebpPlugins {

  /** Package of TwelveMonkeys' WebP reader, the pure-Java one preferred for untrusted bytes. */
  static final String PURE_JAVA_READER_PACKAGE = "com.twelvemonkeys.imageio.plugins.webp";

  private WebpPlugins() {}

  /** The reader to decode with, or empty when no WebP reader is registered. */
  static Optional<ImageReader> reader() {
    List<ImageReader> readers = new ArrayList<>();
    ImageIO.getImageReadersByFormatName("webp").forEachRemaining(readers::add);
    ImageReader chosen =
        readers.stream()
            .filter(r -> r.getClass().getName().startsWith(PURE_JAVA_READER_PACKAGE))
            .findFirst()
            .orElse(readers.isEmpty() ? null : readers.get(0));
    readers.stream().filter(r -> r != chosen).forEach(ImageReader::dispose);
    return Optional.ofNullable(chosen);
  }

  /** A fresh writer, or empty when no WebP writer is registered. */
  static Optional<ImageWriter> writer() {
    Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("webp");
    return writers.hasNext() ? Optional.of(writers.next()) : Optional.empty();
  }

  /**
   * Why WebP cannot be written here, or empty when it can; probed once by encoding one pixel, since
   * a native writer may be registered yet fail to load its library on this platform.
   */
  static Optional<String> encoderProblem() {
    return Probe.PROBLEM;
  }

  private static final class Probe {
    static final Optional<String> PROBLEM = probe();

    private static Optional<String> probe() {
      if (writer().isEmpty()) {
        return Optional.of("no WebP encoder (ImageIO writer) is on its class path");
      }
      try {
        ImageCodec.encodeWebp(
            RgbImage.from(new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB)), 1f);
        return Optional.empty();
      } catch (RuntimeException | LinkageError e) {
        // UnsatisfiedLinkError when the bundled libwebp has no build for this OS or CPU.
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return Optional.of("its WebP encoder failed to start on this platform (" + detail + ")");
      }
    }
  }
}
