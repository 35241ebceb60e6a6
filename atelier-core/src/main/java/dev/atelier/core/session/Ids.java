package dev.atelier.core.session;

import java.security.SecureRandom;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Server-generated ids such as {@code img_...}, {@code ses_...} and {@code rnd_...}: a short
 * lowercase prefix, an underscore and 24 characters of lowercase RFC 4648 base32 ({@code a-z},
 * {@code 2-7}) encoding 120 random bits from {@link SecureRandom}.
 *
 * <p>Ids are unguessable so that knowing one image's id says nothing about another's; {@link
 * #isValid} lets a server reject a malformed id from a request before any lookup.
 */
public final class Ids {

  /** Characters after the underscore. */
  public static final int RANDOM_CHARS = 24;

  private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
  private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9]{0,15}");
  private static final Pattern RANDOM_PART = Pattern.compile("[a-z2-7]{" + RANDOM_CHARS + "}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private Ids() {}

  /**
   * A fresh id: {@code prefix + "_" +} 24 random base32 characters.
   *
   * @throws IllegalArgumentException if {@code prefix} is not 1-16 lowercase letters or digits
   *     starting with a letter
   */
  public static String newId(String prefix) {
    checkPrefix(prefix);
    // 15 bytes are exactly 120 bits, 24 groups of 5, so no character is biased by padding.
    byte[] bytes = new byte[RANDOM_CHARS * 5 / 8];
    RANDOM.nextBytes(bytes);
    StringBuilder id = new StringBuilder(prefix.length() + 1 + RANDOM_CHARS).append(prefix);
    id.append('_');
    int buffer = 0;
    int bits = 0;
    for (byte b : bytes) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        bits -= 5;
        id.append(ALPHABET[(buffer >>> bits) & 31]);
      }
    }
    return id.toString();
  }

  /**
   * Whether {@code id} has exactly the shape {@link #newId} gives for {@code prefix}; says nothing
   * about whether such an id exists.
   *
   * @throws IllegalArgumentException if {@code prefix} is not a valid prefix (a programming error,
   *     unlike a malformed {@code id})
   */
  public static boolean isValid(String prefix, String id) {
    checkPrefix(prefix);
    Objects.requireNonNull(id, "id");
    return id.length() == prefix.length() + 1 + RANDOM_CHARS
        && id.startsWith(prefix)
        && id.charAt(prefix.length()) == '_'
        && RANDOM_PART.matcher(id).region(prefix.length() + 1, id.length()).matches();
  }

  private static void checkPrefix(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    if (!PREFIX.matcher(prefix).matches()) {
      throw new IllegalArgumentException(
          "prefix must be 1-16 lowercase letters or digits starting with a letter but was \""
              + prefix
              + "\"");
    }
  }
}
