package dev.atelier.engine.openai.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Builds a {@code multipart/form-data} body (RFC 7578) in memory: text fields and files, in the
 * order they are added.
 *
 * <p>Field names and file names are ours, so they are only checked, not escaped: quotes, line
 * breaks and non-ASCII are refused. Values are UTF-8. Not thread-safe; build one body per call.
 */
public final class Multipart {
  private final String boundary;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  /** A body with a random boundary. */
  public Multipart() {
    this("atelier-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + "-boundary");
  }

  /**
   * A body with this boundary.
   *
   * @throws IllegalArgumentException when the boundary is not 1..70 characters of RFC 2046's set
   */
  public Multipart(String boundary) {
    if (!boundary.matches("[0-9A-Za-z'()+_,./:=?-]{1,70}")) {
      throw new IllegalArgumentException(
          "boundary must be 1..70 letters, digits or '()+_,-./:=? but was '" + boundary + "'");
    }
    this.boundary = boundary;
  }

  /** Adds a text field. */
  public Multipart field(String name, String value) {
    Objects.requireNonNull(value, "value");
    start(name);
    ascii("Content-Disposition: form-data; name=\"" + checked(name) + "\"\r\n\r\n");
    out.writeBytes(value.getBytes(StandardCharsets.UTF_8));
    ascii("\r\n");
    return this;
  }

  /** Adds a file part with its file name and content type. */
  public Multipart file(String name, String fileName, String contentType, byte[] content) {
    start(name);
    ascii(
        "Content-Disposition: form-data; name=\""
            + checked(name)
            + "\"; filename=\""
            + checked(fileName)
            + "\"\r\nContent-Type: "
            + checked(contentType)
            + "\r\n\r\n");
    out.writeBytes(content);
    ascii("\r\n");
    return this;
  }

  /** The {@code Content-Type} header value, boundary included. */
  public String contentType() {
    return "multipart/form-data; boundary=" + boundary;
  }

  /** The finished body: the parts added so far and the closing delimiter. */
  public byte[] toByteArray() {
    ByteArrayOutputStream copy = new ByteArrayOutputStream(out.size() + boundary.length() + 8);
    copy.writeBytes(out.toByteArray());
    copy.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    return copy.toByteArray();
  }

  private void start(String name) {
    Objects.requireNonNull(name, "name");
    ascii("--" + boundary + "\r\n");
  }

  private void ascii(String s) {
    out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
  }

  private static String checked(String s) {
    if (s.isEmpty() || !s.chars().allMatch(c -> c >= 0x20 && c < 0x7f && c != '"')) {
      throw new IllegalArgumentException(
          "multipart names must be printable ASCII without quotes but was '" + s + "'");
    }
    return s;
  }
}
