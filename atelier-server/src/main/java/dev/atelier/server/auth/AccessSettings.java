package dev.atelier.server.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What decides who may reach the server's answers from where: the secret image URLs are signed with
 * and how long they stay valid, the browser origins CORS allows, and the clock rate limits and URL
 * expiry read.
 *
 * @param urlSecret the HMAC-SHA256 key of signed image URLs (at least 32 bytes); copied
 * @param urlTtl how long a signed image URL stays valid (positive)
 * @param corsOrigins the origins ({@code https://app.example.com}) browsers may call the API from;
 *     empty: CORS off
 * @param clock what rate limits, daily quotas and URL expiry read (tests inject a fixed one)
 */
public record AccessSettings(
    byte[] urlSecret, Duration urlTtl, List<String> corsOrigins, Clock clock) {

  /** The name of the secret's file in the data dir. */
  public static final String SECRET_FILE = "url-secret";

  /** A signed image URL's default lifetime. */
  public static final Duration DEFAULT_URL_TTL = Duration.ofHours(1);

  private static final int SECRET_BYTES = 32;

  /** Validates and copies. */
  public AccessSettings {
    Objects.requireNonNull(urlSecret, "urlSecret");
    Objects.requireNonNull(urlTtl, "urlTtl");
    Objects.requireNonNull(clock, "clock");
    if (urlSecret.length < SECRET_BYTES) {
      throw new IllegalArgumentException(
          "urlSecret must be at least " + SECRET_BYTES + " bytes but was " + urlSecret.length);
    }
    if (urlTtl.isNegative() || urlTtl.isZero()) {
      throw new IllegalArgumentException("urlTtl must be positive but was " + urlTtl);
    }
    urlSecret = urlSecret.clone();
    corsOrigins = List.copyOf(corsOrigins);
    for (String o : corsOrigins) {
      if (!o.matches("https?://[^/\\s]+")) {
        throw new IllegalArgumentException(
            "a CORS origin must be scheme://host[:port] with no path but was '" + o + "'");
      }
    }
  }

  /**
   * A fresh random secret that lives as long as this object, the default lifetime, no CORS and the
   * system clock: for servers without a data dir (tests); URLs do not survive a restart.
   */
  public static AccessSettings ephemeral() {
    byte[] secret = new byte[SECRET_BYTES];
    new SecureRandom().nextBytes(secret);
    return new AccessSettings(secret, DEFAULT_URL_TTL, List.of(), Clock.systemUTC());
  }

  /** These settings with another URL lifetime. */
  public AccessSettings withUrlTtl(Duration ttl) {
    return new AccessSettings(urlSecret, ttl, corsOrigins, clock);
  }

  /** These settings with another CORS allow-list. */
  public AccessSettings withCorsOrigins(List<String> origins) {
    return new AccessSettings(urlSecret, urlTtl, origins, clock);
  }

  /** These settings reading another clock. */
  public AccessSettings withClock(Clock newClock) {
    return new AccessSettings(urlSecret, urlTtl, corsOrigins, newClock);
  }

  /** The secret (a copy). */
  @Override
  public byte[] urlSecret() {
    return urlSecret.clone();
  }

  /**
   * The secret kept in {@code dataDir}'s {@value #SECRET_FILE}: read when it exists, else 32 random
   * bytes written to a new file that only its owner can read (0600 where the file system is POSIX),
   * so signed URLs keep working across restarts.
   *
   * @throws UncheckedIOException when the file cannot be read or written
   * @throws IllegalStateException when the file holds fewer than 32 bytes
   */
  public static byte[] secretIn(Path dataDir) {
    Path file = dataDir.resolve(SECRET_FILE);
    try {
      if (!Files.exists(file)) {
        byte[] secret = new byte[SECRET_BYTES];
        new SecureRandom().nextBytes(secret);
        try {
          if (Files.getFileStore(dataDir).supportsFileAttributeView("posix")) {
            Files.createFile(
                file,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
          } else {
            Files.createFile(file);
          }
          Files.write(file, secret);
          return secret;
        } catch (FileAlreadyExistsException raced) {
          // another process created it first: read theirs
        }
      }
      byte[] secret = Files.readAllBytes(file);
      if (secret.length < SECRET_BYTES) {
        throw new IllegalStateException(
            file + " must hold at least " + SECRET_BYTES + " bytes but holds " + secret.length);
      }
      return secret;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create " + file, e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AccessSettings a
        && Arrays.equals(urlSecret, a.urlSecret)
        && urlTtl.equals(a.urlTtl)
        && corsOrigins.equals(a.corsOrigins)
        && clock.equals(a.clock);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(urlSecret), urlTtl, corsOrigins, clock);
  }

  /** Never shows the secret. */
  @Override
  public String toString() {
    return "AccessSettings[urlTtl=" + urlTtl + ", corsOrigins=" + corsOrigins + "]";
  }
}
