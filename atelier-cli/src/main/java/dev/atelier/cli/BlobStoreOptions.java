package dev.atelier.cli;

import dev.atelier.core.AtelierException;
import dev.atelier.server.BlobPolicy;
import dev.atelier.store.BlobStore;
import dev.atelier.store.S3Settings;
import dev.atelier.store.Stores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Where image bytes live: files in the data folder (the default) or an S3-compatible bucket, with
 * the settings such stores need, and how the server uses the store (sweep grace, presigned
 * redirects). Credentials are never flags: they come from {@code AWS_ACCESS_KEY_ID}/{@code
 * AWS_SECRET_ACCESS_KEY} or the rest of the AWS SDK's default chain.
 */
final class BlobStoreOptions {
  @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--blob-store",
      paramLabel = "URL",
      description =
          "Where images are stored: s3://BUCKET[/PREFIX] for an S3-compatible store (AWS S3,"
              + " MinIO, R2, B2, ...; credentials from AWS_ACCESS_KEY_ID and"
              + " AWS_SECRET_ACCESS_KEY or the AWS default chain). Default: $ATELIER_BLOB_STORE,"
              + " else files in the data dir.")
  String blobStore;

  @Option(
      names = "--s3-endpoint",
      paramLabel = "URL",
      description =
          "The S3-compatible store's URL (http://127.0.0.1:9000,"
              + " https://ACCOUNT.r2.cloudflarestorage.com). Default: $AWS_ENDPOINT_URL_S3, else"
              + " $AWS_ENDPOINT_URL, else AWS S3. Region: $AWS_REGION, default us-east-1 with an"
              + " endpoint.")
  String s3Endpoint;

  @Option(
      names = "--s3-path-style",
      paramLabel = "BOOL",
      arity = "0..1",
      fallbackValue = "true",
      description =
          "Path-style addressing (ENDPOINT/BUCKET/KEY), which most self-hosted stores need."
              + " Default: on with an endpoint, off for AWS S3.")
  Boolean s3PathStyle;

  @Option(
      names = "--s3-presign",
      description =
          "Image URLs (still the server's signed /v1/images/{id}/content URLs) answer with a 302"
              + " to a presigned GET of the bucket, valid for --url-ttl (at most 7 days), so"
              + " image bytes do not pass through the server. Default: off.")
  boolean s3Presign;

  @Option(
      names = "--blob-sweep-grace",
      paramLabel = "DURATION",
      description =
          "At start, blobs no row names are deleted once older than this (30m, 1h, PT2H, 0),"
              + " so a blob whose row another node is still committing is never deleted. Default:"
              + " 0 with SQLite and files (one process writes), else 1h.")
  String sweepGrace;

  /** {@code --blob-store}, else {@code $ATELIER_BLOB_STORE}, else {@code ""} (files). */
  String location(Map<String, String> env) {
    String v = blobStore != null ? blobStore : env.getOrDefault("ATELIER_BLOB_STORE", "");
    return v.trim();
  }

  /**
   * Opens the blob store these options and {@code env} name, checking an S3 bucket now (so a wrong
   * bucket, endpoint or key stops the command before anything loads).
   *
   * @throws ParameterException naming {@code --blob-store} (or the S3 flag at fault) when the
   *     location is malformed, S3 flags come without an S3 store, or the store cannot be used
   */
  BlobStore open(Path dataDir, Map<String, String> env) {
    String location = location(env);
    boolean s3 = location.startsWith("s3://");
    if (!s3 && (s3Endpoint != null || s3PathStyle != null || s3Presign)) {
      throw new ParameterException(
          spec.commandLine(),
          "--s3-endpoint, --s3-path-style and --s3-presign need --blob-store s3://BUCKET[/PREFIX]"
              + " (or $ATELIER_BLOB_STORE) but the blob store is "
              + (location.isEmpty() ? "the data dir's files" : "'" + location + "'"));
    }
    S3Settings settings = S3Settings.fromEnvironment(env);
    if (s3Endpoint != null) {
      settings = settings.withEndpoint(s3Endpoint.trim());
    }
    if (s3PathStyle != null) {
      settings =
          settings.withPathStyle(s3PathStyle ? S3Settings.PathStyle.ON : S3Settings.PathStyle.OFF);
    }
    try {
      return Stores.blobs(dataDir, location, s3 ? settings : S3Settings.DEFAULT);
    } catch (IllegalArgumentException | AtelierException.StorageFailure e) {
      throw new ParameterException(
          spec.commandLine(), "--blob-store " + location + ": " + e.getMessage());
    }
  }

  /**
   * The server's blob policy: the sweep grace ({@code --blob-sweep-grace}, else 0 when {@code
   * sqlite} and {@code files} are both true, else 1 h) and {@code --s3-presign}.
   *
   * @throws ParameterException when the grace is no duration, or presigning would outlive 7 days
   */
  BlobPolicy policy(boolean sqlite, boolean files, Duration urlTtl) {
    Duration grace =
        sweepGrace != null
            ? duration(sweepGrace)
            : sqlite && files ? Duration.ZERO : BlobStore.SHARED_SWEEP_GRACE;
    if (s3Presign && urlTtl.compareTo(Duration.ofDays(7)) > 0) {
      throw new ParameterException(
          spec.commandLine(),
          "--s3-presign makes URLs that live --url-ttl, at most 7 days (S3's limit), but --url-ttl"
              + " was "
              + urlTtl.toSeconds()
              + " s");
    }
    return new BlobPolicy(grace, s3Presign);
  }

  private Duration duration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.matches("\\d+")) {
        return Duration.ofSeconds(Long.parseLong(t));
      }
      if (t.matches("\\d+[smhd]")) {
        long n = Long.parseLong(t.substring(0, t.length() - 1));
        return switch (t.charAt(t.length() - 1)) {
          case 's' -> Duration.ofSeconds(n);
          case 'm' -> Duration.ofMinutes(n);
          case 'h' -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
      }
      Duration d = Duration.parse(text.trim());
      if (!d.isNegative()) {
        return d;
      }
    } catch (RuntimeException e) {
      // refused below
    }
    throw new ParameterException(
        spec.commandLine(),
        "--blob-sweep-grace must be seconds or a duration (0, 3600, 30m, 1h, PT2H) but was '"
            + text
            + "'");
  }
}
