package dev.atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.store.testing.S3Proxy;
import dev.atelier.store.testing.S3ProxyExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code serve --blob-store s3://...} against a real S3-compatible server (s3proxy). */
@ExtendWith(S3ProxyExtension.class)
class ServeBlobStoreTest {
  @TempDir Path data;

  private static Map<String, String> env(S3Proxy proxy, String secret) {
    return Map.of(
        "AWS_ACCESS_KEY_ID",
        S3Proxy.ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY",
        secret,
        "AWS_ENDPOINT_URL_S3",
        proxy.endpoint());
  }

  private record Run(int code, String err) {}

  private Run refused(Map<String, String> env, String... args) {
    ServeCommand serve = new ServeCommand();
    serve.env = env;
    CommandLine cli = new CommandLine(serve);
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Run(code, err.toString());
  }

  @Test
  void anAbsentBucketStopsServeAtOnceNamingTheFlag(S3Proxy proxy) {
    Run r =
        refused(
            env(proxy, S3Proxy.SECRET_KEY),
            "--blob-store",
            "s3://no-such-bucket/images",
            "--data-dir",
            data.toString(),
            "--model",
            data.resolve("never-loaded").toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains(
            "--blob-store s3://no-such-bucket/images: bucket 'no-such-bucket' does not exist"
                + " (s3://no-such-bucket/images at "
                + proxy.endpoint());
  }

  @Test
  void aWrongSecretIsReportedWithoutTheSecret(S3Proxy proxy) {
    String bucket = proxy.createBucket();
    String wrong = "not-the-secret-0123456789abcdef";

    Run r =
        refused(
            env(proxy, wrong),
            "--blob-store",
            "s3://" + bucket,
            "--data-dir",
            data.toString(),
            "--model",
            data.resolve("never-loaded").toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains("--blob-store s3://" + bucket + ": access to bucket '" + bucket + "' was denied")
        .doesNotContain(wrong);
  }

  @Test
  void s3FlagsWithoutAnS3StoreAreRefused() {
    Run r =
        refused(
            Map.of(),
            "--s3-endpoint",
            "http://127.0.0.1:9000",
            "--data-dir",
            data.toString(),
            "--model",
            data.resolve("never-loaded").toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains(
            "--s3-endpoint, --s3-path-style and --s3-presign need --blob-store"
                + " s3://BUCKET[/PREFIX] (or $ATELIER_BLOB_STORE) but the blob store is the data"
                + " dir's files");
  }

  @Test
  void presigningBeyondSevenDaysIsRefused(S3Proxy proxy) {
    Run r =
        refused(
            env(proxy, S3Proxy.SECRET_KEY),
            "--blob-store",
            "s3://bucket/x",
            "--s3-presign",
            "--url-ttl",
            "8d",
            "--data-dir",
            data.toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains(
            "--s3-presign makes URLs that live --url-ttl, at most 7 days (S3's limit), but"
                + " --url-ttl was 691200 s");
  }

  @Test
  void servesImagesFromTheBucketWithPresignedRedirects(S3Proxy proxy) throws Exception {
    String bucket = proxy.createBucket();
    try (InProcessServe serve =
        InProcessServe.start(
            s ->
                s.env =
                    Map.of(
                        "AWS_ACCESS_KEY_ID", S3Proxy.ACCESS_KEY,
                        "AWS_SECRET_ACCESS_KEY", S3Proxy.SECRET_KEY,
                        "ATELIER_BLOB_STORE", "s3://" + bucket + "/atelier"),
            "--port",
            "0",
            "--s3-endpoint",
            proxy.endpoint(),
            "--s3-presign",
            "--data-dir",
            data.toString(),
            "--model",
            AtelierCommandTest.model("tiny-sd"))) {
      int port = serve.port();
      assertThat(serve.out())
          .contains(
              "blobs:      s3://"
                  + bucket
                  + "/atelier at "
                  + proxy.endpoint()
                  + " (image URLs redirect to presigned GETs)")
          .doesNotContain(S3Proxy.SECRET_KEY);
      HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + port + "/v1/images/generations"))
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"prompt\":\"a cup\",\"steps\":2,\"response_format\":\"url\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      Matcher url = Pattern.compile("\"url\":\"([^\"]+)\"").matcher(r.body());
      assertThat(url.find()).as(r.body()).isTrue();
      assertThat(url.group(1)).startsWith("http://127.0.0.1:" + port + "/v1/images/");

      HttpResponse<byte[]> image =
          http.send(
              HttpRequest.newBuilder(URI.create(url.group(1))).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(image.statusCode()).isEqualTo(200);
      assertThat(image.uri().toString()).startsWith(proxy.endpoint() + "/" + bucket + "/atelier/");
      var objects =
          proxy.client().listObjectsV2(l -> l.bucket(bucket).prefix("atelier/sha256/")).contents();
      assertThat(objects).hasSize(1);
      assertThat(image.body())
          .isEqualTo(
              proxy
                  .client()
                  .getObjectAsBytes(g -> g.bucket(bucket).key(objects.get(0).key()))
                  .asByteArray());
      assertThat(Files.exists(data.resolve("blobs/sha256")))
          .as("no blob in the data dir")
          .isFalse();
    }
  }
}
