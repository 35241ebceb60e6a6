package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.server.auth.AccessSettings;
import dev.atelier.store.BlobStore;
import dev.atelier.store.S3BlobStore;
import dev.atelier.store.testing.S3Proxy;
import dev.atelier.store.testing.S3ProxyExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The server over an S3 blob store on a real S3-compatible server (s3proxy): images stored through
 * the HTTP API land in the bucket and come back byte for byte, through the server or as a presigned
 * redirect that the store itself serves, and the start-up sweep keeps young orphans.
 */
@ExtendWith(S3ProxyExtension.class)
class S3BlobStoreApiTest {
  private static final String PREFIX = "atelier/test";

  @TempDir Path dir;
  private S3Proxy proxy;
  private String bucket;

  @BeforeEach
  void bucket(S3Proxy s3proxy) {
    proxy = s3proxy;
    bucket = s3proxy.createBucket();
  }

  private BlobStore s3() {
    return S3BlobStore.builder("s3://" + bucket + "/" + PREFIX)
        .endpoint(proxy.endpoint())
        .credentials(S3Proxy.ACCESS_KEY, S3Proxy.SECRET_KEY, "")
        .build();
  }

  private static ServerConfig config(BlobPolicy policy) {
    return new ServerConfig("127.0.0.1", 0, "fake-model", 64, Instant.now(), false)
        .withAccess(AccessSettings.ephemeral().withUrlTtl(Duration.ofMinutes(15)))
        .withBlobPolicy(policy);
  }

  private List<S3Object> objects() {
    return proxy.client().listObjectsV2(r -> r.bucket(bucket).prefix(PREFIX + "/")).contents();
  }

  private byte[] object(String key) {
    return proxy.client().getObjectAsBytes(r -> r.bucket(bucket).key(key)).asByteArray();
  }

  /** The first image of a one-image generation: its id and signed URL. */
  private static String[] generate(ServerFixture f) throws Exception {
    ServerFixture.Reply r =
        f.post(
            "/v1/images/generations",
            "{\"prompt\":\"a lighthouse at dusk\",\"n\":1,\"response_format\":\"url\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    var image = r.json().array("data").get(0).asObject();
    return new String[] {image.string("id", ""), image.string("url", "")};
  }

  @Test
  void anImageStoredThroughTheApiLandsInTheBucketAndComesBackByteForByte() throws Exception {
    try (BlobStore blobs = s3();
        ServerFixture f = ServerFixture.withBlobs(dir, blobs, config(BlobPolicy.DEFAULT))) {
      String[] image = generate(f);

      List<S3Object> stored = objects();
      assertThat(stored).hasSize(1);
      S3Object blob = stored.get(0);
      assertThat(blob.key()).matches(PREFIX + "/sha256/[0-9a-f]{2}/[0-9a-f]{64}");
      byte[] inBucket = object(blob.key());
      assertThat(inBucket).startsWith(0x89, 'P', 'N', 'G');

      HttpResponse<byte[]> signed =
          f.http.send(
              HttpRequest.newBuilder(URI.create(image[1])).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(signed.statusCode()).isEqualTo(200);
      assertThat(signed.headers().firstValue("Content-Type")).hasValue("image/png");
      assertThat(signed.body()).isEqualTo(inBucket);
      assertThat(f.bytes(f.base() + "/v1/images/" + image[0] + "/content")).isEqualTo(inBucket);
    }
  }

  @Test
  void withPresigningTheSignedUrlRedirectsToAGetTheStoreServes() throws Exception {
    try (BlobStore blobs = s3();
        ServerFixture f =
            ServerFixture.withBlobs(
                dir, blobs, config(new BlobPolicy(Duration.ZERO, /* presign= */ true)))) {
      String[] image = generate(f);
      byte[] inBucket = object(objects().get(0).key());

      HttpResponse<byte[]> redirect =
          f.http.send(
              HttpRequest.newBuilder(URI.create(image[1])).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(redirect.statusCode()).isEqualTo(302);
      assertThat(redirect.headers().firstValue("Cache-Control")).hasValue("no-store");
      String location = redirect.headers().firstValue("Location").orElseThrow();
      assertThat(location)
          .startsWith(proxy.endpoint() + "/" + bucket + "/" + PREFIX + "/sha256/")
          .contains("X-Amz-Expires=900")
          .doesNotContain(S3Proxy.SECRET_KEY);

      try (HttpClient following =
          HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build()) {
        HttpResponse<byte[]> fetched =
            following.send(
                HttpRequest.newBuilder(URI.create(image[1])).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(fetched.statusCode()).isEqualTo(200);
        assertThat(fetched.uri().toString()).startsWith(proxy.endpoint());
        assertThat(fetched.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(fetched.body()).isEqualTo(inBucket);
      }

      // The server still checks the signature before it hands out a presigned URL.
      HttpResponse<byte[]> forged =
          f.http.send(
              HttpRequest.newBuilder(URI.create(image[1].replaceAll("sig=.*", "sig=forged")))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(forged.statusCode()).isEqualTo(403);
    }
  }

  @Test
  void theStartupSweepKeepsOrphansYoungerThanItsGrace() throws Exception {
    BlobPolicy shared = new BlobPolicy(Duration.ofHours(1), false);
    String orphan;
    String kept;
    try (BlobStore blobs = s3();
        ServerFixture f = ServerFixture.withBlobs(dir, blobs, config(shared))) {
      generate(f);
      kept = objects().get(0).key();
      // As if another node had just put a blob whose row it is still committing.
      orphan = blobs.put("another node's image".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    String orphanKey = PREFIX + "/sha256/" + orphan.substring(0, 2) + "/" + orphan;

    try (BlobStore blobs = s3();
        ServerFixture f = ServerFixture.withBlobs(dir, blobs, config(shared))) {
      assertThat(objects()).extracting(S3Object::key).containsExactlyInAnyOrder(kept, orphanKey);
    }

    proxy.age(bucket, orphanKey, Duration.ofHours(2));
    proxy.age(bucket, kept, Duration.ofHours(2));
    try (BlobStore blobs = s3();
        ServerFixture f = ServerFixture.withBlobs(dir, blobs, config(shared))) {
      assertThat(objects()).extracting(S3Object::key).containsExactly(kept);
    }
  }
}
