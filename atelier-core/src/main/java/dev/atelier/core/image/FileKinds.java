package dev.atelier.core.image;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Says in words what bytes that are not a supported image look like, so that a refusal tells the
 * sender what they actually sent ("an SVG document", "a PDF file") rather than only hex.
 */
final class FileKinds {
  private FileKinds() {}

  /** A phrase such as {@code "got 0 bytes"} or {@code "the bytes look like an SVG document"}. */
  static String describe(byte[] b) {
    if (b.length == 0) {
      return "got 0 bytes";
    }
    String kind = kind(b);
    String head = hex(b);
    return kind.isEmpty()
        ? "the bytes start with 0x" + head
        : "the bytes look like " + kind + " (starting with 0x" + head + ")";
  }

  private static String kind(byte[] b) {
    String text =
        new String(b, 0, Math.min(b.length, 1024), StandardCharsets.ISO_8859_1)
            .replaceFirst("^(\u00ef\u00bb\u00bf)?\\s*", "")
            .toLowerCase(Locale.ROOT);
    if (text.startsWith("<") && text.contains("<svg")) {
      return "an SVG document (vector images are not accepted; send a PNG rendering)";
    }
    if (text.startsWith("<!doctype html") || text.startsWith("<html")) {
      return "an HTML document";
    }
    if (text.startsWith("<")) {
      return "an XML document";
    }
    if (text.startsWith("%pdf")) {
      return "a PDF file";
    }
    if (text.startsWith("ii*\0") || text.startsWith("mm\0*")) {
      return "a TIFF image (not accepted)";
    }
    if (b.length >= 12 && text.startsWith("ftyp", 4)) {
      return "an ISO media file such as HEIC, AVIF or MP4 (not accepted)";
    }
    if (text.startsWith("riff")) {
      return "a RIFF file that is not WebP";
    }
    if (text.startsWith("gif") || text.startsWith("\u0089png")) {
      return "a damaged GIF or PNG signature";
    }
    if (text.startsWith("{") || text.startsWith("[")) {
      return "JSON text";
    }
    if (text.startsWith("data:")) {
      return "a data URL sent as raw bytes";
    }
    if (text.chars()
        .limit(64)
        .allMatch(c -> c == '\t' || c == '\n' || c == '\r' || c >= 32 && c < 127)) {
      return "plain text";
    }
    return "";
  }

  private static String hex(byte[] b) {
    StringBuilder head = new StringBuilder();
    for (int i = 0; i < Math.min(8, b.length); i++) {
      head.append("%02x".formatted(b[i] & 0xff));
    }
    return head.toString();
  }
}
