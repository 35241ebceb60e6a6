package dev.atelier.store;

import dev.atelier.core.AtelierException;
import dev.atelier.store.internal.BlobNames;
import dev.atelier.store.internal.S3Errors;
import dev.atelier.store.internal.S3Location;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * {@link BlobStore} in an S3-compatible object store (AWS S3, MinIO, Cloudflare R2, Backblaze B2,
 * s3proxy, Ceph): {@code s3://BUCKET/PREFIX/sha256/<first 2 hex>/<64 hex>}, the file store's
 * layout.
 *
 * <p>A put is one {@code PutObject} streamed from the caller's bytes with their length known (no
 * copy, no multipart: images are megabytes); S3 makes it atomic, so there are no temp objects. A
 * put of bytes already stored uploads them again, which renews their {@code LastModified}: a
 * sweep's grace then protects the blob for the row about to name it. Requests carry checksums only
 * when an operation requires one ({@code WHEN_REQUIRED}): many S3-compatible stores refuse the
 * SDK's default trailing checksums. Sweeps list the prefix and delete one object at a time ({@code
 * DeleteObjects} needs a checksum header that not every store takes).
 *
 * <p>Opening checks that the bucket exists and answers these credentials, so a wrong bucket,
 * endpoint or key fails at start. Credentials come from {@link Builder#credentials} or the AWS
 * SDK's default chain ({@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}, profiles, container
 * and instance roles); no message, log line or {@link #location()} ever shows the secret key. See
 * docs/adr/0023.
 */
public final class S3BlobStore implements BlobStore {
  private static final String CONTENT_TYPE = "application/octet-stream";
  // SigV4 presigned URLs live at most 7 days.
  private static final Duration MAX_PRESIGN = Duration.ofDays(7);

  private final S3Location where;
  private final String endpoint;
  private final S3Client s3;
  private final S3Presigner presigner;

  private S3BlobStore(Builder b, S3Location where, String region, AwsCredentialsProvider creds) {
    this.where = where;
    this.endpoint = b.endpoint;
    var client =
        S3Client.builder()
            .httpClientBuilder(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(10))
                    .socketTimeout(Duration.ofSeconds(60)))
            .region(Region.of(region))
            .credentialsProvider(creds)
            .forcePathStyle(b.pathStyle)
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    var presign =
        S3Presigner.builder()
            .region(Region.of(region))
            .credentialsProvider(creds)
            .serviceConfiguration(
                S3Configuration.builder().pathStyleAccessEnabled(b.pathStyle).build());
    if (!b.endpoint.isEmpty()) {
      client.endpointOverride(URI.create(b.endpoint));
      presign.endpointOverride(URI.create(b.endpoint));
    }
    this.s3 = client.build();
    this.presigner = presign.build();
  }

  /**
   * A builder for the store at {@code location}.
   *
   * @param location {@code s3://BUCKET[/PREFIX]}
   * @throws IllegalArgumentException when {@code location} is not of that form
   */
  public static Builder builder(String location) {
    return new Builder(S3Location.parse(location));
  }

  private String key(String sha256) {
    return where.key(sha256);
  }

  private AtelierException.StorageFailure failure(String what, SdkException e) {
    return new AtelierException.StorageFailure(
        what + " in " + location() + ": " + S3Errors.describe(e), e);
  }

  @Override
  public String put(byte[] bytes) {
    String sha = BlobNames.sha256(bytes);
    try {
      s3.putObject(
          r -> r.bucket(where.bucket()).key(key(sha)).contentType(CONTENT_TYPE),
          RequestBody.fromContentProvider(
              () -> new ByteArrayInputStream(bytes), bytes.length, CONTENT_TYPE));
      return sha;
    } catch (SdkException e) {
      throw failure("cannot store blob " + sha + " (" + bytes.length + " bytes)", e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException when {@code sha256} is not 64 lowercase hex digits
   */
  @Override
  public Optional<byte[]> get(String sha256) {
    String key = key(sha256);
    try (ResponseInputStream<GetObjectResponse> in =
        s3.getObject(r -> r.bucket(where.bucket()).key(key))) {
      return Optional.of(in.readAllBytes());
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (SdkException e) {
      if (e instanceof S3Exception s && s.statusCode() == 404) {
        return Optional.empty();
      }
      throw failure("cannot read blob " + sha256, e);
    } catch (IOException e) {
      throw new AtelierException.StorageFailure(
          "cannot read blob " + sha256 + " in " + location() + ": " + e, e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException when {@code sha256} is not 64 lowercase hex digits
   */
  @Override
  public boolean exists(String sha256) {
    return head(key(sha256)).isPresent();
  }

  private Optional<HeadObjectResponse> head(String key) {
    try {
      return Optional.of(s3.headObject(r -> r.bucket(where.bucket()).key(key)));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (SdkException e) {
      if (e instanceof S3Exception s && s.statusCode() == 404) {
        return Optional.empty();
      }
      throw failure("cannot look up " + key, e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Lists {@code PREFIX/sha256/}; only keys laid out exactly like a blob's are considered, and
   * age is the object's {@code LastModified}. With a grace, each candidate is looked up again just
   * before it is deleted and kept if a put renewed it since the listing.
   */
  @Override
  public int sweep(Set<String> keep, Duration grace) {
    if (grace.isNegative()) {
      throw new IllegalArgumentException("grace must be zero or positive but was " + grace);
    }
    Instant cutoff = grace.isZero() ? Instant.MAX : Instant.now().minus(grace);
    int deleted = 0;
    try {
      for (S3Object o :
          s3.listObjectsV2Paginator(r -> r.bucket(where.bucket()).prefix(where.blobsPrefix()))
              .contents()) {
        String name = where.nameOf(o.key());
        if (name.isEmpty() || keep.contains(name) || !o.lastModified().isBefore(cutoff)) {
          continue;
        }
        if (!grace.isZero()
            && !head(o.key()).map(h -> h.lastModified().isBefore(cutoff)).orElse(false)) {
          continue;
        }
        s3.deleteObject(r -> r.bucket(where.bucket()).key(o.key()));
        deleted++;
      }
      return deleted;
    } catch (SdkException e) {
      throw failure("cannot sweep blobs (" + deleted + " deleted so far)", e);
    }
  }

  /**
   * A presigned {@code GET} of the blob, answered with {@code contentType}.
   *
   * @throws IllegalArgumentException when {@code sha256} is not a blob name or {@code ttl} is not 1
   *     s to 7 days (SigV4's limit)
   */
  @Override
  public Optional<URI> presignedGet(String sha256, String contentType, Duration ttl) {
    if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(MAX_PRESIGN) > 0) {
      throw new IllegalArgumentException(
          "a presigned URL's lifetime must be 1 s to 7 days but was " + ttl);
    }
    String key = key(sha256);
    try {
      return Optional.of(
          presigner
              .presignGetObject(
                  p ->
                      p.signatureDuration(ttl)
                          .getObjectRequest(
                              g ->
                                  g.bucket(where.bucket())
                                      .key(key)
                                      .responseContentType(contentType)))
              .url()
              .toURI());
    } catch (SdkException e) {
      throw failure("cannot presign " + key, e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException("the SDK presigned a URL that is not a URI", e);
    }
  }

  /** {@code s3://BUCKET/PREFIX}, with the endpoint when one was given. */
  @Override
  public String location() {
    return where + (endpoint.isEmpty() ? "" : " at " + endpoint);
  }

  @Override
  public String toString() {
    return "S3BlobStore[" + location() + "]";
  }

  /** Closes the HTTP client. */
  @Override
  public void close() {
    try (presigner) {
      s3.close();
    }
  }

  /** How to reach the store; {@link #build()} connects and checks the bucket. */
  public static final class Builder {
    private final S3Location where;
    private String endpoint = "";
    private boolean pathStyle;
    private boolean pathStyleSet;
    private String region = "";
    private String accessKeyId = "";
    private String secretAccessKey = "";
    private String sessionToken = "";

    private Builder(S3Location where) {
      this.where = where;
    }

    /**
     * The store's endpoint ({@code http://127.0.0.1:9000}, {@code
     * https://ACCOUNT.r2.cloudflarestorage.com}); {@code ""} (the default) for AWS S3 itself.
     * Path-style addressing is on with an endpoint unless {@link #pathStyle} says otherwise.
     *
     * @throws IllegalArgumentException when it is not an absolute http(s) URL without a query or
     *     user info
     */
    public Builder endpoint(String url) {
      Objects.requireNonNull(url, "url");
      if (!url.isEmpty()) {
        URI u;
        try {
          u = new URI(url);
        } catch (URISyntaxException e) {
          u = null;
        }
        if (u == null
            || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))
            || u.getHost() == null
            || u.getRawUserInfo() != null
            || u.getRawQuery() != null) {
          throw new IllegalArgumentException(
              "an S3 endpoint must be an http(s) URL such as http://127.0.0.1:9000 (no user info,"
                  + " no query) but was '"
                  + (u != null && u.getRawUserInfo() != null ? "<with user info>" : url)
                  + "'");
        }
      }
      this.endpoint = url;
      return this;
    }

    /**
     * Path-style addressing ({@code ENDPOINT/BUCKET/KEY}) instead of virtual-hosted style ({@code
     * BUCKET.ENDPOINT/KEY}); most self-hosted stores need it. Default: on with an endpoint, off for
     * AWS.
     */
    public Builder pathStyle(boolean on) {
      this.pathStyle = on;
      this.pathStyleSet = true;
      return this;
    }

    /**
     * The signing region ({@code eu-west-1}; {@code auto} for R2); {@code ""} (the default) for
     * {@code us-east-1} with an endpoint, else the AWS SDK's region chain ({@code AWS_REGION},
     * profile, instance metadata).
     */
    public Builder region(String name) {
      this.region = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Static credentials (a session token may be {@code ""}); without this call the AWS SDK's
     * default chain provides them.
     */
    public Builder credentials(String accessKeyId, String secretAccessKey, String sessionToken) {
      this.accessKeyId = Objects.requireNonNull(accessKeyId, "accessKeyId");
      this.secretAccessKey = Objects.requireNonNull(secretAccessKey, "secretAccessKey");
      this.sessionToken = Objects.requireNonNull(sessionToken, "sessionToken");
      if (accessKeyId.isBlank() || secretAccessKey.isBlank()) {
        throw new IllegalArgumentException(
            "S3 credentials need both an access key id and a secret access key");
      }
      return this;
    }

    /**
     * Connects and checks that the bucket exists and these credentials may use it.
     *
     * @throws AtelierException.StorageFailure when no region or credentials are found, the store
     *     cannot be reached, the bucket does not exist or access is denied; the message says which
     *     and never holds the secret key
     */
    public S3BlobStore build() {
      if (!pathStyleSet) {
        pathStyle = !endpoint.isEmpty();
      }
      String r = region;
      if (r.isEmpty()) {
        r = endpoint.isEmpty() ? defaultRegion() : "us-east-1";
      }
      AwsCredentialsProvider creds =
          accessKeyId.isEmpty()
              ? DefaultCredentialsProvider.builder().build()
              : StaticCredentialsProvider.create(
                  sessionToken.isEmpty()
                      ? AwsBasicCredentials.create(accessKeyId, secretAccessKey)
                      : AwsSessionCredentials.create(accessKeyId, secretAccessKey, sessionToken));
      S3BlobStore store = new S3BlobStore(this, where, r, creds);
      try {
        store.checkBucket(r);
        return store;
      } catch (RuntimeException e) {
        store.close();
        throw e;
      }
    }

    private String defaultRegion() {
      try {
        return new DefaultAwsRegionProviderChain().getRegion().id();
      } catch (SdkException e) {
        throw new AtelierException.StorageFailure(
            "no AWS region for "
                + where
                + ": set AWS_REGION (or give an endpoint, whose default region is us-east-1)",
            e);
      }
    }
  }

  private void checkBucket(String region) {
    try {
      s3.headBucket(r -> r.bucket(where.bucket()));
    } catch (S3Exception e) {
      String why =
          switch (e.statusCode()) {
            case 404 -> "bucket '" + where.bucket() + "' does not exist";
            case 403 ->
                "access to bucket '"
                    + where.bucket()
                    + "' was denied: check the access key and secret (AWS_ACCESS_KEY_ID,"
                    + " AWS_SECRET_ACCESS_KEY) and the bucket's policy";
            case 301, 307, 400 ->
                "bucket '"
                    + where.bucket()
                    + "' did not answer in region "
                    + region
                    + ": set AWS_REGION to the bucket's region";
            default -> "bucket '" + where.bucket() + "' cannot be used";
          };
      throw new AtelierException.StorageFailure(
          why + " (" + location() + ", " + S3Errors.describe(e) + ")", e);
    } catch (SdkException e) {
      throw new AtelierException.StorageFailure(
          "cannot reach the S3 store for " + location() + ": " + S3Errors.describe(e), e);
    }
  }
}
