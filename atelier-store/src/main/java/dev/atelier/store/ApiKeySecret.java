package dev.atelier.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An API key's secret: {@code atl_} and 43 base62 characters holding 256 random bits.
 *
 * <p>Held only between its creation and the moment it is printed once; what is stored is {@link
 * #hash}, the hex SHA-256 of the secret (docs/adr/0018-api-key-hashing.md says why a fast hash is
 * right for random secrets). {@link #toString} shows the prefix only, so a secret that reaches a
 * log line or an exception message through a careless {@code +} still stays secret; {@link #reveal}
 * is the one way to read it.
 */
public final class ApiKeySecret {
  /** What every secret starts with. */
  public static final String MARK = "atl_";

  /** Characters after {@link #MARK} that lists show. */
  public static final int PREFIX_CHARS = 8;

  private static final char[] BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
  // 62^43 > 2^256 > 62^42: 43 digits hold any 256-bit number.
  private static final int DIGITS = 43;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String value;

  private ApiKeySecret(String value) {
    this.value = value;
  }

  /** A fresh secret from 256 bits of {@link SecureRandom}. */
  public static ApiKeySecret generate() {
    byte[] bits = new byte[32];
    RANDOM.nextBytes(bits);
    java.math.BigInteger n = new java.math.BigInteger(1, bits);
    java.math.BigInteger base = java.math.BigInteger.valueOf(BASE62.length);
    char[] digits = new char[DIGITS];
    for (int i = DIGITS - 1; i >= 0; i--) {
      java.math.BigInteger[] qr = n.divideAndRemainder(base);
      digits[i] = BASE62[qr[1].intValue()];
      n = qr[0];
    }
    return new ApiKeySecret(MARK + new String(digits));
  }

  /** The secret itself, to print once to the user who created it. */
  public String reveal() {
    return value;
  }

  /** The first {@value #PREFIX_CHARS} characters after {@code atl_}, safe to show in lists. */
  public String prefix() {
    return value.substring(MARK.length(), MARK.length() + PREFIX_CHARS);
  }

  /** What the store keeps: {@link #hashOf} this secret. */
  public String hash() {
    return hashOf(value);
  }

  /** The lowercase hex SHA-256 of {@code presented}'s UTF-8 bytes. */
  public static String hashOf(String presented) {
    Objects.requireNonNull(presented, "presented");
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(presented.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /**
   * Whether two hashes are equal, in time that does not depend on where they differ ({@link
   * MessageDigest#isEqual}), so response times say nothing about a stored hash.
   */
  public static boolean sameHash(String a, String b) {
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * The prefix of a presented token, or {@code ""} when it does not look like a secret: {@code
   * atl_} and at least {@value #PREFIX_CHARS} more characters.
   */
  public static String prefixOf(String presented) {
    return presented.startsWith(MARK) && presented.length() >= MARK.length() + PREFIX_CHARS
        ? presented.substring(MARK.length(), MARK.length() + PREFIX_CHARS)
        : "";
  }

  /** {@code atl_PREFIX…}: never the secret. */
  @Override
  public String toString() {
    return MARK + prefix() + "…(secret hidden)";
  }
}
