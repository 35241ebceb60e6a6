package dev.atelier.store;

import java.util.Map;
import java.util.Objects;

/**
 * How to reach an S3-compatible blob store, as {@code serve} and the other commands resolve it from
 * flags and the standard AWS environment variables.
 *
 * @param endpoint the store's URL ({@code http://127.0.0.1:9000}); {@code ""} for AWS S3
 * @param pathStyle path-style addressing: on, off, or {@link PathStyle#AUTO} (on with an endpoint)
 * @param region the signing region; {@code ""} for us-east-1 with an endpoint, else the AWS SDK's
 *     region chain
 * @param accessKeyId the access key id; {@code ""} for the AWS SDK's default credentials chain
 * @param secretAccessKey the secret key ({@code ""} with no access key id); never shown
 * @param sessionToken a session token for temporary credentials, or {@code ""}
 */
public record S3Settings(
    String endpoint,
    PathStyle pathStyle,
    String region,
    String accessKeyId,
    String secretAccessKey,
    String sessionToken) {

  /** Whether keys are addressed as {@code ENDPOINT/BUCKET/KEY}. */
  public enum PathStyle {
    /** On when an endpoint is given, off for AWS S3. */
    AUTO,
    ON,
    OFF
  }

  /** AWS S3 with the SDK's default region and credentials chains. */
  public static final S3Settings DEFAULT = new S3Settings("", PathStyle.AUTO, "", "", "", "");

  /** Validates. */
  public S3Settings {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(pathStyle, "pathStyle");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(accessKeyId, "accessKeyId");
    Objects.requireNonNull(secretAccessKey, "secretAccessKey");
    Objects.requireNonNull(sessionToken, "sessionToken");
    if (accessKeyId.isEmpty() != secretAccessKey.isEmpty()) {
      throw new IllegalArgumentException(
          "S3 credentials need both an access key id and a secret access key, or neither (the"
              + " AWS default chain)");
    }
  }

  /**
   * The settings of the standard AWS variables in {@code env}: {@code AWS_ENDPOINT_URL_S3} (else
   * {@code AWS_ENDPOINT_URL}), {@code AWS_REGION} (else {@code AWS_DEFAULT_REGION}), and {@code
   * AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, {@code AWS_SESSION_TOKEN} when both keys are
   * set (otherwise the SDK's default chain: profiles, container and instance roles).
   */
  public static S3Settings fromEnvironment(Map<String, String> env) {
    String id = env.getOrDefault("AWS_ACCESS_KEY_ID", "");
    String secret = env.getOrDefault("AWS_SECRET_ACCESS_KEY", "");
    boolean keys = !id.isBlank() && !secret.isBlank();
    return new S3Settings(
        first(env, "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"),
        PathStyle.AUTO,
        first(env, "AWS_REGION", "AWS_DEFAULT_REGION"),
        keys ? id : "",
        keys ? secret : "",
        keys ? env.getOrDefault("AWS_SESSION_TOKEN", "") : "");
  }

  private static String first(Map<String, String> env, String name, String fallback) {
    String v = env.getOrDefault(name, "");
    return v.isBlank() ? env.getOrDefault(fallback, "").trim() : v.trim();
  }

  /** These settings with another endpoint ({@code ""}: AWS S3). */
  public S3Settings withEndpoint(String newEndpoint) {
    return new S3Settings(
        newEndpoint, pathStyle, region, accessKeyId, secretAccessKey, sessionToken);
  }

  /** These settings with path-style addressing on, off or automatic. */
  public S3Settings withPathStyle(PathStyle newPathStyle) {
    return new S3Settings(
        endpoint, newPathStyle, region, accessKeyId, secretAccessKey, sessionToken);
  }

  /** Never shows the secret key or the session token. */
  @Override
  public String toString() {
    return "S3Settings[endpoint="
        + endpoint
        + ", pathStyle="
        + pathStyle
        + ", region="
        + region
        + ", accessKeyId="
        + accessKeyId
        + ", secretAccessKey="
        + (secretAccessKey.isEmpty() ? "" : "***")
        + ", sessionToken="
        + (sessionToken.isEmpty() ? "" : "***")
        + "]";
  }
}
