package dev.atelier.store.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Blob names: the lowercase hex SHA-256 of the bytes, and nothing else. */
public final class BlobNames {
  private static final Pattern NAME = Pattern.compile("[0-9a-f]{64}");

  private BlobNames() {}

  /** True when {@code name} is 64 lowercase hex digits. */
  public static boolean isValid(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /**
   * Returns {@code name} when valid.
   *
   * <p>Checked before any path is built from it, so that a name from a request ("../x") can never
   * point outside the blob folder.
   *
   * @throws IllegalArgumentException naming what was expected and what was found
   */
  public static String require(String name) {
    if (!isValid(name)) {
      throw new IllegalArgumentException(
          "blob name must be 64 lowercase hex digits (a SHA-256) but was "
              + (name == null ? "null" : "\"" + abbreviate(name) + "\""));
    }
    return name;
  }

  /** The lowercase hex SHA-256 of {@code bytes}. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "...";
  }
}
