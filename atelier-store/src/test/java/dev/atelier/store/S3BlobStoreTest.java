package dev.atelier.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import dev.atelier.store.internal.BlobNames;
import dev.atelier.store.testing.S3Proxy;
import dev.atelier.store.testing.S3ProxyExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The blob store contract against a real S3-compatible server (s3proxy), and what S3 adds. */
@ExtendWith(S3ProxyExtension.class)
class S3BlobStoreTest extends BlobStoreContract {
  private static final String PREFIX = "prod/images";

  private S3Proxy proxy;
  private String bucket;

  @BeforeEach
  void bucket(S3Proxy s3proxy) {
    this.proxy = s3proxy;
    this.bucket = s3proxy.createBucket();
  }

  private S3BlobStore.Builder builder(String location) {
    return S3BlobStore.builder(location)
        .endpoint(proxy.endpoint())
        .credentials(S3Proxy.ACCESS_KEY, S3Proxy.SECRET_KEY, "");
  }

  @Override
  protected BlobStore openStore() {
    return builder("s3://" + bucket + "/" + PREFIX).build();
  }

  private static String key(String sha) {
    return PREFIX + "/sha256/" + sha.substring(0, 2) + "/" + sha;
  }

  @Override
  protected void age(String sha256, Duration by) throws Exception {
    proxy.age(bucket, key(sha256), by);
  }

  private List<String> keys() {
    return proxy.client().listObjectsV2(r -> r.bucket(bucket)).contents().stream()
        .map(S3Object::key)
        .sorted()
        .toList();
  }

  private void putRaw(String key, String body) {
    proxy.client().putObject(r -> r.bucket(bucket).key(key), RequestBody.fromString(body));
  }

  @Test
  void blobsAreObjectsNamedByTheirSha256UnderThePrefix() {
    String sha = open().put(bytes("abc"));

    assertThat(keys()).containsExactly(key(sha));
  }

  @Test
  void aStoreAtTheBucketsRootHasNoPrefix() {
    try (BlobStore store = builder("s3://" + bucket + "/").build()) {
      String sha = store.put(bytes("abc"));

      assertThat(keys()).containsExactly("sha256/ba/" + sha);
      assertThat(store.location()).isEqualTo("s3://" + bucket + " at " + proxy.endpoint());
    }
  }

  @Test
  void sweepTouchesOnlyBlobKeysUnderItsOwnPrefix() {
    BlobStore store = open();
    String orphan = store.put(bytes("orphan"));
    String other = BlobNames.sha256(bytes("another deployment's blob"));
    putRaw("staging/images/sha256/" + other.substring(0, 2) + "/" + other, "x");
    putRaw(PREFIX + "/sha256/ba/README", "not a blob");
    putRaw(PREFIX + "/sha256/00/" + other, "a blob name in the wrong folder");

    int deleted = store.sweep(Set.of(), Duration.ZERO);

    assertThat(deleted).isEqualTo(1);
    assertThat(store.exists(orphan)).isFalse();
    assertThat(keys()).hasSize(3);
  }

  @Test
  void aPresignedGetIsServedByTheStoreWithoutCredentials() throws Exception {
    BlobStore store = open();
    byte[] png = bytes("\u0089PNG pretend image bytes");
    String sha = store.put(png);

    URI url = store.presignedGet(sha, "image/png", Duration.ofMinutes(5)).orElseThrow();

    assertThat(url.toString()).startsWith(proxy.endpoint() + "/" + bucket + "/" + key(sha) + "?");
    assertThat(url.toString()).doesNotContain(S3Proxy.SECRET_KEY);
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<byte[]> got =
          http.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofByteArray());
      assertThat(got.statusCode()).isEqualTo(200);
      assertThat(got.body()).isEqualTo(png);
      assertThat(got.headers().firstValue("Content-Type")).hasValue("image/png");

      HttpResponse<byte[]> tampered =
          http.send(
              HttpRequest.newBuilder(URI.create(url.toString().replace(sha, ABC_SHA))).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(tampered.statusCode()).isEqualTo(403);
    }
  }

  @Test
  void aPresignedUrlLivesAtMostSevenDays() {
    BlobStore store = open();

    assertThatThrownBy(() -> store.presignedGet(ABC_SHA, "image/png", Duration.ofDays(8)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a presigned URL's lifetime must be 1 s to 7 days but was PT192H");
  }

  @Test
  void anAbsentBucketFailsAtOpenSayingSo() {
    assertThatThrownBy(() -> builder("s3://no-such-bucket-here/x").build())
        .isInstanceOf(AtelierException.StorageFailure.class)
        .hasMessageStartingWith(
            "bucket 'no-such-bucket-here' does not exist (s3://no-such-bucket-here/x at "
                + proxy.endpoint()
                + ", HTTP 404");
  }

  @Test
  void aWrongSecretFailsAtOpenWithoutShowingAnySecret() {
    String wrong = "wrong-secret-d41d8cd98f00b204e9800998ecf8427e";

    Throwable t =
        org.assertj.core.api.Assertions.catchThrowable(
            () ->
                S3BlobStore.builder("s3://" + bucket)
                    .endpoint(proxy.endpoint())
                    .credentials(S3Proxy.ACCESS_KEY, wrong, "")
                    .build());

    assertThat(t)
        .isInstanceOf(AtelierException.StorageFailure.class)
        .hasMessageStartingWith("access to bucket '" + bucket + "' was denied");
    for (Throwable c = t; c != null; c = c.getCause()) {
      assertThat(c.toString()).doesNotContain(wrong).doesNotContain(S3Proxy.SECRET_KEY);
    }
  }

  @Test
  void aFailedPutSaysWhatFailedWithoutTheSecret() {
    BlobStore store = open();
    proxy.client().deleteBucket(r -> r.bucket(bucket));

    Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> store.put(bytes("abc")));

    assertThat(t)
        .isInstanceOf(AtelierException.StorageFailure.class)
        .hasMessageStartingWith(
            "cannot store blob " + ABC_SHA + " (3 bytes) in s3://" + bucket + "/" + PREFIX);
    for (Throwable c = t; c != null; c = c.getCause()) {
      assertThat(c.toString()).doesNotContain(S3Proxy.SECRET_KEY);
    }
  }

  @Test
  void locationNamesBucketPrefixAndEndpointButNoCredential() {
    BlobStore store = open();

    assertThat(store.location())
        .isEqualTo("s3://" + bucket + "/" + PREFIX + " at " + proxy.endpoint());
    assertThat(store.toString()).doesNotContain(S3Proxy.SECRET_KEY);
  }

  @Test
  void locationsAndEndpointsAreChecked() {
    assertThatThrownBy(() -> S3BlobStore.builder("s3://"))
        .hasMessage("an S3 blob store must be s3://BUCKET[/PREFIX] but was 's3://'");
    assertThatThrownBy(() -> S3BlobStore.builder("file:///tmp"))
        .hasMessage("an S3 blob store must be s3://BUCKET[/PREFIX] but was 'file:///tmp'");
    assertThatThrownBy(() -> S3BlobStore.builder("s3://Images_Bucket/x"))
        .hasMessage(
            "an S3 blob store must be s3://BUCKET[/PREFIX] but was 's3://Images_Bucket/x':"
                + " bucket must be 3-63 lowercase letters, digits, dots and hyphens but was"
                + " 'Images_Bucket'");
    assertThatThrownBy(() -> S3BlobStore.builder("s3://bucket1/x").endpoint("ftp://host"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("but was 'ftp://host'");
    assertThatThrownBy(() -> S3BlobStore.builder("s3://bucket1/x").endpoint("http://key:pw@host"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith("but was '<with user info>'");
  }
}
